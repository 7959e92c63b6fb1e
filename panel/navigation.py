"""The navigation: MailApp's areas in Mailcow's order; only built areas are linked."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from panel.access import rule_for


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str


# Areas are added here as their blueprints land; an entry whose endpoint does not
# exist (yet) is simply left out.
AREAS = [
    NavItem("home.root", _l("Home")),
    NavItem("containers.index", _l("Containers")),
    NavItem("domains.index", _l("Domains")),
    NavItem("mailboxes.index", _l("Mailboxes")),
    NavItem("aliases.index", _l("Aliases")),
    NavItem("alias_domains.index", _l("Domain aliases")),
    NavItem("resources.index", _l("Resources")),
    NavItem("syncjobs.index", _l("Sync jobs")),
    NavItem("filters.index", _l("Filters")),
    NavItem("bcc.index", _l("BCC")),
    NavItem("recipient_maps.index", _l("Recipient maps")),
    NavItem("tls_policy.index", _l("TLS policy")),
    NavItem("ratelimits.index", _l("Rate limits")),
    NavItem("queue.index", _l("Queue")),
    NavItem("quarantine.index", _l("Quarantine")),
    NavItem("logs.index", _l("Logs")),
    NavItem("fail2ban.index", _l("Fail2ban")),
    NavItem("routing.index", _l("Routing")),
    NavItem("fwdhosts.index", _l("Forwarding hosts")),
    NavItem("admins.index", _l("Administrators")),
    NavItem("domain_admins.index", _l("Domain administrators")),
    NavItem("api_keys.index", _l("API keys")),
    NavItem("account.security_policy", _l("Sign-in policy")),
    NavItem("password_policy.index", _l("Password policy")),
    NavItem("mail_templates.index", _l("Mail templates")),
    NavItem("oauth2.index", _l("OAuth2")),
    NavItem("dkim.index", _l("DKIM")),
    NavItem("dns.index", _l("DNS")),
    NavItem("audit.index", _l("Audit log")),
]


def navigation() -> list[tuple[str, str, str]]:
    """(endpoint, label, url) for each built area the current user may open."""
    items = []
    for item in AREAS:
        if item.endpoint not in current_app.view_functions:
            continue
        rule = rule_for(item.endpoint)
        if rule is None or not rule.allows(current_user):
            continue
        items.append((item.endpoint, str(item.label), url_for(item.endpoint)))
    return items
