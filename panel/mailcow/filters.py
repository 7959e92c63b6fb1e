"""Mailcow sieve filters: per-mailbox prefilter/postfilter scripts and the global ones.

Dovecot runs, in order: the global prefilter, the user's active prefilter, the user's
own scripts (SOGo's filters, the vacation reply), the user's active postfilter, the
global postfilter. Mailcow keeps one active prefilter and one active postfilter per
mailbox: saving a script as active makes the others of that type inactive. Every
script is parsed when saved; a parse error comes back as ["sieve_error", message].
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.wire import as_int, flag

PREFILTER, POSTFILTER = "prefilter", "postfilter"
FILTER_TYPES = (PREFILTER, POSTFILTER)


@dataclass(frozen=True)
class Filter:
    id: int
    username: str
    filter_type: str
    description: str
    script: str
    active: bool

    @property
    def domain(self) -> str:
        return self.username.rpartition("@")[2].lower()


@dataclass
class FilterSettings:
    filter_type: str
    description: str
    script: str
    active: bool = True

    def wire(self) -> dict:
        return {"filter_type": self.filter_type, "script_desc": self.description,
                "script_data": self.script, "active": flag(self.active)}

    @classmethod
    def of(cls, f: Filter) -> "FilterSettings":
        return cls(filter_type=f.filter_type, description=f.description, script=f.script,
                   active=f.active)


@dataclass(frozen=True)
class GlobalFilters:
    """The global scripts; None where Mailcow has no file (it answers false)."""

    prefilter: str | None
    postfilter: str | None

    def of_type(self, filter_type: str) -> str | None:
        return self.prefilter if filter_type == PREFILTER else self.postfilter


def from_wire(d: dict) -> Filter:
    return Filter(id=as_int(d["id"]), username=str(d.get("username") or ""),
                  filter_type=str(d.get("filter_type") or ""),
                  description=str(d.get("script_desc") or ""),
                  script=str(d.get("script_data") or ""),
                  active=as_int(d.get("active")) == 1)


def _items(data: Any) -> list[Filter]:
    if not isinstance(data, list):
        return []
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("id") is not None]


def sieve_error(exc: MailcowRefused) -> str | None:
    """The worded parser message ("… line 1: unknown command this") if that was the refusal."""
    for message, key in zip(exc.messages, exc.keys, strict=False):
        if key == "sieve_error":
            return message
    return None


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


class FiltersApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[Filter]:
        """Every mailbox's scripts (Mailcow walks every mailbox for this)."""
        return _items(self.client.get("filters/all"))

    def of_user(self, username: str) -> list[Filter]:
        return _items(self.client.get("filters/" + quote(username, safe="@")))

    def get(self, filter_id: int) -> Filter:
        for found in self.all():
            if found.id == filter_id:
                return found
        raise NotFound(f"Filter {filter_id} does not exist")

    def add(self, username: str, settings: FilterSettings) -> Outcome:
        return self.client.write("add", "filter", {"username": username, **settings.wire()})

    def edit(self, filter_id: int, settings: FilterSettings) -> Outcome:
        return self.client.write("edit", "filter", {"items": [str(filter_id)],
                                                    "attr": settings.wire()})

    def set_active(self, filter_ids: list[int], active: bool) -> Outcome:
        return self.client.write("edit", "filter", {"items": [str(i) for i in filter_ids],
                                                    "attr": {"active": flag(active)}})

    def delete(self, filter_ids: list[int]) -> Outcome:
        return self.client.write("delete", "filter", [str(i) for i in filter_ids])

    def global_filters(self) -> GlobalFilters:
        data = self.client.get("global_filters/all")
        data = data if isinstance(data, dict) else {}
        return GlobalFilters(prefilter=_text(data.get(PREFILTER)),
                             postfilter=_text(data.get(POSTFILTER)))

    def save_global(self, filter_type: str, script: str) -> Outcome:
        """Write the global script; Mailcow then restarts Dovecot."""
        return self.client.write("add", "global-filter", {"filter_type": filter_type,
                                                          "script_data": script})
