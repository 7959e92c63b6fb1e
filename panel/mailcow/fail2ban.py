"""Mailcow's fail2ban (netfilter): options, allow/deny lists, regular expressions, bans.

`get/fail2ban` returns everything in one object; `edit/fail2ban` takes the options with
`items: ["none"]`, or networks with an action (unban, whitelist, blacklist), or the
regex actions (edit-regex, reset-regex). Lists travel as one text, one entry per line.
"""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass, field
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int, flag

_REMAINING = re.compile(r"^\s*(-?\d+)h\s+(-?\d+)m\s+(-?\d+)s\s*$")
_HOST_LABEL = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$")


def remaining_seconds(text: Any) -> int | None:
    """Mailcow's "00h 29m 59s" as seconds; None when it is not in that form."""
    match = _REMAINING.match(str(text or ""))
    if not match:
        return None
    h, m, s = (int(g) for g in match.groups())
    return max(0, h * 3600 + m * 60 + s)


def valid_network(value: str) -> bool:
    """An IPv4/IPv6 address, optionally with a prefix length, as Mailcow accepts it."""
    address, slash, prefix = value.partition("/")
    try:
        version = ipaddress.ip_address(address).version
    except ValueError:
        return False
    if not slash:
        return True
    if not prefix.isdigit():
        return False
    return 0 <= int(prefix) <= (32 if version == 4 else 128)


def valid_hostname(value: str) -> bool:
    """A host name as PHP's FILTER_VALIDATE_DOMAIN with FILTER_FLAG_HOSTNAME sees it."""
    if not value or len(value) > 253:
        return False
    labels = value[:-1].split(".") if value.endswith(".") else value.split(".")
    return all(_HOST_LABEL.match(label) for label in labels)


def split_list(text: str) -> list[str]:
    """Entries as Mailcow splits a list: on spaces, commas, semicolons and new lines."""
    return [e.strip() for e in re.split(r"[ ,;\n\r\t]", text or "") if e.strip()]


@dataclass(frozen=True)
class Ban:
    network: str
    ip: str
    remaining: int | None      # seconds, None if Mailcow's text could not be read
    remaining_text: str
    queued_for_unban: bool


@dataclass
class Fail2banSettings:
    """The options `edit/fail2ban` takes with items ["none"]."""

    ban_time: int = 1800
    ban_time_increment: bool = True
    max_ban_time: int = 10000
    max_attempts: int = 10
    retry_window: int = 600
    netban_ipv4: int = 32
    netban_ipv6: int = 128
    whitelist: list[str] = field(default_factory=list)
    blacklist: list[str] = field(default_factory=list)
    manage_external: bool = False

    def wire(self) -> dict:
        # In the order Mailcow's own form posts them (recording 68).
        return {"ban_time": str(self.ban_time), "ban_time_increment": flag(self.ban_time_increment),
                "max_ban_time": str(self.max_ban_time), "max_attempts": str(self.max_attempts),
                "retry_window": str(self.retry_window), "netban_ipv4": str(self.netban_ipv4),
                "netban_ipv6": str(self.netban_ipv6), "whitelist": "\n".join(self.whitelist),
                "blacklist": "\n".join(self.blacklist),
                "manage_external": flag(self.manage_external), "banlist_id": ""}


@dataclass(frozen=True)
class Fail2banState:
    settings: Fail2banSettings
    banlist_id: str
    regex: tuple[tuple[int, str], ...]
    active_bans: tuple[Ban, ...]
    perm_bans: tuple[str, ...]


def _bool(value: Any) -> bool:
    return value is True or as_int(value) == 1


def _lines(value: Any) -> list[str]:
    return split_list(value) if isinstance(value, str) else []


def from_wire(d: dict) -> Fail2banState:
    settings = Fail2banSettings(
        ban_time=as_int(d.get("ban_time")), ban_time_increment=_bool(d.get("ban_time_increment")),
        max_ban_time=as_int(d.get("max_ban_time")), max_attempts=as_int(d.get("max_attempts")),
        retry_window=as_int(d.get("retry_window")), netban_ipv4=as_int(d.get("netban_ipv4")),
        netban_ipv6=as_int(d.get("netban_ipv6")), whitelist=_lines(d.get("whitelist")),
        blacklist=_lines(d.get("blacklist")), manage_external=_bool(d.get("manage_external")))
    regex = d.get("regex")
    pairs = sorted(((as_int(k), str(v)) for k, v in regex.items()), key=lambda p: p[0]) \
        if isinstance(regex, dict) else [(n, str(v)) for n, v in enumerate(regex, start=1)] \
        if isinstance(regex, list) else []
    bans = []
    for ban in d.get("active_bans") or []:
        if not isinstance(ban, dict) or not ban.get("network"):
            continue
        network = str(ban["network"])
        bans.append(Ban(network, str(ban.get("ip") or network.split("/")[0]),
                        remaining_seconds(ban.get("banned_until")),
                        str(ban.get("banned_until") or ""), _bool(ban.get("queued_for_unban"))))
    perm = tuple(str(p["network"]) for p in d.get("perm_bans") or []
                 if isinstance(p, dict) and p.get("network"))
    return Fail2banState(settings, str(d.get("banlist_id") or ""), tuple(pairs), tuple(bans),
                         perm)


class Fail2banApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self) -> Fail2banState:
        data = self.client.get("fail2ban")
        return from_wire(data if isinstance(data, dict) else {})

    def save(self, settings: Fail2banSettings) -> Outcome:
        return self.client.write("edit", "fail2ban", {"items": ["none"], "attr": settings.wire()})

    def _network_action(self, action: str, networks: list[str]) -> Outcome:
        return self.client.write("edit", "fail2ban", {"items": list(networks),
                                                      "attr": {"action": action}})

    def unban(self, networks: list[str]) -> Outcome:
        """Queue the networks for unbanning; netfilter lifts the bans within seconds."""
        return self._network_action("unban", networks)

    def allow(self, networks: list[str]) -> Outcome:
        """Add to the allow list (Mailcow: whitelist); also lifts their bans."""
        return self._network_action("whitelist", networks)

    def deny(self, networks: list[str]) -> Outcome:
        """Add to the deny list (Mailcow: blacklist): banned for good."""
        return self._network_action("blacklist", networks)

    def save_regex(self, patterns: list[str]) -> Outcome:
        return self.client.write("edit", "fail2ban", {"items": ["none"],
                                                      "attr": {"action": "edit-regex",
                                                               "regex": list(patterns)}})

    def reset_regex(self) -> Outcome:
        return self.client.write("edit", "fail2ban", {"items": ["none"],
                                                      "attr": {"action": "reset-regex"}})


def banlist_url(hostname: str, banlist_id: str) -> str:
    """Mailcow's external ban list: one banned network per line, for other firewalls."""
    return f"https://{hostname}/f2b-banlist?id={banlist_id}"
