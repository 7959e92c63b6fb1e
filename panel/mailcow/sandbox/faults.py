"""Injected failures, so tests can see how MailApp copes with a sick or misrouted Mailcow."""
from __future__ import annotations

import threading
import time
from dataclasses import dataclass

KINDS = ("http500", "delay", "html200")

# What php-fpm behind nginx sends when PHP dies with a fatal error.
ERROR_PAGE = """<!DOCTYPE html>
<html><head><title>500 Internal Server Error</title></head>
<body><center><h1>500 Internal Server Error</h1></center><hr><center>nginx</center></body>
</html>
"""

# What a reverse proxy or SSO gateway in front of the API answers instead of JSON.
LOGIN_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>mailcow UI</title></head>
<body><form method="post" action="/"><h1>Login</h1>
<input name="login_user" placeholder="Username"><input name="pass_user" type="password">
<button type="submit">Login</button></form></body></html>
"""


@dataclass
class Fault:
    kind: str
    path_prefix: str
    seconds: float
    remaining: int | None


class Faults:
    """Faults apply in the order injected; a count runs down once per matching request."""

    def __init__(self) -> None:
        self._faults: list[Fault] = []
        self._lock = threading.Lock()

    def add(self, kind: str, path_prefix: str, seconds: float, count: int | None) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown fault kind {kind!r}; use one of {', '.join(KINDS)}")
        if count is not None and count <= 0:
            return
        with self._lock:
            self._faults.append(Fault(kind, path_prefix, seconds, count))

    def clear(self) -> None:
        with self._lock:
            self._faults.clear()

    def take(self, path: str) -> list[Fault]:
        """The faults this request meets, each used up by one."""
        met = []
        with self._lock:
            for fault in list(self._faults):
                if not path.startswith(fault.path_prefix):
                    continue
                met.append(fault)
                if fault.remaining is not None:
                    fault.remaining -= 1
                    if fault.remaining <= 0:
                        self._faults.remove(fault)
        return met

    def answer(self, path: str) -> tuple[int, str] | None:
        """Sleep for delays; (status, html) for the first failure met, else None."""
        for fault in self.take(path):
            if fault.kind == "delay":
                time.sleep(fault.seconds)
            elif fault.kind == "http500":
                return 500, ERROR_PAGE
            else:
                return 200, LOGIN_PAGE
        return None
