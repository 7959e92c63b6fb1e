"""MailApp-wide settings kept in the database (the `setting` table), changed from the UI."""
from __future__ import annotations

from typing import Any

from panel.audit import record
from panel.extensions import db
from panel.models import Setting

REQUIRE_2FA = "require_2fa"


def get(key: str, default: Any = None) -> Any:
    row = db.session.get(Setting, key)
    return default if row is None or row.value is None else row.value


def put(key: str, value: Any, actor: str) -> bool:
    """Store a value; audited as `settings.change` when it differs. True if changed."""
    session = db.session()
    row = session.get(Setting, key)
    before = None if row is None else row.value
    if row is not None and before == value:
        return False
    if row is None:
        session.add(Setting(key=key, value=value))
    else:
        row.value = value
    session.commit()
    record("settings.change", target=key, actor=actor,
           changes={key: {"from": before, "to": value}})
    return True


def require_2fa() -> bool:
    """Whether every administrator must have a second factor to use MailApp."""
    return bool(get(REQUIRE_2FA, False))


def set_require_2fa(value: bool, actor: str) -> bool:
    return put(REQUIRE_2FA, bool(value), actor)
