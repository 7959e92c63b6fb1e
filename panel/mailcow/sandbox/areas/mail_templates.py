"""The quota-warning and password-reset mail settings (`edit/quota_notification`,
`edit/reset-password-notification`), kept where Mailcow keeps them: Redis keys.

Mailcow has no API route that reads them back (its admin page calls PHP directly), so
the sandbox has none either; `stored()` lets tests look. An empty template means
Mailcow's own default file (data/assets/templates/quota.tpl, pw_reset_*.tpl) is used;
the quota mail then comes from quota-warning@localhost with the subject "Quota warning".
A sender that is not a valid address is stored as "", silently, as Mailcow does.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..php import empty, is_email, php_string
from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS redis_key (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL DEFAULT ''
);
"""

QUOTA_KEYS = ("QW_SENDER", "QW_SUBJ", "QW_HTML")
RESET_KEYS = ("PW_RESET_FROM", "PW_RESET_SUBJ", "PW_RESET_HTML", "PW_RESET_TEXT")


def _sender(value: Any) -> str:
    """preg_replace('/[\\x00-\\x1F\\x80-\\xFF]/', '') on the bytes, then FILTER_VALIDATE_EMAIL."""
    raw = php_string(value) if not isinstance(value, (list, dict)) else ""
    cleaned = re.sub(rb"[\x00-\x1f\x80-\xff]", b"", raw.encode("utf-8")).decode("ascii")
    return cleaned if is_email(cleaned) else ""


def _set(conn: sqlite3.Connection, values: dict[str, str]) -> None:
    conn.executemany("INSERT INTO redis_key (name, value) VALUES (?, ?) "
                     "ON CONFLICT (name) DO UPDATE SET value = excluded.value",
                     list(values.items()))


def _text(value: Any) -> str:
    return "" if isinstance(value, (list, dict)) else php_string(value)


def edit_quota(call: Call, data: dict) -> bool:
    log = ["quota_notification", "edit", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    _set(call.conn, {"QW_SENDER": _sender(data.get("sender")),
                     "QW_SUBJ": _text(data.get("subject")),
                     "QW_HTML": _text(data.get("html_tmpl"))})
    call.success(log, "saved_settings")
    return True


def edit_reset(call: Call, data: dict) -> bool:
    log = ["reset_password", "edit_notification", data]
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    _set(call.conn, {
        "PW_RESET_FROM": _sender(data.get("from")),
        "PW_RESET_SUBJ": "" if empty(data.get("subject")) else _text(data.get("subject")),
        "PW_RESET_HTML": "" if empty(data.get("html_tmpl")) else _text(data.get("html_tmpl")),
        "PW_RESET_TEXT": "" if empty(data.get("text_tmpl")) else _text(data.get("text_tmpl")),
    })
    call.success(log, "saved_settings")
    return True


def stored(conn: sqlite3.Connection) -> dict[str, str]:
    """Every key, "" where never set (Redis answers false, which PHP prints as "")."""
    rows = dict(conn.execute("SELECT name, value FROM redis_key").fetchall())
    return {key: rows.get(key, "") for key in QUOTA_KEYS + RESET_KEYS}


EDIT = {
    "quota_notification": (None, edit_quota),
    "reset-password-notification": (None, edit_reset),
}
