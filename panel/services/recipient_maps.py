"""Recipient map use cases (global administrators only): list, add, edit, delete, bulk."""
from __future__ import annotations

from dataclasses import asdict

from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.recipient_maps import RecipientMap, RecipientMapSettings
from panel.services.fetched_lists import BulkResult, bulk_by_ids, paginate

BULK_ACTIONS = ("activate", "deactivate", "delete")
SORT_KEYS = {
    "old": lambda m: m.old_display.lower(),
    "new": lambda m: (m.new.lower(), m.old_display.lower()),
    "active": lambda m: (m.active, m.old_display.lower()),
}


def _domain(value: str) -> str:
    return value.lstrip("@").rpartition("@")[2].lower()


def list_maps(mc: Mailcow, req: PageRequest) -> Page[RecipientMap]:
    return paginate(mc.recipient_maps.all(), req, SORT_KEYS, "old", lambda m: (m.old, m.new))


def find(mc: Mailcow, map_id: int) -> RecipientMap | None:
    return next((m for m in mc.recipient_maps.all() if m.id == map_id), None)


def create_map(mc: Mailcow, settings: RecipientMapSettings) -> Outcome:
    return audited("recipient_map.create", target=settings.old, domain=_domain(settings.old),
                   changes=asdict(settings), call=lambda: mc.recipient_maps.add(settings))


def update_map(mc: Mailcow, before: RecipientMap, settings: RecipientMapSettings) -> Outcome:
    old, new = asdict(RecipientMapSettings.of(before)), asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    return audited("recipient_map.update", target=before.old_display,
                   domain=_domain(before.old), changes=changes,
                   call=lambda: mc.recipient_maps.edit(before.id, settings))


def delete_map(mc: Mailcow, m: RecipientMap) -> Outcome:
    return audited("recipient_map.delete", target=m.old_display, domain=_domain(m.old),
                   changes={"new": m.new}, call=lambda: mc.recipient_maps.delete([m.id]))


def bulk(mc: Mailcow, action: str, maps: list[RecipientMap]) -> BulkResult[RecipientMap]:
    """All of them in ONE Mailcow call."""
    assert action in BULK_ACTIONS
    return bulk_by_ids(action, maps, delete=mc.recipient_maps.delete,
                       set_active=mc.recipient_maps.set_active_many,
                       reread=mc.recipient_maps.all, event="recipient_map",
                       audit_target=lambda m: {"target": m.old_display,
                                               "domain": _domain(m.old)})
