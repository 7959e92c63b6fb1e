"""Mailcow recipient maps: typed records and their calls.

A map rewrites the envelope recipient before delivery: mail for the original recipient
(an address, or "@domain" for a whole domain) is delivered to the new recipient instead.
Mailcow lets only global administrators manage them and has no search route for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag, parse_time


@dataclass(frozen=True)
class RecipientMap:
    id: int
    old: str               # "@example.org" for a whole domain, else an address
    new: str
    active: bool
    created: datetime | None = None
    modified: datetime | None = None

    @property
    def old_display(self) -> str:
        return self.old[1:] if self.old.startswith("@") else self.old


@dataclass
class RecipientMapSettings:
    old: str
    new: str
    active: bool = True

    def wire(self) -> dict:
        return {"recipient_map_old": self.old, "recipient_map_new": self.new,
                "active": flag(self.active)}

    @classmethod
    def of(cls, m: RecipientMap) -> "RecipientMapSettings":
        return cls(old=m.old_display, new=m.new, active=m.active)


def from_wire(d: dict) -> RecipientMap:
    return RecipientMap(
        id=as_int(d.get("id")),
        old=str(d.get("recipient_map_old") or ""),
        new=str(d.get("recipient_map_new") or ""),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


def _items(data: Any) -> list[RecipientMap]:
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("id")] \
        if isinstance(data, list) else []


class RecipientMapsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[RecipientMap]:
        return _items(self.client.get("recipient_map/all"))

    def get(self, map_id: int) -> RecipientMap:
        data = self.client.get(f"recipient_map/{int(map_id)}")
        if not isinstance(data, dict) or not data.get("id"):
            raise NotFound(f"Recipient map {map_id} does not exist")
        return from_wire(data)

    def add(self, settings: RecipientMapSettings) -> Outcome:
        return self.client.write("add", "recipient_map", settings.wire())

    def edit(self, map_id: int, settings: RecipientMapSettings) -> Outcome:
        return self.client.write("edit", "recipient_map", {"items": [int(map_id)],
                                                           "attr": settings.wire()})

    def set_active_many(self, ids: list[int], active: bool) -> Outcome:
        return self.client.write("edit", "recipient_map", {"items": [int(i) for i in ids],
                                                           "attr": {"active": flag(active)}})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "recipient_map", [int(i) for i in ids])
