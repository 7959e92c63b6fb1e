"""Time-limited aliases (Mailcow's `spamalias` table): add, delete and get with the rules
of mailbox('add'|'delete'|'get', 'time_limited_alias…') (recordings 42, 43, B5).

Mailcow draws the address itself (two pronounceable words at the mailbox's domain or one
of its alias domains) and stores the expiry as Unix seconds; expired ones are no longer
listed and no longer deliver.
"""
from __future__ import annotations

import random
import re
import sqlite3
import time
from typing import Any

from ..access import mailbox_access
from ..php import as_array, htmlspecialchars, is_email, php_string
from ..report import Call, mailbox_log
from ..store import now

SCHEMA = """
CREATE TABLE IF NOT EXISTS spamalias (
  address TEXT PRIMARY KEY COLLATE NOCASE,
  goto TEXT NOT NULL COLLATE NOCASE,
  description TEXT,
  validity INTEGER NOT NULL,
  created TEXT NOT NULL,
  modified TEXT,
  permanent INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS spamalias_goto ON spamalias (goto);
"""

VALIDITY_MAX = 87600       # hours (ten years)
VALIDITY_DEFAULT = 8760    # one year when none is given
CONSONANTS = "bcdfghjklmnpqrstvwxyz"
VOWELS = "aeiou"


def _readable(length: int) -> str:
    """readable_random_string(): consonant, vowel, consonant…"""
    return "".join(random.choice(CONSONANTS if i % 2 == 0 else VOWELS) for i in range(length))


def _valid_hours(value: Any) -> int | None:
    """filter_var(FILTER_VALIDATE_INT) within 1..87600."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*[+-]?(0|[1-9]\d*)\s*", value):
        number = int(value)
    else:
        return None
    return number if 1 <= number <= VALIDITY_MAX else None


def _domains_of(conn: sqlite3.Connection, username: str) -> list[str]:
    row = conn.execute("SELECT domain FROM mailbox WHERE username = ?", (username,)).fetchone()
    if row is None:
        return []
    aliases = [r["alias_domain"] for r in conn.execute(
        "SELECT alias_domain FROM alias_domain WHERE target_domain = ?", (row["domain"],))]
    return [row["domain"], *aliases]


def _taken(conn: sqlite3.Connection, address: str) -> bool:
    return conn.execute("SELECT 1 FROM spamalias WHERE address = ? UNION ALL "
                        "SELECT 1 FROM alias WHERE address = ?", (address, address)
                        ).fetchone() is not None


def add(call: Call, data: dict) -> bool:
    log = mailbox_log("add", "time_limited_alias", data)
    username = data.get("username")
    if not (isinstance(username, str) and is_email(username)) or \
            not mailbox_access(call, username):
        call.danger(log, "access_denied")
        return False
    hours = VALIDITY_DEFAULT
    if data.get("validity") is not None:
        hours = _valid_hours(data["validity"])
        if hours is None:
            call.danger(log, "validity_missing")
            return False
    domain = php_string(data.get("domain")) if not isinstance(data.get("domain"),
                                                               (list, dict)) else ""
    if domain.lower() not in [d.lower() for d in _domains_of(call.conn, username)]:
        call.danger(log, "domain_invalid")
        return False
    while True:
        address = (f"{_readable(random.randint(3, 9))}.{_readable(random.randint(3, 9))}"
                   f"@{domain}")
        if not _taken(call.conn, address):
            break
    description = data.get("description")
    description = "" if description is None or isinstance(description, (list, dict)) \
        else php_string(description)
    permanent = 1 if data.get("permanent") in (True, 1, "1", "true", "on") else 0
    call.conn.execute(
        "INSERT INTO spamalias (address, goto, description, validity, created, permanent)"
        " VALUES (?, ?, ?, ?, ?, ?)",
        (address, username, description, int(time.time()) + hours * 3600, now(), permanent))
    call.success(log, ["mailbox_modified", username])
    return True


def delete(call: Call, data: dict) -> bool | None:
    log = mailbox_log("delete", "time_limited_alias", data)
    for address in as_array(data.get("address")):
        text = php_string(address) if not isinstance(address, (list, dict)) else ""
        row = call.conn.execute("SELECT goto FROM spamalias WHERE address = ?",
                                (text,)).fetchone()
        if row is None or not mailbox_access(call, row["goto"]):
            call.danger(log, "access_denied")
            continue
        call.conn.execute("DELETE FROM spamalias WHERE address = ?", (text,))
        call.success(log, ["mailbox_modified", htmlspecialchars(row["goto"])])
    return None


def of_mailbox(call: Call, username: Any) -> list[dict]:
    """The aliases still valid (or permanent), oldest first."""
    if not isinstance(username, str) or not mailbox_access(call, username):
        return []
    rows = call.conn.execute(
        "SELECT * FROM spamalias WHERE goto = ? AND (validity >= ? OR permanent = 1)"
        " ORDER BY created, address", (username, int(time.time())))
    return [{"address": r["address"], "goto": r["goto"], "description": r["description"],
             "validity": r["validity"], "created": r["created"], "modified": r["modified"],
             "permanent": r["permanent"]} for r in rows]


def _get(call: Call, obj, extra, args) -> tuple[Any, bool]:
    return of_mailbox(call, obj), False


def drop_mailbox(conn: sqlite3.Connection, username: str) -> None:
    conn.execute("DELETE FROM spamalias WHERE goto = ?", (username,))


ADD = {"time_limited_alias": add}
DELETE = {"time_limited_alias": ("address", None, delete)}
GET = {"time_limited_aliases": _get}


def seed_demo(call: Call) -> None:
    """Demo data: a throw-away address given to a shop, valid for a month."""
    add(call, {"username": "alice.smith@example.org", "domain": "example.org",
               "description": "online shop", "validity": 720, "permanent": False})
