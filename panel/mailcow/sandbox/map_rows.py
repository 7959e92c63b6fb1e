"""Row handling the id-keyed areas share (bcc, recipient_map, tls-policy-map, transport,
relayhost, fwdhost; filters and sync jobs, whose rows belong to a mailbox): find a row by
id, list them, walk the rows an edit names (with the active flag it ends up with), take a
posted value or keep the current one, write an edit with its `modified` stamp, delete by
id, and the get answer. Mailcow's functions for these areas repeat the same steps.

A helper beside php.py and report.py, not under areas/, so the area discovery (and the
schema text whose checksum versions the sandbox file) stays exactly as it was.
"""
from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from .access import mailbox_access
from .php import as_array, empty, intval, listed, php_string
from .report import Call
from .store import now

# is_numeric() as mailbox('delete', 'filter'|'syncjob') checks each id.
_NUMERIC_ID = re.compile(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?\s*")


def is_numeric(text: str) -> bool:
    """PHP is_numeric() for the ids Mailcow gets: optional sign, digits, a decimal part."""
    try:
        float(text.strip(" \t\n\r\v\f"))
    except ValueError:
        return False
    return not text.rstrip().endswith(("inf", "nan", "Infinity"))


def row(conn: sqlite3.Connection, table: str, map_id: Any) -> sqlite3.Row | None:
    """The row with this id (PHP's intval of it); none for a missing, list or dict id."""
    if map_id is None or isinstance(map_id, (list, dict)):
        return None
    return conn.execute(f"SELECT * FROM {table} WHERE id = ?", (intval(map_id),)).fetchone()


def every(conn: sqlite3.Connection, table: str,
          details: Callable[[sqlite3.Connection, Any], dict | None],
          keep: Callable[[sqlite3.Row], bool] | None = None) -> list[dict]:
    """`details` of each row `keep` lets through, in id order."""
    ids = [r["id"] for r in conn.execute(f"SELECT * FROM {table} ORDER BY id")
           if keep is None or keep(r)]
    return [d for d in (details(conn, i) for i in ids) if d]


def kept(data: dict, key: str, current: dict, *, when: str = "isset",
         convert: Callable[[Any], Any] | None = None) -> Any:
    """The value an edit posts for `key` if Mailcow takes it (`isset`, `nonempty`: !empty,
    `number`: isset and not ""), passed through `convert`; else the current one as is."""
    value = data.get(key)
    taken = {"isset": value is not None,
             "nonempty": not empty(value),
             "number": value is not None and value != ""}[when]
    if not taken:
        return current[key]
    return value if convert is None else convert(value)


def found(call: Call, log: list, items: list, find: Callable[[Any], dict | None],
          missing: Callable[[Any], Any] = lambda item: "access_denied") -> Iterator[dict]:
    """What `find` gives for each item an edit names, one at a time. An item it gives
    nothing for: the message `missing(item)`, and on to the next."""
    for item in items:
        current = find(item)
        if current is None:
            call.danger(log, missing(item))
            continue
        yield current


def edited(call: Call, log: list, data: dict,
           find: Callable[[Any], dict | None]) -> Iterator[tuple[dict, int]]:
    """Each row an edit's ids name, with its new active flag (the one sent, else the
    current one). An id `find` gives nothing for: `access_denied`, and on to the next."""
    for current in found(call, log, as_array(data.get("id")), find):
        yield current, kept(data, "active", current, convert=intval)


def update(conn: sqlite3.Connection, table: str, map_id: int, values: dict[str, Any]) -> None:
    """Write `values` to the row, stamping `modified` only when one of them changes (the
    ON UPDATE CURRENT_TIMESTAMP of Mailcow's tables)."""
    sets = ", ".join(f"{column} = ?" for column in values)
    changed = " OR ".join(f"{column} IS NOT ?" for column in values)
    conn.execute(f"UPDATE {table} SET {sets}, modified = CASE WHEN {changed} THEN ?"
                 " ELSE modified END WHERE id = ?",
                 (*values.values(), *values.values(), now(), map_id))


def delete(call: Call, log: list, data: dict, table: str, deleted: Callable[[Any], Any],
           allowed: Callable[[int], bool] | None = None) -> bool | None:
    """Delete the rows the ids name (global or domain administrators only). A non-numeric
    id stops there without a message; an id `allowed` refuses: `access_denied`. Each
    deletion reports `deleted(id as sent)`."""
    if not call.admin:
        return False
    for map_id in as_array(data.get("id")):
        if not (isinstance(map_id, int) or (isinstance(map_id, str) and is_numeric(map_id))):
            return False
        if allowed is not None and not allowed(intval(map_id)):
            call.danger(log, "access_denied")
            continue
        call.conn.execute(f"DELETE FROM {table} WHERE id = ?", (intval(map_id),))
        call.success(log, deleted(map_id))
    return None


def owned_ids(call: Call, table: str, owner: str, username: Any) -> list[int]:
    """The ids of the rows that belong to the mailbox `username` (filters, sync jobs), in
    id order; none if the caller may not manage it."""
    if not mailbox_access(call, username):
        return []
    rows = call.conn.execute(f"SELECT id FROM {table} WHERE {owner} = ? ORDER BY id",
                             (username,))
    return [r["id"] for r in rows]


def delete_owned(call: Call, log: list, data: dict, table: str, owner: str,
                 deleted: str) -> bool:
    """mailbox('delete', …) for rows that belong to a mailbox (filters, sync jobs): a
    non-numeric id stops there without a word; a row that is missing or whose `owner`
    mailbox the caller may not manage: `access_denied`. Each deletion reports
    [`deleted`, id as sent]."""
    for row_id in listed(data.get("id")):
        if isinstance(row_id, (list, dict, bool)) or \
                not _NUMERIC_ID.fullmatch(php_string(row_id)):
            return False
        found = call.conn.execute(f"SELECT {owner} FROM {table} WHERE id = ?",
                                  (intval(row_id),)).fetchone()
        if found is None or not mailbox_access(call, found[owner]):
            call.danger(log, "access_denied")
            continue
        call.conn.execute(f"DELETE FROM {table} WHERE id = ?", (intval(row_id),))
        call.success(log, [deleted, row_id])
    return True


def get(obj: Any, every_row: Callable[[], list[dict]], one: Callable[[Any], dict | None],
        null_element: bool = True) -> tuple[Any, bool]:
    """`get/<area>/all` lists them; `get/<area>/<id>` gives one, or null. With
    `null_element`, a found map carries the null element json_api.php appends for the
    address-rewriting areas (an undefined $details)."""
    if obj == "all":
        return every_row(), True
    found = one(obj)
    if not null_element:
        return found, True
    return ({**found, 0: None} if found else None), True
