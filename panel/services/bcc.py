"""BCC map use cases: list (searched and paged here), add, edit, delete, bulk — all audited.

Domain administrators see and change only the maps whose local destination lies in their
domains (Mailcow files each map under that domain).
"""
from __future__ import annotations

from dataclasses import asdict

from flask_babel import lazy_gettext as _l

from panel.access import visible_domains
from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.bcc import BccMap, BccSettings
from panel.mailcow.paging import Page, PageRequest
from panel.services.fetched_lists import BulkResult, bulk_by_ids, paginate, worded_call

BULK_ACTIONS = ("activate", "deactivate", "delete")
SORT_KEYS = {
    "local": lambda m: (m.local_display.lower(), m.type),
    "type": lambda m: (m.type, m.local_display.lower()),
    "bcc": lambda m: (m.bcc_dest.lower(), m.local_display.lower()),
    "domain": lambda m: (m.domain, m.local_display.lower()),
    "active": lambda m: (m.active, m.local_display.lower()),
}
# On add, Mailcow answers "access_denied" when the local destination is no domain,
# mailbox or alias it knows (or not one the caller manages).
REFUSALS = {
    "access_denied": _l("The local destination must be a domain, or the address of a mailbox "
                        "or alias, on this server"),
}


def local_domain(local_dest: str) -> str:
    """The domain a local destination belongs to: the part after "@", or the domain itself."""
    value = local_dest.strip().lower()
    return value.rpartition("@")[2] if "@" in value else value


def visible(mc: Mailcow, user) -> list[BccMap]:
    scope = visible_domains(user)
    found = mc.bcc.all()
    return found if scope is None else [m for m in found if m.domain in scope]


def list_maps(mc: Mailcow, user, req: PageRequest) -> Page[BccMap]:
    return paginate(visible(mc, user), req, SORT_KEYS, "local",
                    lambda m: (m.local_dest, m.bcc_dest, m.type, m.domain))


def find(mc: Mailcow, user, map_id: int) -> BccMap | None:
    return next((m for m in visible(mc, user) if m.id == map_id), None)


def create_map(mc: Mailcow, settings: BccSettings) -> Outcome:
    return audited("bcc.create", target=f"{settings.local_dest} ({settings.type})",
                   domain=local_domain(settings.local_dest), changes=asdict(settings),
                   call=worded_call(lambda: mc.bcc.add(settings), REFUSALS))


def update_map(mc: Mailcow, before: BccMap, settings: BccSettings) -> Outcome:
    old, new = asdict(BccSettings.of(before)), asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if k != "local_dest" and old.get(k) != new[k]}
    return audited("bcc.update", target=f"{before.local_display} ({before.type})",
                   domain=before.domain, changes=changes,
                   call=lambda: mc.bcc.edit(before.id, settings))


def delete_map(mc: Mailcow, m: BccMap) -> Outcome:
    return audited("bcc.delete", target=f"{m.local_display} ({m.type})", domain=m.domain,
                   changes={"bcc_dest": m.bcc_dest},
                   call=lambda: mc.bcc.delete([m.id]))


def bulk(mc: Mailcow, action: str, maps: list[BccMap]) -> BulkResult[BccMap]:
    """Activate, deactivate or delete all of them in ONE Mailcow call."""
    assert action in BULK_ACTIONS
    return bulk_by_ids(action, maps, delete=mc.bcc.delete, set_active=mc.bcc.set_active_many,
                       reread=mc.bcc.all, event="bcc",
                       audit_target=lambda m: {"target": f"{m.local_display} ({m.type})",
                                               "domain": m.domain})
