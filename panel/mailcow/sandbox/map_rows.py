"""Row handling the id-keyed map areas share (bcc, recipient_map, tls-policy-map): find a row
by id, list them, walk the rows an edit names with the active flag it ends up with, delete
by id, and the get answer. Mailcow's functions for these areas repeat the same steps.

A helper beside php.py and report.py, not under areas/, so the area discovery (and the
schema text whose checksum versions the sandbox file) stays exactly as it was.
"""
from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from typing import Any

from .php import as_array, intval, isset
from .report import Call


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


def edited(call: Call, log: list, data: dict,
           find: Callable[[Any], dict | None]) -> Iterator[tuple[dict, int]]:
    """Each row an edit's ids name, with its new active flag (the one sent, else the
    current one). An id `find` gives nothing for: `access_denied`, and on to the next."""
    for map_id in as_array(data.get("id")):
        current = find(map_id)
        if current is None:
            call.danger(log, "access_denied")
            continue
        yield current, intval(data["active"]) if isset(data, "active") else current["active"]


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


def get(obj: Any, every_row: Callable[[], list[dict]],
        one: Callable[[Any], dict | None]) -> tuple[Any, bool]:
    """`get/<area>/all` lists them; `get/<area>/<id>` gives one with the null element
    json_api.php appends to a found map (an undefined $details), or null."""
    if obj == "all":
        return every_row(), True
    found = one(obj)
    return ({**found, 0: None} if found else None), True
