"""Search, sort and paging done by MailApp over a list Mailcow hands over whole, and the
result of a bulk action over such a list (which items failed, and Mailcow's reasons),
with the one-call activate/deactivate/delete of entries that have ids."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Generic, TypeVar

from panel.audit import record
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


def bulk_by_ids(action: str, items: list[T], *, delete: Callable[[list[int]], object],
                set_active: Callable[[list[int], bool], object],
                reread: Callable[[], list[T]], event: str,
                audit_target: Callable[[T], dict[str, Any]]) -> BulkResult[T]:
    """Activate, deactivate or delete all of `items` (which have an `id` and `active`) in
    ONE Mailcow call; after a refusal they are read again (`reread()`) to tell which ones
    changed, as Mailcow's messages do not name ids. Each one is audited as `event`.update
    or `event`.delete, with `audit_target(item)` (target and domain)."""
    ids = [i.id for i in items]
    try:
        if action == "delete":
            delete(ids)
        else:
            set_active(ids, action == "activate")
    except MailcowRefused as exc:
        now = {i.id: i for i in reread()}
        if action == "delete":
            failed = [i for i in items if i.id in now]
        else:
            failed = [i for i in items if i.id not in now
                      or now[i.id].active != (action == "activate")]
        result = BulkResult([i for i in items if i not in failed], failed, exc.messages)
    else:
        result = BulkResult(list(items), [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": action == "activate"}
    for i in result.done:
        record(f"{event}.{verb}", **audit_target(i), changes=changes,
               detail=f"bulk {action} of {len(items)}")
    for i in result.failed:
        record(f"{event}.{verb}", **audit_target(i), changes=changes, outcome="failed",
               detail="; ".join(result.messages))
    return result
