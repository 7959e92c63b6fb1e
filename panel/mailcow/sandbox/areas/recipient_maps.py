"""Recipient maps (`recipient_map`): add, edit, delete and get, with the rules of Mailcow's
recipient_map() (functions.address_rewriting.inc.php; recordings more/20 and more/21).

Only a global administrator may use them (the function refuses every other role before
anything else). The original recipient is an address or a domain (stored as "@domain", a
leading "@" typed by the user is dropped first); the new recipient is one address; one
map per original recipient. Edits take the values as given, without lower-casing them.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from .. import map_rows
from ..php import (
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_email,
    is_valid_domain_name,
    php_string,
    trim,
)
from ..report import Call
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS recipient_maps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  old_dest TEXT NOT NULL,
  new_dest TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  modified TEXT
);
"""


def _log(action: str, data: Any) -> list:
    # recipient_map() logs an undefined $_attr: always null.
    return ["recipient_map", action, data, None]


def details(conn: sqlite3.Connection, map_id: Any) -> dict | None:
    row = map_rows.row(conn, "recipient_maps", map_id)
    if row is None:
        return None
    return {"id": row["id"], "recipient_map_old": row["old_dest"],
            "recipient_map_new": row["new_dest"], "active": row["active"],
            "created": row["created"], "modified": row["modified"]}


def _all(conn: sqlite3.Connection) -> list[dict]:
    return map_rows.every(conn, "recipient_maps", details)


def _sane_old(old: str) -> str | None:
    if is_valid_domain_name(old):
        return "@" + idn_to_ascii(old)
    if is_email(old):
        return old
    return None


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if not call.admin:
        return False
    old = trim(data.get("recipient_map_old")).lower()
    if old.startswith("@"):
        old = old[1:]
    new = trim(data.get("recipient_map_new")).lower()
    active = intval(data.get("active"))
    old_sane = _sane_old(old)
    if old_sane is None:
        call.danger(log, ["invalid_recipient_map_old", htmlspecialchars(old)])
        return False
    if not is_email(new):
        call.danger(log, ["invalid_recipient_map_new", htmlspecialchars(new)])
        return False
    if any(m["recipient_map_old"] == old_sane for m in _all(call.conn)):
        call.danger(log, ["recipient_map_entry_exists", htmlspecialchars(old_sane)])
        return False
    call.conn.execute("INSERT INTO recipient_maps (old_dest, new_dest, active, created)"
                      " VALUES (?, ?, ?, ?)", (old_sane, new, active, now()))
    call.success(log, ["recipient_map_entry_saved", htmlspecialchars(old_sane)])
    return None


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if not call.admin:
        return False
    for current, active in map_rows.edited(call, log, data,
                                           lambda map_id: details(call.conn, map_id)):
        new = map_rows.kept(data, "recipient_map_new", current, when="nonempty",
                            convert=php_string)
        old = map_rows.kept(data, "recipient_map_old", current, when="nonempty",
                            convert=php_string)
        if old.startswith("@"):
            old = old[1:]
        old_sane = _sane_old(old)
        if old_sane is None:
            call.danger(log, ["invalid_recipient_map_old", htmlspecialchars(old)])
            continue
        if not is_email(new):
            call.danger(log, ["invalid_recipient_map_new", htmlspecialchars(new)])
            continue
        if any(m["recipient_map_old"] == old_sane and m["id"] != current["id"]
               for m in _all(call.conn)):
            call.danger(log, ["recipient_map_entry_exists", htmlspecialchars(old_sane)])
            return False
        map_rows.update(call.conn, "recipient_maps", current["id"],
                        {"old_dest": old_sane, "new_dest": new, "active": active})
        call.success(log, ["recipient_map_entry_saved", htmlspecialchars(old_sane)])
    return None


def delete(call: Call, data: dict) -> bool | None:
    return map_rows.delete(
        call, _log("delete", data), data, "recipient_maps",
        lambda map_id: ["recipient_map_entry_deleted", htmlspecialchars(map_id)])


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: _all(call.conn), lambda o: details(call.conn, o))


def seed_demo(call: Call) -> None:
    """Two recipient maps for the demo data: a departed user and a retired domain."""
    add(call, {"recipient_map_old": "old.sales@example.org",
               "recipient_map_new": "bob.jones@example.org", "active": "1"})
    add(call, {"recipient_map_old": "legacy-example.org",
               "recipient_map_new": "postmaster@example.org", "active": "0"})


ADD = {"recipient_map": add}
EDIT = {"recipient_map": ("id", edit)}
DELETE = {"recipient_map": ("id", None, delete)}
GET = {"recipient_map": _get}
