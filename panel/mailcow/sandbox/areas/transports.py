"""Transport maps (`transport`): add, edit, delete and get, with the rules of Mailcow's
transport() (recordings 26, 27, A8).

Quirks kept on purpose: add validates destinations only while comparing them with the
entries that already exist, so the very first entry is taken as given; credentials are
keyed by next hop, so every add and edit rewrites username and password of all entries
with the same next hop; an IP address as next hop is put in brackets.
"""
from __future__ import annotations

import ipaddress
import re
import sqlite3
from typing import Any

from .. import map_rows
from ..php import (
    as_array,
    empty,
    htmlspecialchars,
    intval,
    is_email,
    is_valid_domain_name,
    split_list,
    trim,
)
from ..report import Call

SCHEMA = """
CREATE TABLE IF NOT EXISTS transports (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  destination TEXT NOT NULL,
  nexthop TEXT NOT NULL,
  username TEXT NOT NULL DEFAULT '',
  password TEXT NOT NULL DEFAULT '',
  is_mx_based INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1
);
"""

_BRACKETED = re.compile(r"\[(.+)\].*")


def _log(action: str, data: Any) -> list:
    return ["transport", action, data]


def _escaped(value: str) -> str:
    return value.replace(":", "\\:")


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def _clean(nexthop: str) -> str | None:
    """What Mailcow's /\\[(.+)\\].*/ captures, or None without brackets."""
    match = _BRACKETED.search(nexthop)
    return match.group(1) if match else None


def _destination_ok(destination: str, mx_based: int) -> bool:
    if empty(destination):
        return False
    if mx_based == 1:
        # preg_match('/' . $dest . '/'): an unescaped slash ends the pattern early.
        if re.search(r"(?<!\\)/", destination):
            return False
        try:
            re.compile(destination)
        except re.error:
            return False
        return True
    return (is_valid_domain_name(re.sub(r"^\.", "", destination)) or destination == "*"
            or is_email(destination))


def details(conn: sqlite3.Connection, transport_id: Any) -> dict | None:
    row = map_rows.row(conn, "transports", transport_id)
    if row is None:
        return None
    return {"id": row["id"], "is_mx_based": row["is_mx_based"],
            "destination": row["destination"], "nexthop": row["nexthop"],
            "username": row["username"], "password": row["password"],
            "active": row["active"], "password_short": row["password"][:3] + "..."}


def _all(conn: sqlite3.Connection) -> list[dict]:
    return map_rows.every(conn, "transports", details)


def _interferes(call: Call, log: list, nexthop: str, bracketed: str | None,
                existing_nh: list[str]) -> bool:
    """Mailcow refuses a next hop whose bracketed host is another entry's next hop, or an
    unbracketed one that another entry has in brackets (with a message either way)."""
    if bracketed is not None:
        if bracketed in existing_nh:
            call.danger(log, ["next_hop_interferes", bracketed, nexthop])
            return True
    elif any(_clean(other) == nexthop for other in existing_nh):
        call.danger(log, ["next_hop_interferes_any", nexthop])
        return True
    return False


def _share_credentials(conn: sqlite3.Connection, nexthop: str, username: str,
                       password: str) -> None:
    conn.execute("UPDATE transports SET username = ?, password = ? WHERE nexthop = ?",
                 (username, password, nexthop))


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    destinations = split_list(data.get("destination"))
    active = intval(data.get("active"))
    mx_based = intval(data.get("is_mx_based"))
    nexthop = trim(data.get("nexthop"))
    if _is_ip(nexthop):
        nexthop = f"[{nexthop}]"
    bracketed = _clean(nexthop)
    clean = bracketed if bracketed is not None else nexthop
    username = _escaped(trim(data.get("username")))
    password = _escaped(trim(data.get("password")))
    if empty(nexthop):
        call.danger(log, ["invalid_nexthop"])
        return False
    existing = _all(call.conn)
    existing_nh = [t["nexthop"] for t in existing]
    for entry in existing:
        if entry["nexthop"] in (nexthop, clean) and entry["username"] != username:
            call.danger(log, "invalid_nexthop_authenticated")
            return False
        kept = []
        for dest in destinations:
            if empty(dest):
                continue
            if entry["destination"] == dest:
                call.danger(log, ["transport_dest_exists", dest])
                continue
            if not _destination_ok(dest, mx_based):
                call.danger(log, ["invalid_destination", dest])
                continue
            kept.append(dest)
        destinations = kept
    destinations = [d for d in dict.fromkeys(destinations) if not empty(d)]
    if not destinations:
        return False
    if _interferes(call, log, nexthop, bracketed, existing_nh):
        return False
    for dest in destinations:
        call.conn.execute(
            "INSERT INTO transports (nexthop, destination, is_mx_based, username, password,"
            " active) VALUES (?, ?, ?, ?, ?, ?)",
            (nexthop, dest, mx_based, username, _escaped(password), active))
    _share_credentials(call.conn, nexthop, username, password)
    call.success(log, ["relayhost_added", ""])
    return None


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for now in map_rows.found(call, log, as_array(data.get("id")),
                              lambda transport_id: details(call.conn, transport_id),
                              lambda transport_id: ["relayhost_invalid", transport_id]):
        destination = map_rows.kept(data, "destination", now, when="nonempty", convert=trim)
        nexthop = map_rows.kept(data, "nexthop", now, when="nonempty", convert=trim)
        username = map_rows.kept(data, "username", now, convert=trim)
        password = map_rows.kept(data, "password", now, convert=trim)
        mx_based = map_rows.kept(data, "is_mx_based", now, when="number", convert=intval)
        active = map_rows.kept(data, "active", now, when="number", convert=intval)
        bracketed = _clean(nexthop)
        if _is_ip(nexthop):
            nexthop = f"[{nexthop}]"
        others = [t for t in _all(call.conn) if t["id"] != now["id"]]
        if any(t["destination"] == destination for t in others):
            call.danger(log, "transport_dest_exists")
            return False
        if not _destination_ok(destination, mx_based):
            call.danger(log, ["invalid_destination", destination])
            return False
        if _interferes(call, log, nexthop, bracketed, [t["nexthop"] for t in others]):
            return False
        if empty(username):
            password = ""
        call.conn.execute(
            "UPDATE transports SET destination = ?, is_mx_based = ?, nexthop = ?, username = ?,"
            " password = ?, active = ? WHERE id = ?",
            (destination, mx_based, nexthop, username, password, active, now["id"]))
        _share_credentials(call.conn, nexthop, username, password)
        call.success(log, ["object_modified", ""])
    return None


def delete(call: Call, data: dict) -> bool | None:
    log = _log("delete", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for transport_id in as_array(data.get("id")):
        call.conn.execute("DELETE FROM transports WHERE id = ?", (intval(transport_id),))
        call.success(log, ["relayhost_removed", htmlspecialchars(transport_id)])
    return None


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: _all(call.conn), lambda o: details(call.conn, o),
                        null_element=False)


def seed_demo(call: Call) -> None:
    """Two transport map entries for the demo data (no credentials)."""
    add(call, {"destination": "partner.example", "nexthop": "[mx.partner.example]:25",
               "username": "", "password": "", "active": "1"})
    add(call, {"destination": ".legacy.example", "nexthop": "[10.20.0.5]:2525",
               "username": "", "password": "", "active": "0"})


ADD = {"transport": add}
EDIT = {"transport": ("id", edit)}
DELETE = {"transport": ("id", None, delete)}
GET = {"transport": _get}
