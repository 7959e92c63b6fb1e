"""Mailcow resources (bookable rooms, groups, things): typed records and their calls.

Mailcow has neither a search route nor a per-domain list for resources: `get/resource/all`
walks every domain, so lists come whole and are filtered and paged by MailApp. Mailcow
derives a resource's address from its description ("Room 1" -> Room1@domain) and never
changes it afterwards; edits change description, kind, bookings and active only.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag

KINDS = ("location", "group", "thing")
# How the resource answers invitations in SOGo; Mailcow stores one number for all three.
ALWAYS_FREE, SOFT_LIMIT, HARD_LIMIT = "free", "soft", "hard"
BOOKING_MODES = (ALWAYS_FREE, SOFT_LIMIT, HARD_LIMIT)


def address_part(description: str) -> str:
    """The local part Mailcow makes of a description: its ASCII letters and digits."""
    return "".join(c for c in description if c.isascii() and c.isalnum())


def bookings_number(mode: str, limit: int | None = None) -> int:
    """Mailcow's multiple_bookings: 0 always free, -1 soft limit, n > 0 a hard limit."""
    if mode == ALWAYS_FREE:
        return 0
    if mode == SOFT_LIMIT:
        return -1
    if mode == HARD_LIMIT and limit and limit > 0:
        return int(limit)
    raise ValueError(f"no booking number for {mode!r} with limit {limit!r}")


def bookings_mode(number: int) -> tuple[str, int | None]:
    """(mode, hard limit or None) for Mailcow's multiple_bookings number."""
    if number == 0:
        return ALWAYS_FREE, None
    if number < 0:
        return SOFT_LIMIT, None
    return HARD_LIMIT, number


@dataclass(frozen=True)
class Resource:
    name: str                # the address, e.g. Room1@example.org
    description: str
    kind: str                # location, group or thing
    domain: str
    local_part: str
    multiple_bookings: int   # see bookings_mode()
    active: bool

    @property
    def booking_mode(self) -> str:
        return bookings_mode(self.multiple_bookings)[0]

    @property
    def booking_limit(self) -> int | None:
        return bookings_mode(self.multiple_bookings)[1]


@dataclass
class ResourceSettings:
    """What add and edit send; `limit` only counts for the hard-limit mode."""

    description: str
    kind: str = "location"
    booking_mode: str = ALWAYS_FREE
    booking_limit: int | None = None
    active: bool = True

    def wire(self) -> dict:
        number = bookings_number(self.booking_mode, self.booking_limit)
        # As Mailcow's own form posts it: the number, plus the select and custom box.
        return {
            "description": self.description,
            "kind": self.kind,
            "multiple_bookings": str(number),
            "multiple_bookings_select": "custom" if number > 0 else str(number),
            "multiple_bookings_custom": str(number) if number > 0 else "",
            "active": flag(self.active),
        }

    @classmethod
    def of(cls, resource: Resource) -> "ResourceSettings":
        return cls(description=resource.description, kind=resource.kind,
                   booking_mode=resource.booking_mode, booking_limit=resource.booking_limit,
                   active=resource.active)


def from_wire(d: dict) -> Resource:
    name = str(d["name"])
    return Resource(
        name=name,
        description=str(d.get("description") or ""),
        kind=str(d.get("kind") or ""),
        domain=str(d.get("domain") or name.rpartition("@")[2]),
        local_part=str(d.get("local_part") or name.partition("@")[0]),
        multiple_bookings=as_int(d.get("multiple_bookings")),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
    )


def _items(data: Any) -> list[Resource]:
    # Mailcow answers {} rather than [] when there are none.
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("name")] \
        if isinstance(data, list) else []


def added_name(outcome: Outcome) -> str | None:
    """The new address from ["resource_added", name] in add's answer."""
    for entry in outcome.raw:
        msg = entry.get("msg")
        if isinstance(msg, list) and len(msg) >= 2 and msg[0] == "resource_added":
            return str(msg[1])
    return None


class ResourcesApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self, name: str) -> Resource:
        data = self.client.get("resource/" + quote(name, safe="@"))
        if not isinstance(data, dict) or not data.get("name"):
            raise NotFound(f"Resource {name} does not exist")
        return from_wire(data)

    def all(self) -> list[Resource]:
        """Every resource of every domain."""
        return _items(self.client.get("resource/all"))

    def in_domains(self, domains: list[str]) -> list[Resource]:
        """The resources of these domains (fetched whole: Mailcow has no narrower route)."""
        wanted = {d.lower() for d in domains if d}
        if not wanted:
            return []
        return [r for r in self.all() if r.domain.lower() in wanted]

    def add(self, domain: str, settings: ResourceSettings) -> Outcome:
        return self.client.write("add", "resource", {"domain": domain, **settings.wire()})

    def edit(self, name: str, settings: ResourceSettings) -> Outcome:
        return self.client.write("edit", "resource", {"items": [name], "attr": settings.wire()})

    def set_active_many(self, names: list[str], active: bool) -> Outcome:
        """One edit call for all of them: Mailcow applies `attr` to every item."""
        return self.client.write("edit", "resource", {"items": list(names),
                                                      "attr": {"active": flag(active)}})

    def delete(self, names: list[str]) -> Outcome:
        return self.client.write("delete", "resource", list(names))
