"""Routing use cases: sender-dependent transports and transport maps — listed, added,
edited and deleted, every change audited without its password."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.relayhosts import Relayhost, RelayhostSettings
from panel.mailcow.transports import Transport, TransportSettings

RELAYHOST_SORT = {
    "id": lambda r: r.id,
    "hostname": lambda r: (r.hostname.lower(), r.id),
    "username": lambda r: (r.username.lower(), r.id),
    "used": lambda r: (len(r.used_by_domains) + len(r.used_by_mailboxes), r.id),
    "active": lambda r: (r.active, r.id),
}
TRANSPORT_SORT = {
    "id": lambda t: t.id,
    "destination": lambda t: (t.destination.lower(), t.id),
    "nexthop": lambda t: (t.nexthop.lower(), t.id),
    "username": lambda t: (t.username.lower(), t.id),
    "active": lambda t: (t.active, t.id),
}


def _page(found: list, req: PageRequest, sort_keys: dict, default: str) -> Page:
    found.sort(key=sort_keys.get(req.sort, sort_keys[default]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def list_relayhosts(mc: Mailcow, req: PageRequest) -> Page[Relayhost]:
    """Mailcow returns them whole (`get/relayhost/all`); searched and paged here."""
    found = mc.relayhosts.all()
    if req.search:
        needle = req.search.lower()
        found = [r for r in found if any(needle in v.lower() for v in (
            r.hostname, r.username, *r.used_by_domains, *r.used_by_mailboxes))]
    return _page(found, req, RELAYHOST_SORT, "id")


def list_transports(mc: Mailcow, req: PageRequest) -> Page[Transport]:
    found = mc.transports.all()
    if req.search:
        needle = req.search.lower()
        found = [t for t in found if any(needle in v.lower() for v in (
            t.destination, t.nexthop, t.username))]
    return _page(found, req, TRANSPORT_SORT, "id")


def _changes(before: dict, after: dict) -> dict:
    """What an edit changes; the password only as "password set" / "password cleared"."""
    changes: dict = {k: [before.get(k), v] for k, v in after.items()
                     if k != "credentials" and before.get(k) != v}
    if after.get("credentials", "unchanged") != "unchanged":
        changes["credentials"] = after["credentials"]
    return changes


def create_relayhost(mc: Mailcow, settings: RelayhostSettings) -> Outcome:
    return audited("relayhost.create", target=settings.hostname, domain=None,
                   changes=settings.audit_view(), call=lambda: mc.relayhosts.add(settings))


def update_relayhost(mc: Mailcow, before: Relayhost, settings: RelayhostSettings) -> Outcome:
    old = {"hostname": before.hostname, "username": before.username, "active": before.active}
    return audited("relayhost.update", target=f"{before.id} {before.hostname}", domain=None,
                   changes=_changes(old, settings.audit_view()),
                   call=lambda: mc.relayhosts.edit(before.id, settings))


def delete_relayhost(mc: Mailcow, relayhost: Relayhost) -> Outcome:
    return audited("relayhost.delete", target=f"{relayhost.id} {relayhost.hostname}",
                   domain=None,
                   changes={"hostname": relayhost.hostname, "username": relayhost.username,
                            "used_by_domains": list(relayhost.used_by_domains),
                            "used_by_mailboxes": list(relayhost.used_by_mailboxes)},
                   call=lambda: mc.relayhosts.delete([relayhost.id]))


def create_transport(mc: Mailcow, settings: TransportSettings) -> Outcome:
    return audited("transport.create", target=settings.destination, domain=None,
                   changes=settings.audit_view(), call=lambda: mc.transports.add(settings))


def update_transport(mc: Mailcow, before: Transport, settings: TransportSettings) -> Outcome:
    old = {"destination": before.destination, "nexthop": before.nexthop,
           "username": before.username, "is_mx_based": before.is_mx_based,
           "active": before.active}
    return audited("transport.update", target=f"{before.id} {before.destination}",
                   domain=None, changes=_changes(old, settings.audit_view()),
                   call=lambda: mc.transports.edit(before.id, settings))


def delete_transport(mc: Mailcow, transport: Transport) -> Outcome:
    return audited("transport.delete", target=f"{transport.id} {transport.destination}",
                   domain=None,
                   changes={"destination": transport.destination, "nexthop": transport.nexthop},
                   call=lambda: mc.transports.delete([transport.id]))


def relayhost_choices(mc: Mailcow, current: int,
                      default_label: str | None = None) -> list[tuple[int, str]]:
    """(id, label) for a relay picker: 0 the default route, then every sender-dependent
    transport; a chosen one that no longer exists is named as deleted."""
    known = mc.relayhosts.all()
    choices = [(0, default_label or str(_l("Default route (no sender-dependent transport)")))]
    choices += [(r.id, r.hostname + ("" if r.active else " " + str(_l("(inactive)"))))
                for r in known]
    if current and current not in {r.id for r in known}:
        choices.append((current, str(_l("Transport %(id)s (deleted)", id=current))))
    return choices


def shared_next_hop(mc: Mailcow, nexthop: str, except_id: int | None = None) -> list[Transport]:
    """Other entries with this next hop: Mailcow gives them the same credentials."""
    return [t for t in mc.transports.all() if t.nexthop == nexthop and t.id != except_id]
