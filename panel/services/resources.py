"""Resource use cases: list (searched and paged here), add, edit, delete, bulk — all audited."""
from __future__ import annotations

from dataclasses import asdict, dataclass

from flask_babel import lazy_gettext as _l

from panel.access import visible_domains
from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.resources import Resource, ResourceSettings, added_name, address_part

BULK_ACTIONS = ("activate", "deactivate", "delete")
SORT_KEYS = {
    "description": lambda r: (r.description.lower(), r.name.lower()),
    "name": lambda r: r.name.lower(),
    "kind": lambda r: (r.kind, r.description.lower()),
    "domain": lambda r: (r.domain, r.description.lower()),
    "bookings": lambda r: (r.booking_mode, r.booking_limit or 0),
    "active": lambda r: (r.active, r.description.lower()),
}
# Mailcow's resource refusals that panel.mailcow.messages does not word.
REFUSALS = {
    "resource_invalid": _l("The description must contain a letter or digit, and the kind must "
                           "be location, group or thing"),
    "description_invalid": _l("The description is not valid"),
}


def visible(mc: Mailcow, user) -> list[Resource]:
    """Every resource `user` may see (one `get/resource/all`; Mailcow cannot narrow it)."""
    scope = visible_domains(user)
    return mc.resources.all() if scope is None else mc.resources.in_domains(sorted(scope))


def matches(resource: Resource, needle: str) -> bool:
    needle = needle.lower()
    return any(needle in value.lower() for value in
               (resource.description, resource.name, resource.kind))


def list_resources(mc: Mailcow, user, req: PageRequest, domain: str = "") -> Page[Resource]:
    """A page of the resources `user` may see, optionally of one domain."""
    found = visible(mc, user)
    if domain:
        found = [r for r in found if r.domain.lower() == domain.lower()]
    if req.search:
        found = [r for r in found if matches(r, req.search)]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["description"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _worded(exc: MailcowRefused) -> MailcowRefused:
    """The refusal with resource keys in words; other keys are worded already."""
    messages = [str(REFUSALS[key]) if key in REFUSALS else message
                for message, key in zip(exc.messages, exc.keys, strict=False)]
    return MailcowRefused(messages, exc.keys)


def _worded_call(call):
    """The Mailcow call, its refusals worded (so the audit trail and banner read well)."""
    def run() -> Outcome:
        try:
            return call()
        except MailcowRefused as exc:
            raise _worded(exc) from exc
    return run


def create_resource(mc: Mailcow, domain: str, settings: ResourceSettings) -> str:
    """Add the resource; returns its address as Mailcow made it."""
    predicted = f"{address_part(settings.description)}@{domain}"
    outcome = audited("resource.create", target=predicted, domain=domain,
                      changes=asdict(settings),
                      call=_worded_call(lambda: mc.resources.add(domain, settings)))
    return added_name(outcome) or predicted


def update_resource(mc: Mailcow, before: Resource, settings: ResourceSettings) -> Outcome:
    old, new = asdict(ResourceSettings.of(before)), asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    return audited("resource.update", target=before.name, domain=before.domain,
                   changes=changes,
                   call=_worded_call(lambda: mc.resources.edit(before.name, settings)))


def delete_resource(mc: Mailcow, resource: Resource) -> Outcome:
    return audited("resource.delete", target=resource.name, domain=resource.domain,
                   changes={"description": resource.description, "kind": resource.kind},
                   call=_worded_call(lambda: mc.resources.delete([resource.name])))


@dataclass
class BulkResult:
    done: list[Resource]
    failed: list[Resource]
    messages: list[str]   # Mailcow's reasons for the failures


def bulk(mc: Mailcow, action: str, resources: list[Resource]) -> BulkResult:
    """Activate, deactivate or delete all of them in ONE Mailcow call.

    Mailcow's failure messages do not always name their item, so after a refusal the
    resources are read again to tell which ones were changed.
    """
    assert action in BULK_ACTIONS
    names = [r.name for r in resources]
    try:
        if action == "delete":
            mc.resources.delete(names)
        else:
            mc.resources.set_active_many(names, action == "activate")
    except MailcowRefused as exc:
        now = {r.name.lower(): r for r in mc.resources.in_domains(
            sorted({r.domain for r in resources}))}
        if action == "delete":
            failed = [r for r in resources if r.name.lower() in now]
        else:
            failed = [r for r in resources if r.name.lower() not in now
                      or now[r.name.lower()].active != (action == "activate")]
        result = BulkResult([r for r in resources if r not in failed], failed,
                            _worded(exc).messages)
    else:
        result = BulkResult(list(resources), [], [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": action == "activate"}
    for resource in result.done:
        record(f"resource.{verb}", target=resource.name, domain=resource.domain,
               changes=changes, detail=f"bulk {action} of {len(resources)}")
    for resource in result.failed:
        record(f"resource.{verb}", target=resource.name, domain=resource.domain,
               changes=changes, outcome="failed", detail="; ".join(result.messages))
    return result
