"""Sender-dependent transports (`relayhost`): add, edit, delete and get, with the rules of
Mailcow's relayhost() (recordings 24, 25, A9).

Mailcow stores the password in clear and returns it on every read; add escapes ':' in the
username once and in the password twice. Deleting a relay resets the domains that used it
to the default route but leaves mailboxes pointing at the id that no longer exists.
"""
from __future__ import annotations

import json
import sqlite3
from typing import Any

from .. import map_rows
from ..php import as_array, empty, htmlspecialchars, intval, php_string, trim
from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS relayhosts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  hostname TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  password TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1
);
"""


def _escaped(value: str) -> str:
    return value.replace(":", "\\:")


def _log(action: str, data: Any) -> list:
    return ["relayhost", action, data]


def _denied(call: Call, action: str, data: Any) -> bool:
    if call.admin:
        return False
    call.danger(_log(action, data), "access_denied")
    return True


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if _denied(call, "add", data):
        return False
    hostname = trim(data.get("hostname"))
    username = _escaped(trim(data.get("username")))
    password = _escaped(trim(data.get("password")))
    if empty(hostname):
        # Mailcow names an undefined variable here, so the argument is always empty.
        call.danger(log, ["invalid_host", ""])
        return False
    call.conn.execute(
        "INSERT INTO relayhosts (hostname, username, password, active) VALUES (?, ?, ?, 1)",
        (hostname, username, _escaped(password)))
    call.success(log, ["relayhost_added", ""])
    return None


def _used_by(conn: sqlite3.Connection, relayhost_id: int) -> tuple[str, str]:
    domains = conn.execute(
        "SELECT group_concat(domain, ', ') AS names FROM "
        "(SELECT domain FROM domain WHERE relayhost = ? ORDER BY domain)",
        (str(relayhost_id),)).fetchone()["names"]
    mailboxes = conn.execute(
        "SELECT group_concat(username, ', ') AS names FROM "
        "(SELECT username FROM mailbox WHERE json_extract(attributes, '$.relayhost') = ?"
        " ORDER BY username)", (str(relayhost_id),)).fetchone()["names"]
    return domains or "", mailboxes or ""


def details(conn: sqlite3.Connection, relayhost_id: Any) -> dict | None:
    row = map_rows.row(conn, "relayhosts", relayhost_id)
    if row is None:
        return None
    domains, mailboxes = _used_by(conn, row["id"])
    return {"id": row["id"], "hostname": row["hostname"], "username": row["username"],
            "password": row["password"], "active": row["active"],
            "password_short": row["password"][:3] + "...",
            "used_by_domains": domains, "used_by_mailboxes": mailboxes}


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if _denied(call, "edit", data):
        return False
    for now in map_rows.found(call, log, as_array(data.get("id")),
                              lambda relayhost_id: details(call.conn, relayhost_id),
                              lambda relayhost_id: ["relayhost_invalid", relayhost_id]):
        hostname = map_rows.kept(data, "hostname", now, when="nonempty", convert=trim)
        username = map_rows.kept(data, "username", now, convert=trim)
        password = map_rows.kept(data, "password", now, convert=trim)
        active = map_rows.kept(data, "active", now, convert=intval)
        call.conn.execute(
            "UPDATE relayhosts SET hostname = ?, username = ?, password = ?, active = ?"
            " WHERE id = ?", (hostname, username, password, active, now["id"]))
        call.success(log, ["object_modified", ""])
    return None


def delete(call: Call, data: dict) -> bool | None:
    log = _log("delete", data)
    if _denied(call, "delete", data):
        return False
    for relayhost_id in as_array(data.get("id")):
        number = intval(relayhost_id)
        call.conn.execute("DELETE FROM relayhosts WHERE id = ?", (number,))
        call.conn.execute("UPDATE domain SET relayhost = '0' WHERE relayhost = ?",
                          (php_string(relayhost_id),))
        call.success(log, ["relayhost_removed", htmlspecialchars(relayhost_id)])
    return None


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: map_rows.every(call.conn, "relayhosts", details),
                        lambda o: details(call.conn, o), null_element=False)


def seed_demo(call: Call) -> None:
    """One relay for the demo data, used by example.net and one of its mailboxes."""
    add(call, {"hostname": "[smtp.relay.example]:587", "username": "example-net",
               "password": "Demo-Relay-Passw0rd"})
    relayhost_id = call.conn.execute("SELECT max(id) AS id FROM relayhosts").fetchone()["id"]
    call.conn.execute("UPDATE domain SET relayhost = ? WHERE domain = 'example.net'",
                      (str(relayhost_id),))
    row = call.conn.execute("SELECT attributes FROM mailbox WHERE username = ?",
                            ("grace.moore@example.net",)).fetchone()
    if row is not None:
        attributes = json.loads(row["attributes"])
        attributes["relayhost"] = str(relayhost_id)
        call.conn.execute("UPDATE mailbox SET attributes = ? WHERE username = ?",
                          (json.dumps(attributes), "grace.moore@example.net"))


ADD = {"relayhost": add}
EDIT = {"relayhost": ("id", edit)}
DELETE = {"relayhost": ("id", None, delete)}
GET = {"relayhost": _get}
