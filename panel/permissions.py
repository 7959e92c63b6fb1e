"""What a domain administrator may do inside their domains, modelled on Mailcow's DA ACL."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

# key -> label; keys are stored on the administrator and checked by access rules.
PERMISSIONS: dict[str, object] = {
    "mailboxes": _l("Add, edit and delete mailboxes"),
    "mailbox_quota": _l("Change mailbox quotas"),
    "aliases": _l("Manage aliases"),
    "alias_domains": _l("Manage alias domains"),
    "resources": _l("Manage resources"),
    "syncjobs": _l("Manage sync jobs"),
    "filters": _l("Edit filters"),
    "quarantine": _l("See and act on quarantine"),
    "bcc_maps": _l("Manage BCC maps"),
    "recipient_maps": _l("Manage recipient maps"),
    "ratelimit": _l("Change rate limits"),
    "app_passwds": _l("Manage app passwords"),
    "spam_policy": _l("Change spam score and allow/deny lists"),
    "spam_alias": _l("Manage time-limited aliases"),
    "tls_policy": _l("Change mailbox TLS policy"),
    "protocol_access": _l("Change protocol access"),
    "domain_desc": _l("Change the domain description"),
    "logs": _l("Read logs and the mail queue of their domains"),
}

# What a new domain administrator gets unless told otherwise (Mailcow's defaults are
# similar: day-to-day mailbox work allowed, nothing that reaches outside the domain).
DEFAULT_PERMISSIONS = ("mailboxes", "mailbox_quota", "aliases", "alias_domains", "resources",
                       "syncjobs", "filters", "quarantine", "app_passwds", "spam_policy",
                       "spam_alias")


def clean(keys) -> list[str]:
    """Known keys only, in the canonical order."""
    wanted = set(keys or ())
    return [k for k in PERMISSIONS if k in wanted]
