"""Mailcow transport maps: typed records without their passwords.

`get/transport/all` returns each entry's password in clear; this adapter drops it at once
and keeps only whether one is set. Postfix keys credentials by next hop, so Mailcow
rewrites username and password of *every* entry with the same next hop on each add and
edit. Mailcow answers `{}` when there are none.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.id_records import all_by_id, one_by_id
from panel.mailcow.relayhosts import CLEAR, CREDENTIALS_AUDIT, KEEP, REPLACE, password_attr
from panel.mailcow.wire import as_int, flag

__all__ = ["Transport", "TransportSettings", "TransportsApi", "KEEP", "REPLACE", "CLEAR",
           "split_destinations"]


def split_destinations(text: str) -> list[str]:
    """Mailcow's split of the destination box: spaces, commas, semicolons, new lines."""
    seen: list[str] = []
    for part in re.split(r"[ ,;\n]", text or ""):
        part = part.strip()
        if part and part not in seen:
            seen.append(part)
    return seen


@dataclass(frozen=True)
class Transport:
    id: int
    destination: str
    nexthop: str
    username: str
    password_set: bool
    is_mx_based: bool   # destination is a regular expression matched against the MX
    active: bool

    def __repr__(self) -> str:
        return f"Transport(id={self.id}, destination={self.destination!r})"


@dataclass
class TransportSettings:
    """What add and edit send. `password` only counts with `password_action` REPLACE."""

    destination: str
    nexthop: str
    username: str = ""
    password: str = ""
    password_action: str = REPLACE
    is_mx_based: bool = False
    active: bool = True

    def __repr__(self) -> str:  # never print the password
        return (f"TransportSettings(destination={self.destination!r}, "
                f"nexthop={self.nexthop!r}, username={self.username!r}, "
                f"password_action={self.password_action!r})")

    def add_wire(self) -> dict:
        return {"destination": self.destination, "nexthop": self.nexthop,
                "username": self.username,
                "password": self.password if self.password_action == REPLACE else "",
                "is_mx_based": flag(self.is_mx_based), "active": flag(self.active)}

    def edit_wire(self) -> dict:
        return {"destination": self.destination, "nexthop": self.nexthop,
                "username": self.username, "is_mx_based": flag(self.is_mx_based),
                "active": flag(self.active), **password_attr(self.password_action, self.password)}

    def audit_view(self) -> dict:
        return {"destination": self.destination, "nexthop": self.nexthop,
                "username": self.username, "is_mx_based": self.is_mx_based,
                "active": self.active,
                "credentials": CREDENTIALS_AUDIT[self.password_action]}


def from_wire(d: dict) -> Transport:
    return Transport(
        id=as_int(d.get("id")),
        destination=str(d.get("destination") or ""),
        nexthop=str(d.get("nexthop") or ""),
        username=str(d.get("username") or ""),
        password_set=bool(d.get("password")),
        is_mx_based=as_int(d.get("is_mx_based")) == 1,
        active=as_int(d.get("active_int", d.get("active"))) == 1,
    )


class TransportsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[Transport]:
        return all_by_id(self.client.get("transport/all"), from_wire)

    def get(self, transport_id: int) -> Transport:
        return one_by_id(self.client.get(f"transport/{int(transport_id)}"), from_wire,
                         f"Transport map entry {transport_id} does not exist")

    def add(self, settings: TransportSettings) -> Outcome:
        return self.client.write("add", "transport", settings.add_wire())

    def edit(self, transport_id: int, settings: TransportSettings) -> Outcome:
        return self.client.write("edit", "transport", {"items": [str(transport_id)],
                                                       "attr": settings.edit_wire()})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "transport", [str(i) for i in ids])
