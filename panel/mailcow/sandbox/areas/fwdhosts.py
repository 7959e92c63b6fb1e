"""Forwarding hosts (`fwdhost`): add, edit, delete and get, with the rules of Mailcow's
fwdhost() (functions.fwdhost.inc.php, spf.inc.php; recordings more/28 and more/29).

Mailcow keeps them in two Redis hashes: WHITELISTED_FWD_HOST (address or network ->
what the admin typed) and KEEP_SPAM (address -> 1 when the spam filter is off for it).
Text made only of digits, dots and slashes counts as IPv4, text made only of hex digits,
colons and slashes as IPv6 — both stored as typed, unchecked. Anything else is a host name
that Mailcow resolves (the SPF record's addresses, else the MX hosts' addresses, else the
A/AAAA records) and stores address by address. The sandbox never asks DNS: it resolves
against the fixed table RESOLVES below, and a name not in it resolves to nothing, which
Mailcow reports as `invalid_host`.
"""
from __future__ import annotations

import re
import sqlite3
from typing import Any

from .. import map_rows
from ..php import as_array, htmlspecialchars, isset, php_string, trim
from ..report import Call

SCHEMA = (
    "CREATE TABLE IF NOT EXISTS redis_hash (\n  name TEXT NOT NULL,\n  field TEXT NOT NULL,\n"
    "  value TEXT NOT NULL,\n  PRIMARY KEY (name, field)\n);\n")
HOSTS, KEEP_SPAM = "WHITELISTED_FWD_HOST", "KEEP_SPAM"
_IPV6_LIKE = re.compile(r"^[0-9a-fA-F:/]+$")
_IPV4_LIKE = re.compile(r"^[0-9./]+$")

# What get_outgoing_hosts_best_guess() would find for these names (documentation ranges
# only): SPF ip4/ip6 mechanisms keep their prefix length, MX and A lookups give addresses.
RESOLVES: dict[str, list[str]] = {
    "relay.partner.example": ["192.0.2.25", "2001:db8:25::25"],        # A + AAAA
    "lists.example.net": ["198.51.100.0/24", "2001:db8:100::/48"],     # SPF ip4 + ip6
    "forwarder.example": ["203.0.113.7", "203.0.113.8"],               # two MX hosts
}


def _log(action: str, data: Any) -> list:
    return ["fwdhost", action, data]


def _hget(conn: sqlite3.Connection, name: str, field: str) -> str | None:
    row = conn.execute("SELECT value FROM redis_hash WHERE name = ? AND field = ?",
                       (name, field)).fetchone()
    return row["value"] if row else None


def _hset(conn: sqlite3.Connection, name: str, field: str, value: str) -> None:
    # An existing field keeps its place in the hash, as in Redis.
    conn.execute("INSERT INTO redis_hash (name, field, value) VALUES (?, ?, ?) ON CONFLICT"
                 " (name, field) DO UPDATE SET value = excluded.value", (name, field, value))


def _hdel(conn: sqlite3.Connection, name: str, field: str) -> None:
    conn.execute("DELETE FROM redis_hash WHERE name = ? AND field = ?", (name, field))


def _entry(conn: sqlite3.Connection, host: str, source: str) -> dict:
    return {"host": host, "source": source,
            "keep_spam": "yes" if _hget(conn, KEEP_SPAM, host) else "no"}


def details(conn: sqlite3.Connection, host: Any) -> dict | None:
    if not host or isinstance(host, (list, dict)):
        return None
    source = _hget(conn, HOSTS, php_string(host))
    return _entry(conn, php_string(host), source) if source else None


def _all(conn: sqlite3.Connection) -> list[dict]:
    rows = conn.execute("SELECT field, value FROM redis_hash WHERE name = ? ORDER BY rowid",
                        (HOSTS,)).fetchall()
    return [_entry(conn, r["field"], r["value"]) for r in rows]


def _equals_one(value: Any) -> bool:
    """PHP 8 `$value == 1`: numbers and numeric strings compare as numbers, words never."""
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)):
        return value == 1
    text = php_string(value).strip(" \t\n\r\v\f")
    try:
        return float(text) == 1
    except ValueError:
        return False


def add(call: Call, data: dict) -> bool | None:
    log = _log("add", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    source = php_string(data.get("hostname"))
    host = trim(data.get("hostname"))
    filter_spam = 1 if isset(data, "filter_spam") and _equals_one(data["filter_spam"]) else 0
    if _IPV6_LIKE.match(host) or _IPV4_LIKE.match(host):
        hosts = [host]
    else:
        hosts = list(RESOLVES.get(host.lower().rstrip("."), []))
    if not hosts:
        call.danger(log, ["invalid_host", htmlspecialchars(host)])
        return False
    for address in hosts:
        _hset(call.conn, HOSTS, address, source)
        if filter_spam == 0:
            _hset(call.conn, KEEP_SPAM, address, "1")
        else:
            _hdel(call.conn, KEEP_SPAM, address)
    call.success(log, ["forwarding_host_added", htmlspecialchars(", ".join(hosts))])
    return None


def edit(call: Call, data: dict) -> bool | None:
    log = _log("edit", data)
    if not call.admin:
        call.danger(log, "access_denied")
        return False
    for current in map_rows.found(call, log, as_array(data.get("fwdhost")),
                                  lambda host: details(call.conn, host)):
        # Without keep_spam Mailcow compares "yes"/"no" with 1, which never matches.
        keep_spam = map_rows.kept(data, "keep_spam", current)
        if _equals_one(keep_spam):
            _hset(call.conn, KEEP_SPAM, current["host"], "1")
        else:
            _hdel(call.conn, KEEP_SPAM, current["host"])
        call.success(log, ["object_modified", htmlspecialchars(current["host"])])
    return None


def delete(call: Call, data: dict) -> bool | None:
    log = _log("delete", data)
    for host in as_array(data.get("forwardinghost")):
        field = php_string(host)
        _hdel(call.conn, HOSTS, field)
        _hdel(call.conn, KEEP_SPAM, field)
        call.success(log, ["forwarding_host_removed", htmlspecialchars(field)])
    return None


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return map_rows.get(obj, lambda: _all(call.conn), lambda o: details(call.conn, o),
                        null_element=False)


def seed_demo(call: Call) -> None:
    """Forwarding hosts for the demo data: one address, and a name that resolves to two."""
    add(call, {"hostname": "192.0.2.10", "filter_spam": "0"})
    add(call, {"hostname": "relay.partner.example", "filter_spam": "1"})


ADD = {"fwdhost": add}
EDIT = {"fwdhost": ("fwdhost", edit)}
DELETE = {"fwdhost": ("forwardinghost", None, delete)}
GET = {"fwdhost": _get}
