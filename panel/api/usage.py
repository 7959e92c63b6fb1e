"""API use in the audit trail: every change made with a key is an `api.<action>` event."""
from __future__ import annotations

from typing import Callable

from panel.api.auth import current_principal
from panel.audit import record
from panel.mailcow import MailcowError, Outcome


def audited(action: str, *, target: str, domain: str | None, call: Callable[[], Outcome],
            changes: dict | None = None) -> Outcome:
    """Run a Mailcow change and record it, failed or not, as `api.<action>`."""
    actor = current_principal().username
    try:
        outcome = call()
    except MailcowError as exc:
        record(f"api.{action}", target=target, domain=domain, changes=changes,
               outcome="failed", detail=exc.message, actor=actor)
        raise
    record(f"api.{action}", target=target, domain=domain, changes=changes,
           detail="; ".join(outcome.messages + outcome.warnings), actor=actor)
    return outcome
