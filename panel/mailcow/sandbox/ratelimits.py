"""Rate limits per domain or mailbox (Mailcow keeps them in Redis as "10 / 1s")."""
from __future__ import annotations

import sqlite3
from typing import Any

from .access import domain_access, mailbox_access
from .php import empty, intval, listed
from .report import Call
from .store import chunks, marks

FRAMES = ("s", "m", "h", "d")


def values(conn: sqlite3.Connection, objects: list[str]) -> dict[str, dict]:
    """{object: {"value": "10", "frame": "s"}} for those that have a limit."""
    found: dict[str, dict] = {}
    for batch in chunks(objects):
        for row in conn.execute(
                f"SELECT object, value, frame FROM ratelimit WHERE object IN ({marks(batch)})",
                batch):
            found[row["object"]] = {"value": str(row["value"]), "frame": row["frame"]}
    return found


def get(call: Call, scope: str, obj: Any) -> dict | bool:
    allowed = domain_access(call, obj) if scope == "domain" else mailbox_access(call, obj)
    if not allowed:
        return False
    return values(call.conn, [obj]).get(obj, False)


def edit(call: Call, scope: str, data: dict) -> bool:
    """ratelimit('edit', scope): one rl_saved per object, or why not."""
    log = ["ratelimit", "edit", scope, data]
    for obj in listed(data.get("object")):
        rl_value = intval(data.get("rl_value"))
        rl_frame = data.get("rl_frame")
        if not isinstance(rl_frame, str) or rl_frame not in FRAMES:
            call.danger(log, "rl_timeframe")
            continue
        allowed = domain_access(call, obj) if scope == "domain" else mailbox_access(call, obj)
        if not allowed:
            call.danger(log, "access_denied")
            continue
        if empty(rl_value):
            call.conn.execute("DELETE FROM ratelimit WHERE object = ?", (obj,))
        else:
            call.conn.execute(
                "INSERT INTO ratelimit (object, value, frame) VALUES (?, ?, ?) "
                "ON CONFLICT (object) DO UPDATE SET value = excluded.value, frame = excluded.frame",
                (obj, rl_value, rl_frame))
        call.success(log, ["rl_saved", obj])
    return True


def drop(conn: sqlite3.Connection, obj: str) -> None:
    conn.execute("DELETE FROM ratelimit WHERE object = ?", (obj,))
