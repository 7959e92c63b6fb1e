"""One API call's context and the message list Mailcow answers writes with."""
from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Call:
    """What Mailcow keeps in $_SESSION for one request.

    `admin` is True for any API key: Mailcow has no scoped keys, every key is a global
    admin. It is False for a request without a key, which Mailcow still runs through
    the add handlers (they then fail on their own access checks).
    """

    conn: sqlite3.Connection
    admin: bool
    messages: list[dict] = field(default_factory=list)

    def say(self, kind: str, log: list, msg: Any) -> None:
        self.messages.append({"type": kind, "log": log, "msg": msg})

    def success(self, log: list, msg: Any) -> None:
        self.say("success", log, msg)

    def danger(self, log: list, msg: Any) -> None:
        self.say("danger", log, msg)

    def warning(self, log: list, msg: Any) -> None:
        self.say("warning", log, msg)


def mailbox_log(action: str, kind: str, data_log: Any) -> list:
    """The `log` of everything mailbox() reports: its arguments plus an unset $_attr."""
    return ["mailbox", action, kind, data_log, None]


def masked(data: dict) -> dict:
    """$_data_log: the request attributes with password and password2 starred."""
    log = dict(data)
    for key in ("password", "password2"):
        if log.get(key) is not None:
            log[key] = "*"
    return log
