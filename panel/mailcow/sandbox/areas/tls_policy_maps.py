"""Outgoing TLS policy maps (`tls-policy-map`): add, edit, delete and get, with the rules of
Mailcow's tls_policy_maps() (functions.tls_policy_maps.inc.php; recordings more/22, 23).

Global administrators only. The destination is stored as typed (IDN to ASCII on add) and
is not otherwise checked; parameters must be space-separated name=value pairs; one map per
destination. The policy column is an ENUM of Postfix's policy names: MariaDB in strict
mode refuses anything else and PHP dies on the uncaught PDOException (HTTP 500).
Quirks kept: an edit that collides with another destination reports
`recipient_map_entry_exists`, and edits do not lower-case the policy.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from .. import map_rows
from ..php import (
    PhpFatal,
    empty,
    htmlspecialchars,
    idn_to_ascii,
    intval,
    php_string,
    trim,
)
from ..report import Call
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS tls_policy_override (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  dest TEXT NOT NULL,
  policy TEXT NOT NULL,
  parameters TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  created TEXT NOT NULL,
  modified TEXT
);
"""
POLICIES = ("none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure")
_PAIR = re.compile(r"(.+)=(.+)", re.I | re.S)


def _log(action: str, data: Any) -> list:
    return ["tls_policy_maps", action, data, None]


def parameters_ok(parameters: str) -> bool:
    """Every space-separated word has text on both sides of an "=" (Mailcow's check)."""
    return empty(parameters) or all(_PAIR.search(p) for p in parameters.split(" "))


def details(conn: sqlite3.Connection, map_id: Any) -> dict | None:
    row = map_rows.row(conn, "tls_policy_override", map_id)
    if row is None:
        return None
    return {"id": row["id"], "dest": row["dest"], "policy": row["policy"],
            "parameters": row["parameters"], "active": row["active"],
            "created": row["created"], "modified": row["modified"]}


def _all(conn: sqlite3.Connection) -> list[dict]:
    return map_rows.every(conn, "tls_policy_override", details)


def _checked_policy(policy: str) -> str:
    if policy not in POLICIES:
        raise PhpFatal(f"Data truncated for column 'policy': {policy!r}")
    return policy


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if not call.admin:
        return False
    dest = idn_to_ascii(trim(data.get("dest")))
    policy = trim(data.get("policy")).lower()
    parameters = php_string(data.get("parameters")) if not empty(data.get("parameters")) else ""
    if not parameters_ok(parameters):
        call.danger(log, "tls_policy_map_parameter_invalid")
        return False
    active = intval(data.get("active"))
    if any(m["dest"] == dest for m in _all(call.conn)):
        call.danger(log, ["tls_policy_map_entry_exists", htmlspecialchars(dest)])
        return False
    call.conn.execute(
        "INSERT INTO tls_policy_override (dest, policy, parameters, active, created)"
        " VALUES (?, ?, ?, ?, ?)", (dest, _checked_policy(policy), parameters, active, now()))
    call.success(log, ["tls_policy_map_entry_saved", htmlspecialchars(dest)])
    return None


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if not call.admin:
        return False
    for current, active in map_rows.edited(call, log, data,
                                           lambda map_id: details(call.conn, map_id)):
        dest = map_rows.kept(data, "dest", current, when="nonempty", convert=php_string)
        policy = map_rows.kept(data, "policy", current, when="nonempty", convert=php_string)
        parameters = map_rows.kept(data, "parameters", current, convert=php_string)
        if not parameters_ok(parameters):
            call.danger(log, "tls_policy_map_parameter_invalid")
            return False
        if any(m["dest"] == dest and m["id"] != current["id"] for m in _all(call.conn)):
            call.danger(log, ["recipient_map_entry_exists", htmlspecialchars(dest)])
            return False
        map_rows.update(call.conn, "tls_policy_override", current["id"],
                        {"dest": dest, "policy": _checked_policy(policy),
                         "parameters": parameters, "active": active})
        call.success(log, ["tls_policy_map_entry_saved", htmlspecialchars(dest)])
    return None


def delete(call: Call, data: dict) -> bool | None:
    return map_rows.delete(
        call, _log("delete", data), data, "tls_policy_override",
        lambda map_id: ["tls_policy_map_entry_deleted", htmlspecialchars(map_id)])


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: _all(call.conn), lambda o: details(call.conn, o))


def seed_demo(call: Call) -> None:
    """Two TLS policy overrides for the demo data."""
    add(call, {"dest": "partner.example", "policy": "encrypt", "parameters": "",
               "active": "1"})
    add(call, {"dest": "bank.example", "policy": "secure",
               "parameters": "match=.bank.example", "active": "1"})


ADD = {"tls-policy-map": add}
EDIT = {"tls-policy-map": ("id", edit)}
DELETE = {"tls-policy-map": ("id", None, delete)}
GET = {"tls-policy-map": _get}
