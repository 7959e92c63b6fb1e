"""Mailcow's message keys (`msg` in its answers) turned into readable English.

Mailcow answers `"msg": "key"` or `"msg": ["key", arg, ...]`; the key names a
translation and the args fill its placeholders in order. Wording is ours.
"""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

# {0}, {1}… are Mailcow's arguments in the order it sends them.
TEXTS: dict[str, Any] = {
    # refusals
    "access_denied": _l("Access denied, or the object does not exist"),
    "alias_domain_invalid": _l("Alias domain {0} is not a valid domain name"),
    "alias_empty": _l("The alias address must not be empty"),
    "alias_goto_identical": _l("An alias cannot forward to itself"),
    "alias_invalid": _l("Alias address {0} is not valid"),
    "aliasd_targetd_identical": _l("An alias domain cannot point to itself: {0}"),
    "aliases_in_use": _l("The alias limit must be at least {0}, the number already in use"),
    "defquota_empty": _l("The default mailbox quota must not be 0"),
    "dkim_domain_or_sel_exists": _l("A DKIM key for {0} already exists and was not overwritten"),
    "dkim_domain_or_sel_invalid": _l("DKIM domain or selector is not valid: {0}"),
    "domain_cannot_match_hostname": _l("The domain cannot be the mail server's own host name"),
    "domain_exists": _l("Domain {0} already exists"),
    "domain_invalid": _l("The domain name is empty or not valid"),
    "domain_not_empty": _l("Domain {0} still has mailboxes; delete them first"),
    "domain_not_found": _l("Domain {0} does not exist on this server"),
    "domain_quota_m_in_use": _l("The domain quota must be at least {0} MiB, the amount already assigned"),
    "goto_empty": _l("An alias needs at least one valid destination address"),
    "goto_invalid": _l("Destination address {0} is not valid"),
    "is_alias": _l("{0} is already an alias address"),
    "is_alias_or_mailbox": _l("{0} already exists as an alias, a mailbox or an alias-domain address"),
    "is_spam_alias": _l("{0} is already a temporary (spam) alias"),
    "mailbox_defquota_exceeds_mailbox_maxquota": _l("The default mailbox quota is larger than the maximum mailbox quota"),
    "mailbox_invalid": _l("The mailbox name is not valid"),
    "mailbox_quota_exceeded": _l("The quota is above the domain's limit of {0} MiB per mailbox"),
    "mailbox_quota_exceeds_domain_quota": _l("The maximum mailbox quota is larger than the domain quota"),
    "mailbox_quota_left_exceeded": _l("Not enough quota left in the domain ({0} MiB free)"),
    "mailboxes_in_use": _l("The mailbox limit must be at least {0}, the number already in use"),
    "max_alias_exceeded": _l("The domain has reached its alias limit"),
    "max_mailbox_exceeded": _l("The domain has reached its mailbox limit ({0} of {1})"),
    "max_quota_in_use": _l("The mailbox quota must be at least {0} MiB"),
    "maxquota_empty": _l("The maximum mailbox quota must not be 0"),
    "object_exists": _l("{0} already exists"),
    "object_is_not_numeric": _l("{0} is not a number"),
    "password_complexity": _l("The password does not meet the password policy"),
    "password_empty": _l("The password must not be empty"),
    "password_mismatch": _l("The password and its confirmation do not match"),
    "quota_not_0_not_numeric": _l("The quota must be a number of 0 or more"),
    "required_data_missing": _l("Required value {0} is missing"),
    "rl_timeframe": _l("The rate limit time frame is not valid"),
    "target_domain_invalid": _l("Target domain {0} is not valid"),
    "targetd_not_found": _l("Target domain {0} does not exist"),
    "targetd_relay_domain": _l("Target domain {0} is a relay domain"),
    "unknown": _l("Mailcow reported an unknown error"),
    # routing (relayhosts and transport maps) and DKIM
    "invalid_host": _l("The host must not be empty"),
    "invalid_nexthop": _l("The next hop must not be empty"),
    "invalid_nexthop_authenticated": _l("This next hop is already used with other credentials; use the same username"),
    "invalid_destination": _l("Destination {0} is not valid"),
    "transport_dest_exists": _l("A transport for destination {0} already exists"),
    "next_hop_interferes": _l("Next hop {1} interferes with the existing next hop {0}"),
    "next_hop_interferes_any": _l("Next hop {0} interferes with an existing next hop"),
    "relayhost_invalid": _l("Routing entry {0} does not exist"),
    "private_key_error": _l("The private key could not be read: {0}"),
    "value_missing": _l("Please fill in all values"),
    # mailbox extras: app passwords, time-limited aliases, user ACL
    "app_name_empty": _l("The app password needs a name"),
    "app_passwd_id_invalid": _l("That app password does not exist (any more)"),
    "validity_missing": _l("The validity must be a whole number of hours from 1 to 87600"),
    "Cannot determine current ACL": _l("Mailcow could not read the mailbox's current permissions"),
    "app_passwd_added": _l("App password added"),
    "app_passwd_removed": _l("App password {0} deleted"),
    "acl_saved": _l("Permissions of {0} saved"),
    # quarantine and fail2ban
    "release_send_failed": _l("The message could not be handed to Postfix: {0}"),
    "Cannot connect to Postfix": _l("Mailcow cannot connect to Postfix to release the message"),
    "spam_learn_error": _l("Rspamd could not learn the message as spam: {0}"),
    "ham_learn_error": _l("Rspamd could not learn the message as ham: {0}"),
    "learn_spam_error": _l("Rspamd could not learn the message as spam: {0}"),
    "fuzzy_learn_error": _l("Rspamd could not store the message's fuzzy hashes: {0}"),
    "network_host_invalid": _l("{0} is not a valid IP address or network"),
    "reset_f2b_regex": _l("The regular expressions were reset but netfilter did not reload them in time"),
    "redis_error": _l("Mailcow could not reach its Redis store: {0}"),
    "item_released": _l("Item {0} released to the inbox"),
    "item_learned": _l("Item {0} learned as ham"),
    "qlearn_spam": _l("Item {0} learned as spam and deleted"),
    "item_deleted": _l("Item {0} deleted"),
    "f2b_modified": _l("Fail2ban settings saved"),
    # BCC, recipient and TLS policy maps, forwarding hosts
    "invalid_bcc_map_type": _l("The BCC map type must be sender or recipient"),
    "bcc_empty": _l("The BCC destination must not be empty"),
    "bcc_must_be_email": _l("BCC destination {0} is not a single valid e-mail address"),
    "bcc_exists": _l("A BCC map for {0} of type “{1}” already exists"),
    "invalid_recipient_map_old": _l("Original recipient {0} is neither a valid address nor a domain"),
    "invalid_recipient_map_new": _l("New recipient {0} is not a valid e-mail address"),
    "recipient_map_entry_exists": _l("An entry for {0} already exists"),
    "tls_policy_map_parameter_invalid": _l("Parameters must be name=value pairs separated by spaces"),
    "tls_policy_map_entry_exists": _l("A TLS policy map for {0} already exists"),
    # successes
    "alias_added": _l("Alias {0} added"),
    "alias_modified": _l("Alias {0} saved"),
    "alias_removed": _l("Alias {0} deleted"),
    "aliasd_added": _l("Alias domain {0} added"),
    "aliasd_modified": _l("Alias domain {0} saved"),
    "alias_domain_removed": _l("Alias domain {0} deleted"),
    "dkim_added": _l("DKIM key for {0} created"),
    "dkim_removed": _l("DKIM key for {0} deleted"),
    "dkim_duplicated": _l("DKIM key of {0} copied to {1}"),
    "relayhost_added": _l("Routing entry added"),
    "relayhost_removed": _l("Routing entry {0} deleted"),
    "domain_add_dkim_available": _l("A DKIM key is available for the new domain"),
    "domain_added": _l("Domain {0} added"),
    "domain_modified": _l("Domain {0} saved"),
    "domain_removed": _l("Domain {0} deleted"),
    "mailbox_added": _l("Mailbox {0} added"),
    "mailbox_modified": _l("Mailbox {0} saved"),
    "mailbox_removed": _l("Mailbox {0} deleted"),
    "rl_saved": _l("Rate limit for {0} saved"),
    "items_deleted": _l("Deleted: {0}"),
    "object_modified": _l("{0} saved"),
    "password_policy_saved": _l("Password policy saved"),
    "saved_settings": _l("Settings saved"),
    # Mailcow UI log (get/logs/ui): sign-ins
    "logged_in_as": _l("Signed in as {0}"),
    "login_failed": _l("Sign-in failed"),
    # Sync jobs and sieve filters
    "no_user_defined": _l("No mailbox was named as the owner"),
    "deleted_syncjob": _l("Sync job {0} deleted"),
    "bad character SPACE": _l("Custom parameters must be written as --option=value, without spaces"),
    "sieve_error": _l("The sieve script is not valid: {0}"),
    "script_empty": _l("The sieve script must not be empty"),
    "filter_type": _l("The filter type must be prefilter or postfilter"),
    "invalid_filter_type": _l("The filter type must be prefilter or postfilter"),
    "delete_filter": _l("Filter {0} deleted"),
    "global_filter_written": _l("Global filter saved"),
    "global_filter_write_error": _l("The global filter file could not be written: {0}"),
    "dovecot_restart_success": _l("Dovecot restarted with the new global filter"),
    "dovecot_restart_failed": _l("Dovecot could not be restarted; the global filter takes effect at its next restart"),
    "bcc_saved": _l("BCC map saved"),
    "bcc_edited": _l("BCC map to {0} saved"),
    "bcc_deleted": _l("BCC map {0} deleted"),
    "recipient_map_entry_saved": _l("Recipient map for {0} saved"),
    "recipient_map_entry_deleted": _l("Recipient map {0} deleted"),
    "tls_policy_map_entry_saved": _l("TLS policy map for {0} saved"),
    "tls_policy_map_entry_deleted": _l("TLS policy map {0} deleted"),
    "forwarding_host_added": _l("Forwarding host added: {0}"),
    "forwarding_host_removed": _l("Forwarding host {0} removed"),
    # OAuth2 (Mailcow sends these as English sentences, not keys)
    "Added client access": _l("OAuth2 client added"),
    "Client ID exists": _l("Mailcow drew a client ID that already exists; try again"),
    "Redirect/Callback URL cannot be empty": _l("The redirect URI must not be empty"),
}


def describe(msg: Any) -> str:
    """One Mailcow `msg` value as an English sentence; unknown keys stay readable."""
    if isinstance(msg, list) and msg:
        key, args = str(msg[0]), [str(a) for a in msg[1:]]
    else:
        key, args = str(msg), []
    text = TEXTS.get(key)
    if text is None:
        # Free text (e.g. "Could not move mail storage to garbage collector: ") or a key
        # we have not worded yet: show it as Mailcow sent it, never hide it.
        return key.strip() + (" (" + ", ".join(args) + ")" if args else "")
    try:
        return str(text).format(*args)
    except IndexError:
        return str(text).replace("{0}", "").strip() + (" (" + ", ".join(args) + ")" if args else "")


def message_key(msg: Any) -> str:
    return str(msg[0]) if isinstance(msg, list) and msg else str(msg)
