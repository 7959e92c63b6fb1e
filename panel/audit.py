"""Writes the audit trail: who changed what, from where, and what Mailcow answered."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from flask import has_request_context, request
from flask_login import current_user

from panel.extensions import db
from panel.mailcow.errors import MailcowError
from panel.models import AuditEvent

if TYPE_CHECKING:
    from panel.mailcow import Outcome

SECRET_WORDS = ("password", "secret", "key", "token")
REDACTED = "[redacted]"


def redact(changes: dict[str, Any] | None) -> dict[str, Any] | None:
    if changes is None:
        return None
    return {k: (REDACTED if any(w in k.lower() for w in SECRET_WORDS) else v)
            for k, v in changes.items()}


def record(action: str, *, target: str | None = None, domain: str | None = None,
           changes: dict[str, Any] | None = None, outcome: str = "ok",
           detail: str | None = None, actor: str | None = None) -> AuditEvent:
    """Store one event; commits at once so a failing request still leaves its trace."""
    if actor is None:
        actor = current_user.username if has_request_context() and \
            current_user.is_authenticated else "system"
    event = AuditEvent(
        actor=actor,
        remote_addr=request.remote_addr if has_request_context() else None,
        action=action,
        target=target,
        domain=domain,
        changes=redact(changes),
        outcome=outcome,
        detail=(detail or "")[:2000] or None,
    )
    session = db.session()
    session.add(event)
    session.commit()
    return event


def audited(action: str, *, target: str, domain: str | None, call: Callable[[], "Outcome"],
            changes: dict[str, Any] | None = None, actor: str | None = None) -> "Outcome":
    """Run a Mailcow change and record it with Mailcow's answer; a refusal or outage is
    recorded as failed and raised again for the caller to show."""
    try:
        outcome = call()
    except MailcowError as exc:
        record(action, target=target, domain=domain, changes=changes, outcome="failed",
               detail=exc.message, actor=actor)
        raise
    record(action, target=target, domain=domain, changes=changes,
           detail="; ".join(outcome.messages + outcome.warnings), actor=actor)
    return outcome
