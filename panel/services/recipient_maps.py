"""Recipient map use cases (global administrators only): list, add, edit, delete, bulk."""
from __future__ import annotations

from dataclasses import asdict

from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.recipient_maps import RecipientMap, RecipientMapSettings
from panel.services.fetched_lists import BulkResult, paginate

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
    """All of them in ONE Mailcow call; after a refusal the maps are read again."""
    assert action in BULK_ACTIONS
    ids = [m.id for m in maps]
    try:
        if action == "delete":
            mc.recipient_maps.delete(ids)
        else:
            mc.recipient_maps.set_active_many(ids, action == "activate")
    except MailcowRefused as exc:
        now = {m.id: m for m in mc.recipient_maps.all()}
        if action == "delete":
            failed = [m for m in maps if m.id in now]
        else:
            failed = [m for m in maps if m.id not in now
                      or now[m.id].active != (action == "activate")]
        result = BulkResult([m for m in maps if m not in failed], failed, exc.messages)
    else:
        result = BulkResult(list(maps), [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": action == "activate"}
    for m in result.done:
        record(f"recipient_map.{verb}", target=m.old_display, domain=_domain(m.old),
               changes=changes, detail=f"bulk {action} of {len(maps)}")
    for m in result.failed:
        record(f"recipient_map.{verb}", target=m.old_display, domain=_domain(m.old),
               changes=changes, outcome="failed", detail="; ".join(result.messages))
    return result
