"""Mailcow's outgoing rate limits per domain (`rl-domain`) and per mailbox (`rl-mbox`).

A limit is a number of messages per time frame (s, m, h, d), kept by Mailcow in Redis
and enforced by Rspamd on mail the domain or mailbox sends. A mailbox without its own
limit falls under its domain's. Saving an empty value removes a limit.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int

FRAMES = ("s", "m", "h", "d")
DOMAIN, MAILBOX = "domain", "mailbox"
ROUTES = {DOMAIN: "rl-domain", MAILBOX: "rl-mbox"}


@dataclass(frozen=True)
class RateLimit:
    scope: str     # "domain" or "mailbox"
    target: str    # the domain name or the mailbox address
    value: int     # messages
    frame: str     # s, m, h or d

    @property
    def domain(self) -> str:
        return self.target.rpartition("@")[2].lower()


def _items(data: Any, scope: str) -> list[RateLimit]:
    if not isinstance(data, list):  # {} when none has a limit
        return []
    found = []
    for d in data:
        if not isinstance(d, dict) or not d.get(scope):
            continue
        value = as_int(d.get("value"))
        if value > 0 and d.get("frame") in FRAMES:
            found.append(RateLimit(scope, str(d[scope]), value, str(d["frame"])))
    return found


class RateLimitsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def domains(self) -> list[RateLimit]:
        """Every domain (and alias domain) that has a limit."""
        return _items(self.client.get("rl-domain/all"), DOMAIN)

    def mailboxes(self) -> list[RateLimit]:
        """Every mailbox that has a limit of its own."""
        return _items(self.client.get("rl-mbox/all"), MAILBOX)

    def get(self, scope: str, target: str) -> RateLimit | None:
        data = self.client.get(f"{ROUTES[scope]}/" + quote(target, safe="@"))
        if isinstance(data, dict) and as_int(data.get("value")) > 0 \
                and data.get("frame") in FRAMES:
            return RateLimit(scope, target, as_int(data["value"]), str(data["frame"]))
        return None

    def set(self, scope: str, target: str, value: int, frame: str) -> Outcome:
        if scope not in ROUTES or frame not in FRAMES or value < 1:
            raise ValueError(f"no rate limit {value!r}/{frame!r} for {scope!r}")
        return self.client.write("edit", ROUTES[scope], {
            "items": [target], "attr": {"rl_value": str(value), "rl_frame": frame}})

    def remove(self, scope: str, target: str) -> Outcome:
        # Mailcow deletes the limit for an empty value; the frame must still be valid.
        return self.client.write("edit", ROUTES[scope], {
            "items": [target], "attr": {"rl_value": "", "rl_frame": "s"}})
