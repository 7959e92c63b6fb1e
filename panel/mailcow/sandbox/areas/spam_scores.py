"""Per-mailbox spam thresholds (`spam-score`): edit and get with the rules of Mailcow's
mailbox('edit'|'get', 'spam_score') (recordings 77, 78).

Mailcow keeps them as two rows of its `filterconf` table (lowspamlevel, highspamlevel);
a mailbox without them uses the defaults, "5, 15". Reads strip the spaces.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from ..access import mailbox_access
from ..php import as_array, php_string
from ..report import Call, mailbox_log

SCHEMA = """
CREATE TABLE IF NOT EXISTS filterconf (
  prefid INTEGER PRIMARY KEY AUTOINCREMENT,
  object TEXT NOT NULL COLLATE NOCASE,
  option TEXT NOT NULL,
  value TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS filterconf_object ON filterconf (object, option);
"""

DEFAULT = "5, 15"
# PHP 8's is_numeric: optional surrounding whitespace, a sign, digits, a fraction, an exponent.
_NUMERIC = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def is_numeric(value: Any) -> bool:
    if isinstance(value, bool) or value is None:
        return False
    if isinstance(value, (int, float)):
        return True
    return isinstance(value, str) and _NUMERIC.fullmatch(value) is not None


def edit(call: Call, data: dict) -> bool | None:
    """Each mailbox's two rows replaced; Mailcow checks only that both parts are numbers."""
    log = mailbox_log("edit", "spam_score", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    score = data.get("spam_score")
    parts = php_string(score).split(",") if not isinstance(score, (list, dict)) else []
    low = parts[0] if parts else None
    high = parts[1] if len(parts) > 1 else None
    for username in as_array(data.get("username")):
        if not is_numeric(low) or not is_numeric(high):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("DELETE FROM filterconf WHERE object = ? AND option IN"
                          " ('lowspamlevel', 'highspamlevel')", (username,))
        call.conn.execute("INSERT INTO filterconf (object, option, value)"
                          " VALUES (?, 'highspamlevel', ?)", (username, high))
        call.conn.execute("INSERT INTO filterconf (object, option, value)"
                          " VALUES (?, 'lowspamlevel', ?)", (username, low))
        call.success(log, ["mailbox_modified", username])
    return None


def score(call: Call, username: Any) -> str | None:
    """"low, high" as Mailcow's get_spam_score returns it, None when out of reach."""
    if not isinstance(username, str) or not mailbox_access(call, username):
        return None
    rows = dict(call.conn.execute(
        "SELECT option, value FROM filterconf WHERE object = ? AND option IN"
        " ('lowspamlevel', 'highspamlevel')", (username,)).fetchall())
    if not rows:
        return DEFAULT
    return f"{rows.get('lowspamlevel', '')}, {rows.get('highspamlevel', '')}"


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    found = score(call, obj)
    return ({"score": re.sub(r"\s+", "", found)} if found else None), True


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    conn.execute("DELETE FROM filterconf WHERE object = ?", (username,))


EDIT = {"spam-score": ("username", edit)}
GET = {"spam-score": _get}


def seed_demo(call: Call) -> None:
    """Demo data: one mailbox with stricter thresholds than the defaults."""
    edit(call, {"username": ["alice.smith@example.org"], "spam_score": "4,12"})
