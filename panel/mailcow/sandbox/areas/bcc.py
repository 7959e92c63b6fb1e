"""BCC maps (`bcc`): add, edit, delete and get, with the rules of Mailcow's bcc()
(functions.address_rewriting.inc.php; recordings more/18 and more/19).

A local destination is a domain (stored as "@domain") or the address of a mailbox or alias
that exists; the BCC destination is one e-mail address. One map per local destination and
type. Edits never change the local destination. Quirks kept on purpose: an unusable local
destination that is neither a domain nor an address fails without any message (Mailcow
then prints its generic "Cannot add item"), and `get/bcc/{id}` appends a null element.
"""
from __future__ import annotations

import sqlite3
from typing import Any

from .. import map_rows
from ..access import domain_access, mailbox_access
from ..php import (
    after_at,
    empty,
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
CREATE TABLE IF NOT EXISTS bcc_maps (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  local_dest TEXT NOT NULL,
  bcc_dest TEXT NOT NULL,
  domain TEXT NOT NULL,
  type TEXT NOT NULL DEFAULT 'sender',
  active INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  modified TEXT
);
"""
TYPES = ("sender", "rcpt")


def _log(action: str, data: Any) -> list:
    # bcc() logs its $_attr argument too, which the API never passes.
    return ["bcc", action, data, None]


def _alias_exists(conn: sqlite3.Connection, address: str) -> bool:
    return conn.execute("SELECT 1 FROM alias WHERE address = ?", (address,)).fetchone() \
        is not None


def details(conn: sqlite3.Connection, map_id: Any) -> dict | None:
    row = map_rows.row(conn, "bcc_maps", map_id)
    if row is None:
        return None
    return {"id": row["id"], "local_dest": row["local_dest"], "bcc_dest": row["bcc_dest"],
            "active": row["active"], "type": row["type"], "created": row["created"],
            "domain": row["domain"], "modified": row["modified"]}


def _all(call: Call) -> list[dict]:
    return map_rows.every(call.conn, "bcc_maps", details,
                          keep=lambda r: domain_access(call, r["domain"]))


def _mine(call: Call, map_id: Any) -> dict | None:
    """The map with this id if the caller may manage its domain."""
    found = details(call.conn, map_id)
    return found if found is not None and domain_access(call, found["domain"]) else None


def _taken(conn: sqlite3.Connection, local_dest: str, kind: str) -> int | None:
    row = conn.execute("SELECT id FROM bcc_maps WHERE local_dest = ? AND type = ?",
                       (local_dest, kind)).fetchone()
    return row["id"] if row else None


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if not call.admin:
        # Neither admin nor domain admin: bcc() returns false before saying anything.
        return False
    local_dest = trim(data.get("local_dest")).lower()
    bcc_dest = data.get("bcc_dest")
    active = intval(data.get("active"))
    kind = data.get("type")
    if kind not in TYPES:
        call.danger(log, "invalid_bcc_map_type")
        return False
    if empty(bcc_dest):
        call.danger(log, "bcc_empty")
        return False
    if is_valid_domain_name(local_dest):
        if not domain_access(call, local_dest):
            call.danger(log, "access_denied")
            return False
        domain = idn_to_ascii(local_dest)
        local_dest_sane = "@" + domain
    elif is_email(local_dest):
        known = call.conn.execute("SELECT 1 FROM mailbox WHERE username = ?",
                                  (local_dest,)).fetchone() is not None
        if not known and not _alias_exists(call.conn, local_dest):
            call.danger(log, "access_denied")
            return False
        if not mailbox_access(call, local_dest) and \
                not domain_access(call, after_at(local_dest)):
            call.danger(log, "access_denied")
            return False
        domain = idn_to_ascii(after_at(local_dest))
        local_dest_sane = local_dest
    else:
        return False
    if not is_email(bcc_dest):
        call.danger(log, ["bcc_must_be_email", htmlspecialchars(bcc_dest)])
        return False
    if _taken(call.conn, local_dest_sane, kind) is not None:
        call.danger(log, ["bcc_exists", htmlspecialchars(local_dest_sane), kind])
        return False
    call.conn.execute(
        "INSERT INTO bcc_maps (local_dest, bcc_dest, domain, active, type, created)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (local_dest_sane, php_string(bcc_dest), domain, active, kind, now()))
    call.success(log, "bcc_saved")
    return None


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if not call.admin:
        return False
    for current, active in map_rows.edited(call, log, data, lambda map_id: _mine(call, map_id)):
        bcc_dest = map_rows.kept(data, "bcc_dest", current, when="nonempty")
        kind = map_rows.kept(data, "type", current, when="nonempty")
        if not is_email(bcc_dest):
            call.danger(log, ["bcc_must_be_email", bcc_dest])
            continue
        taken = _taken(call.conn, current["local_dest"], kind)
        if taken is not None and taken != current["id"]:
            call.danger(log, ["bcc_exists", htmlspecialchars(current["local_dest"]), kind])
            continue
        map_rows.update(call.conn, "bcc_maps", current["id"],
                        {"bcc_dest": bcc_dest, "active": active, "type": kind})
        call.success(log, ["bcc_edited", bcc_dest])
    return None


def delete(call: Call, data: dict) -> bool | None:
    return map_rows.delete(call, _log("delete", data), data, "bcc_maps",
                           lambda map_id: ["bcc_deleted", map_id],
                           allowed=lambda map_id: _mine(call, map_id) is not None)


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    """Mailbox deletion takes the BCC maps whose local destination it is along."""
    conn.execute("DELETE FROM bcc_maps WHERE local_dest = ?", (username,))


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: _all(call), lambda o: _mine(call, o))


def seed_demo(call: Call) -> None:
    """Two BCC maps for the demo data: an archive copy of a domain and of one mailbox."""
    add(call, {"local_dest": "example.org", "bcc_dest": "archive@example.net",
               "type": "sender", "active": "1"})
    add(call, {"local_dest": "bob.jones@example.org", "bcc_dest": "audit@example.net",
               "type": "rcpt", "active": "0"})


ADD = {"bcc": add}
EDIT = {"bcc": ("id", edit)}
DELETE = {"bcc": ("id", None, delete)}
GET = {"bcc": _get}
