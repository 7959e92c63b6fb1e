"""API use in the audit trail: every change made with a key is an `api.<action>` event."""
from __future__ import annotations

from typing import Callable

from panel import audit
from panel.api.auth import current_principal
from panel.mailcow import Outcome


def audited(action: str, *, target: str, domain: str | None, call: Callable[[], Outcome],
            changes: dict | None = None) -> Outcome:
    """Run a Mailcow change and record it, failed or not, as `api.<action>`."""
    return audit.audited(f"api.{action}", target=target, domain=domain, call=call,
                         changes=changes, actor=current_principal().username)
