"""Search, sort and paging done by MailApp over a list Mailcow hands over whole, and the
result of a bulk action over such a list (which items failed, and Mailcow's reasons)."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

from panel.mailcow import MailcowRefused
from panel.mailcow.paging import Page, PageRequest

T = TypeVar("T")


def paginate(items: list[T], req: PageRequest, sort_keys: dict[str, Callable[[T], object]],
             default_sort: str, text: Callable[[T], tuple[str, ...]]) -> Page[T]:
    """The page `req` asks for: items whose `text` contains the search, sorted, sliced."""
    found = list(items)
    if req.search:
        needle = req.search.lower()
        found = [i for i in found if any(needle in value.lower() for value in text(i))]
    found.sort(key=sort_keys.get(req.sort, sort_keys[default_sort]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


@dataclass
class BulkResult(Generic[T]):
    done: list[T]
    failed: list[T]
    messages: list[str] = field(default_factory=list)  # Mailcow's reasons for the failures


def worded(exc: MailcowRefused, refusals: dict) -> MailcowRefused:
    """The refusal with this area's own wording for some keys; others stay as they are."""
    messages = [str(refusals[key]) if key in refusals else message
                for message, key in zip(exc.messages, exc.keys, strict=False)]
    return MailcowRefused(messages, exc.keys)


def worded_call(call, refusals: dict):
    """The Mailcow call, its refusals worded (so the audit trail and banner read well)."""
    def run():
        try:
            return call()
        except MailcowRefused as exc:
            raise worded(exc, refusals) from exc
    return run
