"""Resources (bookable rooms, groups, things): add, edit, delete and `get/resource`.

Mailcow keeps a resource as a row of its `mailbox` table with `kind` set and the
password 'RESOURCE', so a resource and a mailbox can never share an address, and
resources count neither against the domain's mailbox limit nor its quota.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from .access import domain_access, mailbox_access
from .php import (
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    is_email,
    is_valid_domain_name,
    isset,
    listed,
    php_string,
    trim,
)
from .report import Call, mailbox_log, masked
from .store import now

KINDS = ("location", "group", "thing")
# Mailcow's preg_replace('/[^\da-z]/i', ...) without /u: ASCII letters and digits only.
_NOT_ALNUM = re.compile(r"[^0-9A-Za-z]")


def local_part_of(description: Any) -> str:
    """The address Mailcow derives from a description: "Room 1" -> "Room1"."""
    return _NOT_ALNUM.sub("", php_string(description))


def _kind_ok(kind: Any) -> bool:
    return isinstance(kind, str) and kind in KINDS


def _item(row: sqlite3.Row) -> dict:
    return {
        "name": row["username"],
        "kind": row["kind"],
        "multiple_bookings": row["multiple_bookings"],
        "description": row["name"],
        "active": row["active"],
        "active_int": row["active"],
        "domain": row["domain"],
        "local_part": row["local_part"],
    }


_SELECT = ("SELECT m.username, m.name, m.kind, m.local_part, m.active, m.domain,"
           " COALESCE(b.multiple_bookings, -1) AS multiple_bookings FROM mailbox m"
           " LEFT JOIN resource_booking b ON b.username = m.username"
           f" WHERE m.kind IN ({','.join(repr(k) for k in KINDS)})")


def details(call: Call, name: Any) -> dict | None:
    """mailbox('get', 'resource_details'): None (answered as {}) when not a visible resource."""
    if not mailbox_access(call, name):
        return None
    row = call.conn.execute(f"{_SELECT} AND m.username = ?", (name,)).fetchone()
    if row is None or not domain_access(call, row["domain"]):
        return None
    return _item(row)


def in_domains(call: Call, domains: list[str]) -> list[dict]:
    """get/resource/all: domain by domain, each domain's resources by address."""
    out = []
    for domain in domains:
        if domain_access(call, domain):
            rows = call.conn.execute(f"{_SELECT} AND m.domain = ? ORDER BY m.username",
                                     (domain,))
            out.extend(_item(row) for row in rows)
    return out


def _save_bookings(call: Call, name: str, multiple_bookings: int) -> None:
    call.conn.execute("INSERT OR REPLACE INTO resource_booking (username, multiple_bookings)"
                      " VALUES (?, ?)", (name, multiple_bookings))


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "resource", masked(data))
    domain = idn_to_ascii(trim(data.get("domain")))
    description = data.get("description")
    local_part = local_part_of(description)
    name = f"{local_part}@{domain}"
    kind = data.get("kind")
    multiple_bookings = intval(data.get("multiple_bookings"))
    active = intval(data.get("active"))
    # The address is checked before the description, so an empty description (or one
    # without a letter or digit) is reported as resource_invalid.
    if not is_email(name):
        call.danger(log, "resource_invalid")
        return False
    if empty(description):  # "0" is PHP-empty, yet gives the valid address 0@domain
        call.danger(log, "description_invalid")
        return False
    if multiple_bookings < -1:
        multiple_bookings = -1
    if not _kind_ok(kind):
        call.danger(log, "resource_invalid")
        return False
    if not is_valid_domain_name(domain):
        call.danger(log, "domain_invalid")
        return False
    if not domain_access(call, domain):
        call.danger(log, "access_denied")
        return False
    conn = call.conn
    if conn.execute("SELECT 1 FROM mailbox WHERE username = ?", (name,)).fetchone():
        call.danger(log, ["object_exists", htmlspecialchars(name)])
        return False
    if conn.execute("SELECT 1 FROM alias WHERE address = ?", (name,)).fetchone():
        call.danger(log, ["is_alias", htmlspecialchars(name)])
        return False
    # An alias domain passes the access check above but holds no resources.
    if not conn.execute("SELECT 1 FROM domain WHERE domain = ?", (domain,)).fetchone():
        call.danger(log, ["domain_not_found", htmlspecialchars(domain)])
        return False
    stamp = now()
    conn.execute(
        "INSERT INTO mailbox (username, password, name, quota, local_part, domain, attributes,"
        " kind, active, created, modified) VALUES (?, 'RESOURCE', ?, 0, ?, ?, '{}', ?, ?, ?, ?)",
        (name, php_string(description), local_part, domain, kind, active, stamp, stamp))
    _save_bookings(call, name, multiple_bookings)
    call.success(log, ["resource_added", htmlspecialchars(name)])
    return True


def edit(call: Call, data: dict) -> bool:
    """Description, kind, bookings and active; the address (and domain) never change."""
    log = mailbox_log("edit", "resource", masked(data))
    for name in listed(data.get("name")):
        is_now = details(call, name)
        if not is_now:
            call.danger(log, ["resource_invalid", htmlspecialchars(name)])
            continue
        active = intval(data["active"]) if isset(data, "active") else is_now["active"]
        multiple_bookings = (intval(data["multiple_bookings"]) if isset(data, "multiple_bookings")
                             else is_now["multiple_bookings"])
        description = (data["description"] if not empty(data.get("description"))
                       else is_now["description"])
        kind = data["kind"] if not empty(data.get("kind")) else is_now["kind"]
        if not is_email(name):
            call.danger(log, ["resource_invalid", htmlspecialchars(name)])
            continue
        if multiple_bookings < -1:
            multiple_bookings = -1
        if empty(description):
            call.danger(log, ["description_invalid", htmlspecialchars(name)])
            continue
        if not _kind_ok(kind):
            call.danger(log, ["resource_invalid", htmlspecialchars(name)])
            continue
        if not mailbox_access(call, name):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("UPDATE mailbox SET active = ?, name = ?, kind = ? WHERE username = ?",
                          (active, php_string(description), kind, name))
        _save_bookings(call, is_now["name"], multiple_bookings)
        call.success(log, ["resource_modified", htmlspecialchars(name)])
    return True


def delete(call: Call, data: dict) -> bool:
    log = mailbox_log("delete", "resource", data)
    for name in listed(data.get("name")):
        if not is_email(name) or not mailbox_access(call, name):
            call.danger(log, "access_denied")
            continue
        # Like Mailcow, the row goes whatever its kind: a mailbox's address named here
        # loses its mailbox row (and keeps its quota and alias rows).
        call.conn.execute("DELETE FROM mailbox WHERE username = ?", (name,))
        call.conn.execute("DELETE FROM resource_booking WHERE username = ?", (name,))
        call.success(log, ["resource_removed", htmlspecialchars(name)])
    return True
