"""Alias domain use cases: list, add, activate/deactivate, delete — each audited."""
from __future__ import annotations

from dataclasses import dataclass

from panel.access import visible_domains
from panel.audit import record
from panel.mailcow import Mailcow, MailcowError, MailcowRefused, Outcome
from panel.mailcow.alias_domains import AliasDomain
from panel.mailcow.paging import Page, PageRequest
from panel.services.aliases import invalidate as invalidate_aliases

SORT_KEYS = {
    "alias_domain": lambda d: d.name,
    "target_domain": lambda d: (d.target_domain, d.name),
    "active": lambda d: (d.active, d.name),
}
BULK_ACTIONS = ("activate", "deactivate", "delete")


def visible(mc: Mailcow, user) -> list[AliasDomain]:
    """The alias domains whose target domain `user` may see."""
    scope = visible_domains(user)
    found = mc.alias_domains.all()
    if scope is None:
        return found
    return [d for d in found if d.target_domain.lower() in scope]


def list_alias_domains(mc: Mailcow, user, req: PageRequest) -> Page[AliasDomain]:
    found = visible(mc, user)
    needle = req.search.lower()
    if needle:
        found = [d for d in found if needle in d.name or needle in d.target_domain]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["alias_domain"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _audited(action: str, name: str, domain: str, changes: dict | None, call) -> Outcome:
    try:
        outcome = call()
    except MailcowError as exc:
        record(action, target=name, domain=domain, changes=changes, outcome="failed",
               detail=exc.message)
        raise
    record(action, target=name, domain=domain, changes=changes,
           detail="; ".join(outcome.messages + outcome.warnings))
    return outcome


def create_alias_domain(mc: Mailcow, name: str, target_domain: str, active: bool) -> Outcome:
    return _audited("alias_domain.create", name, target_domain,
                    {"target_domain": target_domain, "active": active},
                    lambda: mc.alias_domains.add(name, target_domain, active))


def set_active(mc: Mailcow, alias_domain: AliasDomain, active: bool) -> Outcome:
    return _audited("alias_domain.update", alias_domain.name, alias_domain.target_domain,
                    {"active": [alias_domain.active, active]},
                    lambda: mc.alias_domains.set_active([alias_domain.name], active))


def delete_alias_domain(mc: Mailcow, alias_domain: AliasDomain) -> Outcome:
    try:
        return _audited("alias_domain.delete", alias_domain.name, alias_domain.target_domain,
                        None, lambda: mc.alias_domains.delete([alias_domain.name]))
    finally:
        invalidate_aliases(mc)  # Mailcow deletes the alias domain's aliases with it


@dataclass
class BulkResult:
    done: list[AliasDomain]
    failed: list[AliasDomain]
    messages: list[str]


def bulk(mc: Mailcow, action: str, chosen: list[AliasDomain]) -> BulkResult:
    """Activate, deactivate or delete all of them in ONE Mailcow call; after a refusal the
    list is read again to tell which ones were changed."""
    assert action in BULK_ACTIONS
    names = [d.name for d in chosen]
    try:
        if action == "delete":
            mc.alias_domains.delete(names)
        else:
            mc.alias_domains.set_active(names, action == "activate")
    except MailcowRefused as exc:
        now = {d.name: d for d in mc.alias_domains.all()}
        if action == "delete":
            failed = [d for d in chosen if d.name in now]
        else:
            failed = [d for d in chosen if d.name not in now
                      or now[d.name].active != (action == "activate")]
        result = BulkResult([d for d in chosen if d not in failed], failed, exc.messages)
    else:
        result = BulkResult(list(chosen), [], [])
    finally:
        if action == "delete":
            invalidate_aliases(mc)
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": action == "activate"}
    for d in result.done:
        record(f"alias_domain.{verb}", target=d.name, domain=d.target_domain, changes=changes,
               detail=f"bulk {action} of {len(chosen)}")
    for d in result.failed:
        record(f"alias_domain.{verb}", target=d.name, domain=d.target_domain, changes=changes,
               outcome="failed", detail="; ".join(result.messages))
    return result
