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
    "value_missing": _l("Please fill in all values"),
    # successes
    "alias_added": _l("Alias {0} added"),
    "alias_modified": _l("Alias {0} saved"),
    "alias_removed": _l("Alias {0} deleted"),
    "aliasd_added": _l("Alias domain {0} added"),
    "aliasd_modified": _l("Alias domain {0} saved"),
    "alias_domain_removed": _l("Alias domain {0} deleted"),
    "dkim_added": _l("DKIM key for {0} created"),
    "dkim_removed": _l("DKIM key for {0} deleted"),
    "domain_add_dkim_available": _l("A DKIM key is available for the new domain"),
    "domain_added": _l("Domain {0} added"),
    "domain_modified": _l("Domain {0} saved"),
    "domain_removed": _l("Domain {0} deleted"),
    "mailbox_added": _l("Mailbox {0} added"),
    "mailbox_modified": _l("Mailbox {0} saved"),
    "mailbox_removed": _l("Mailbox {0} deleted"),
    "rl_saved": _l("Rate limit for {0} saved"),
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
