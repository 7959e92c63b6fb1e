"""Domain use cases: add, edit, delete — each recorded in the audit trail."""
from __future__ import annotations

from dataclasses import asdict

from panel.audit import record
from panel.mailcow import Mailcow, MailcowError, Outcome
from panel.mailcow.domains import Domain, DomainSettings


def _audited(action: str, domain: str, changes: dict | None, call) -> Outcome:
    try:
        outcome = call()
    except MailcowError as exc:
        record(action, target=domain, domain=domain, changes=changes, outcome="failed",
               detail=exc.message)
        raise
    record(action, target=domain, domain=domain, changes=changes,
           detail="; ".join(outcome.messages + outcome.warnings))
    return outcome


def create_domain(mc: Mailcow, name: str, settings: DomainSettings, dkim_selector: str,
                  dkim_key_size: int) -> Outcome:
    changes = {**asdict(settings), "dkim_selector": dkim_selector, "dkim_key_size": dkim_key_size}
    return _audited("domain.create", name, changes,
                    lambda: mc.domains.add(name, settings, dkim_selector, dkim_key_size))


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

    return _audited("domain.update", before.name, changes, call)


def delete_domain(mc: Mailcow, name: str) -> Outcome:
    return _audited("domain.delete", name, None, lambda: mc.domains.delete([name]))
