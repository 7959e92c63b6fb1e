"""TLS policy map use cases (global administrators only): list, add, edit, delete, bulk."""
from __future__ import annotations

from dataclasses import asdict

from flask_babel import lazy_gettext as _l

from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.tls_policy import POLICIES, TlsPolicyMap, TlsPolicySettings
from panel.services.fetched_lists import BulkResult, paginate, worded, worded_call

BULK_ACTIONS = ("activate", "deactivate", "delete")
SORT_KEYS = {
    "dest": lambda m: m.dest.lower(),
    "policy": lambda m: (POLICIES.index(m.policy) if m.policy in POLICIES else 99,
                         m.dest.lower()),
    "parameters": lambda m: (m.parameters, m.dest.lower()),
    "active": lambda m: (m.active, m.dest.lower()),
}
# Mailcow reuses the recipient-map key when an edit collides with another destination.
REFUSALS = {"recipient_map_entry_exists": _l("A TLS policy map for this destination "
                                             "already exists")}


def list_maps(mc: Mailcow, req: PageRequest) -> Page[TlsPolicyMap]:
    return paginate(mc.tls_policy.all(), req, SORT_KEYS, "dest",
                    lambda m: (m.dest, m.policy, m.parameters))


def find(mc: Mailcow, map_id: int) -> TlsPolicyMap | None:
    return next((m for m in mc.tls_policy.all() if m.id == map_id), None)


def create_map(mc: Mailcow, settings: TlsPolicySettings) -> Outcome:
    return audited("tls_policy.create", target=settings.dest, domain=None,
                   changes=asdict(settings),
                   call=worded_call(lambda: mc.tls_policy.add(settings), REFUSALS))


def update_map(mc: Mailcow, before: TlsPolicyMap, settings: TlsPolicySettings) -> Outcome:
    old, new = asdict(TlsPolicySettings.of(before)), asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    return audited("tls_policy.update", target=before.dest, domain=None, changes=changes,
                   call=worded_call(lambda: mc.tls_policy.edit(before.id, settings), REFUSALS))


def delete_map(mc: Mailcow, m: TlsPolicyMap) -> Outcome:
    return audited("tls_policy.delete", target=m.dest, domain=None,
                   changes={"policy": m.policy, "parameters": m.parameters},
                   call=worded_call(lambda: mc.tls_policy.delete([m.id]), REFUSALS))


def bulk(mc: Mailcow, action: str, maps: list[TlsPolicyMap]) -> BulkResult[TlsPolicyMap]:
    """All of them in ONE Mailcow call; after a refusal the maps are read again."""
    assert action in BULK_ACTIONS
    ids = [m.id for m in maps]
    try:
        if action == "delete":
            mc.tls_policy.delete(ids)
        else:
            mc.tls_policy.set_active_many(ids, action == "activate")
    except MailcowRefused as exc:
        now = {m.id: m for m in mc.tls_policy.all()}
        if action == "delete":
            failed = [m for m in maps if m.id in now]
        else:
            failed = [m for m in maps if m.id not in now
                      or now[m.id].active != (action == "activate")]
        result = BulkResult([m for m in maps if m not in failed], failed,
                            worded(exc, REFUSALS).messages)
    else:
        result = BulkResult(list(maps), [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": action == "activate"}
    for m in result.done:
        record(f"tls_policy.{verb}", target=m.dest, changes=changes,
               detail=f"bulk {action} of {len(maps)}")
    for m in result.failed:
        record(f"tls_policy.{verb}", target=m.dest, changes=changes, outcome="failed",
               detail="; ".join(result.messages))
    return result
