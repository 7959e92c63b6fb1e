"""Mailcow's answers for areas whose entries have numeric ids (relayhosts, transports):
the whole list, which is `{}` when there are none, and one entry, which is `{}` (or has no
id) when it does not exist."""
from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from panel.mailcow.errors import NotFound

T = TypeVar("T")


def all_by_id(data: Any, from_wire: Callable[[dict], T]) -> list[T]:
    """The entries of a `get/<area>/all` answer, ordered by id."""
    if not isinstance(data, list):
        return []
    return sorted((from_wire(d) for d in data if isinstance(d, dict) and d.get("id")),
                  key=lambda r: r.id)


def one_by_id(data: Any, from_wire: Callable[[dict], T], missing: str) -> T:
    """The entry of a `get/<area>/<id>` answer; NotFound(`missing`) when there is none."""
    if not isinstance(data, dict) or not data.get("id"):
        raise NotFound(missing)
    return from_wire(data)
