"""The navigation: MailApp's areas in sections; only built areas the user may open are linked."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from panel.access import rule_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


# Areas are added here as their blueprints land; an entry whose endpoint does not
# exist (yet) is simply left out, and so is a section left with no entry.
SECTIONS = [
    (_l("Overview"), [
        NavItem("home.root", _l("Home")),
    ]),
    (_l("Mail setup"), [
        NavItem("domains.index", _l("Domains")),
        NavItem("mailboxes.index", _l("Mailboxes")),
        NavItem("aliases.index", _l("Aliases")),
        NavItem("alias_domains.index", _l("Domain aliases")),
        NavItem("resources.index", _l("Resources")),
        NavItem("syncjobs.index", _l("Sync jobs")),
        NavItem("filters.index", _l("Filters")),
    ]),
    (_l("Mail flow"), [
        NavItem("bcc.index", _l("BCC")),
        NavItem("recipient_maps.index", _l("Recipient maps")),
        NavItem("tls_policy.index", _l("TLS policy")),
        NavItem("routing.index", _l("Routing")),
        NavItem("fwdhosts.index", _l("Forwarding hosts")),
        NavItem("ratelimits.index", _l("Rate limits")),
        NavItem("dkim.index", _l("DKIM")),
        NavItem("quarantine.index", _l("Quarantine")),
    ]),
    (_l("Operations"), [
        NavItem("containers.index", _l("Containers")),
        NavItem("queue.index", _l("Queue")),
        NavItem("logs.index", _l("Logs")),
        NavItem("fail2ban.index", _l("Fail2ban")),
        NavItem("dns.index", _l("DNS")),
    ]),
    (_l("Access and settings"), [
        NavItem("admins.index", _l("Administrators")),
        NavItem("domain_admins.index", _l("Domain administrators")),
        NavItem("api_keys.index", _l("API keys")),
        NavItem("account.security_policy", _l("Sign-in policy")),
        NavItem("password_policy.index", _l("Password policy")),
        NavItem("mail_templates.index", _l("Mail templates")),
        NavItem("oauth2.index", _l("OAuth2")),
        NavItem("audit.index", _l("Audit log")),
    ]),
]


def navigation() -> list[tuple[str, list[tuple[str, str, str]]]]:
    """(section label, [(endpoint, label, url), ...]) for the built areas the current user
    may open, sections without any left out. Worked out once a request: the phone menu
    and the sidebar both show it."""
    if "navigation" not in g:
        g.navigation = _sections()
    return g.navigation


def _sections() -> list[tuple[str, list[tuple[str, str, str]]]]:
    sections = []
    for title, items in SECTIONS:
        allowed = [(item.endpoint, str(item.label), url_for(item.endpoint))
                   for item in items if _may_open(item.endpoint)]
        if allowed:
            sections.append((str(title), allowed))
    return sections


def _may_open(endpoint: str) -> bool:
    if endpoint not in current_app.view_functions:
        return False
    rule = rule_for(endpoint)
    return rule is not None and rule.allows(current_user)
