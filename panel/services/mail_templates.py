"""Saving the quota-warning and password-reset mails, and MailApp's copy of them.

Mailcow's API cannot read these settings back, so MailApp keeps what it last saved (in
its `setting` table, with who saved it and when) to fill the forms. A change made in
Mailcow's own admin page is not seen here; the page says so.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Generic, TypeVar

from panel.audit import audited
from panel.extensions import db
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.mail_templates import PasswordResetNotification, QuotaNotification
from panel.models import Setting

QUOTA_KEY = "mailcow.quota_notification"
RESET_KEY = "mailcow.password_reset_notification"
T = TypeVar("T", QuotaNotification, PasswordResetNotification)


@dataclass(frozen=True)
class Saved(Generic[T]):
    settings: T
    saved_by: str | None = None
    saved_at: datetime | None = None

    @property
    def known(self) -> bool:
        """False until MailApp has saved these settings once."""
        return self.saved_at is not None


def _load(key: str, kind: type[T]) -> Saved[T]:
    row = db.session.get(Setting, key)
    value = row.value if row is not None and isinstance(row.value, dict) else None
    if not value:
        return Saved(kind())
    fields = {k: str(value.get(k) or "") for k in kind.__dataclass_fields__}
    try:
        at = datetime.fromisoformat(value["saved_at"])
    except (KeyError, TypeError, ValueError):
        at = None
    return Saved(kind(**fields), value.get("saved_by"), at)


def _store(key: str, settings, actor: str) -> None:
    session = db.session()
    value = {**asdict(settings), "saved_by": actor,
             "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds")}
    row = session.get(Setting, key)
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.commit()


def quota_notification() -> Saved[QuotaNotification]:
    return _load(QUOTA_KEY, QuotaNotification)


def password_reset() -> Saved[PasswordResetNotification]:
    return _load(RESET_KEY, PasswordResetNotification)


def _changes(before, after) -> dict:
    old, new = asdict(before), asdict(after)
    # Templates can be long: the trail says which fields changed, not their text.
    return {k: ("changed" if k in ("html", "text") else [old[k], new[k]])
            for k in new if old[k] != new[k]}


def save_quota_notification(mc: Mailcow, settings: QuotaNotification, actor: str) -> Outcome:
    before = quota_notification().settings
    outcome = audited("mail_template.quota_notification", target="quota notification",
                      domain=None, changes=_changes(before, settings),
                      call=lambda: mc.mail_templates.save_quota_notification(settings))
    _store(QUOTA_KEY, settings, actor)
    return outcome


def save_password_reset(mc: Mailcow, settings: PasswordResetNotification,
                        actor: str) -> Outcome:
    before = password_reset().settings
    outcome = audited("mail_template.password_reset", target="password reset mail",
                      domain=None, changes=_changes(before, settings),
                      call=lambda: mc.mail_templates.save_password_reset(settings))
    _store(RESET_KEY, settings, actor)
    return outcome
