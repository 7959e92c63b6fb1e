"""Domain use cases: add, edit, delete — each recorded in the audit trail."""
from __future__ import annotations

from dataclasses import asdict

from panel.access import visible_domains
from panel.audit import audited
from panel.mailcow import Mailcow, NotFound, Outcome
from panel.mailcow.domains import Domain, DomainSettings
from panel.mailcow.paging import Page, PageRequest

SORT_KEYS = {
    "domain": lambda d: d.name,
    "mailboxes": lambda d: d.mailboxes,
    "aliases": lambda d: d.aliases,
    "quota": lambda d: d.quota_total,
    "active": lambda d: d.active,
}


def list_domains(mc: Mailcow, user, req: PageRequest) -> Page[Domain]:
    """A page of the domains `user` may see.

    Global administrators page through Mailcow's `search/domain`. A domain
    administrator's few domains are read one by one and paged here, because
    Mailcow's search cannot be limited to a set of domains.
    """
    scope = visible_domains(user)
    if scope is None:
        return mc.domains.search(req)
    found = []
    for name in sorted(scope):
        try:
            found.append(mc.domains.get(name))
        except NotFound:
            continue  # assigned in MailApp but gone from Mailcow
    needle = req.search.lower()
    if needle:
        found = [d for d in found if needle in d.name or any(needle in t.lower() for t in d.tags)]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["domain"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def create_domain(mc: Mailcow, name: str, settings: DomainSettings, dkim_selector: str,
                  dkim_key_size: int) -> Outcome:
    changes = {**asdict(settings), "dkim_selector": dkim_selector, "dkim_key_size": dkim_key_size}
    return audited("domain.create", target=name, domain=name, changes=changes,
                   call=lambda: mc.domains.add(name, settings, dkim_selector, dkim_key_size))


def update_domain(mc: Mailcow, before: Domain, settings: DomainSettings) -> Outcome:
    old = asdict(DomainSettings.of(before))
    new = asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}

    def call() -> Outcome:
        outcome = mc.domains.edit(before.name, settings)
        # Mailcow's edit only adds tags; removed ones need their own call.
        dropped = [t for t in before.tags if t not in settings.tags]
        if dropped:
            mc.domains.remove_tags(before.name, dropped)
        return outcome

    return audited("domain.update", target=before.name, domain=before.name, changes=changes,
                   call=call)


def delete_domain(mc: Mailcow, name: str) -> Outcome:
    return audited("domain.delete", target=name, domain=name,
                   call=lambda: mc.domains.delete([name]))
