"""Mailcow BCC maps: typed records and their calls.

A map sends a silent copy of every message a local destination sends (type "sender") or
receives (type "rcpt") to one BCC address. The local destination is a domain, stored by
Mailcow as "@domain", or a mailbox or alias address; Mailcow never changes it after
creation. Mailcow has no search route for these: the list comes whole.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag, parse_time

SENDER, RECIPIENT = "sender", "rcpt"
TYPES = (SENDER, RECIPIENT)


@dataclass(frozen=True)
class BccMap:
    id: int
    local_dest: str        # "@example.org" for a whole domain, else an address
    bcc_dest: str
    type: str              # "sender" or "rcpt"
    domain: str
    active: bool
    created: datetime | None = None
    modified: datetime | None = None

    @property
    def whole_domain(self) -> bool:
        return self.local_dest.startswith("@")

    @property
    def local_display(self) -> str:
        """The local destination as the user typed it: a domain without its "@"."""
        return self.local_dest[1:] if self.whole_domain else self.local_dest


@dataclass
class BccSettings:
    """What add sends; edit sends all but the local destination."""

    local_dest: str
    bcc_dest: str
    type: str = SENDER
    active: bool = True

    def wire(self) -> dict:
        return {"local_dest": self.local_dest, "bcc_dest": self.bcc_dest, "type": self.type,
                "active": flag(self.active)}

    def edit_wire(self) -> dict:
        return {"bcc_dest": self.bcc_dest, "type": self.type, "active": flag(self.active)}

    @classmethod
    def of(cls, m: BccMap) -> "BccSettings":
        return cls(local_dest=m.local_display, bcc_dest=m.bcc_dest, type=m.type,
                   active=m.active)


def from_wire(d: dict) -> BccMap:
    local = str(d.get("local_dest") or "")
    return BccMap(
        id=as_int(d.get("id")),
        local_dest=local,
        bcc_dest=str(d.get("bcc_dest") or ""),
        type=str(d.get("type") or ""),
        domain=str(d.get("domain") or local.rpartition("@")[2]).lower(),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


def _items(data: Any) -> list[BccMap]:
    # Mailcow answers {} rather than [] when there are none.
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("id")] \
        if isinstance(data, list) else []


class BccApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[BccMap]:
        return _items(self.client.get("bcc/all"))

    def get(self, map_id: int) -> BccMap:
        data = self.client.get(f"bcc/{int(map_id)}")
        if not isinstance(data, dict) or not data.get("id"):
            raise NotFound(f"BCC map {map_id} does not exist")
        return from_wire(data)

    def add(self, settings: BccSettings) -> Outcome:
        return self.client.write("add", "bcc", settings.wire())

    def edit(self, map_id: int, settings: BccSettings) -> Outcome:
        return self.client.write("edit", "bcc", {"items": [int(map_id)],
                                                 "attr": settings.edit_wire()})

    def set_active_many(self, ids: list[int], active: bool) -> Outcome:
        """One edit call for all of them: Mailcow applies `attr` to every item."""
        return self.client.write("edit", "bcc", {"items": [int(i) for i in ids],
                                                 "attr": {"active": flag(active)}})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "bcc", [int(i) for i in ids])
