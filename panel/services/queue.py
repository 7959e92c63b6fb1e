"""The Postfix queue as an administrator sees it: scoped listing, counts, audited actions."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from panel import access, audit
from panel.docker.queue import (
    QUEUES,
    CommandResult,
    InvalidQueueId,
    PostfixQueue,
    QueuedMessage,
    check_ids,
)

ACTIONS = ("deliver", "hold", "release", "delete")
SHOWN_QUEUES = ("active", "deferred", "hold", "incoming")  # maildrop is counted as incoming


class NotInQueue(LookupError):
    """A queue id that is not (or no longer) in the queue, or not the user's to see."""


@dataclass
class QueueListing:
    messages: list[QueuedMessage]
    counts: dict[str, int]
    total: int  # every message the user may see, before the search and queue filters


def _queue_of(message: QueuedMessage) -> str:
    return "incoming" if message.queue == "maildrop" else message.queue


def visible(messages: list[QueuedMessage], user) -> list[QueuedMessage]:
    """Global admins see everything; domain admins the messages that carry one of their
    domains as sender or recipient."""
    scope = access.visible_domains(user)
    if scope is None:
        return messages
    return [m for m in messages if m.domains() & scope]


def listing(queue: PostfixQueue, user, search: str = "", which: str = "") -> QueueListing:
    mine = visible(queue.messages(), user)
    counts = Counter(_queue_of(m) for m in mine)
    shown = [m for m in mine if (not which or _queue_of(m) == which)
             and (not search or m.matches(search))]
    return QueueListing(shown, {q: counts.get(q, 0) for q in SHOWN_QUEUES}, len(mine))


def find(queue: PostfixQueue, user, queue_id: str) -> QueuedMessage:
    try:
        (checked,) = check_ids([queue_id])
    except InvalidQueueId:
        raise NotInQueue(queue_id) from None
    for message in visible(queue.messages(), user):
        if message.queue_id == checked:
            return message
    raise NotInQueue(queue_id)


def act(queue: PostfixQueue, user, action: str, ids: list[str]) -> CommandResult:
    """Run `action` on the ids; every id must be in the queue and in the user's scope."""
    if action not in ACTIONS:
        raise ValueError(action)
    checked = check_ids(ids)
    mine = {m.queue_id: m for m in visible(queue.messages(), user)}
    missing = [i for i in checked if i not in mine]
    if missing:
        raise NotInQueue(", ".join(missing))
    result = queue.act(action, checked)
    domains = sorted({d for i in checked for d in mine[i].domains()})
    audit.record(f"queue.{action}", target=", ".join(checked)[:255],
                 domain=domains[0] if len(domains) == 1 else None,
                 outcome="ok" if result.exit_code == 0 else "failed",
                 detail=result.report)
    return result


def flush(queue: PostfixQueue) -> CommandResult:
    result = queue.flush()
    audit.record("queue.flush", target="all", outcome="ok" if result.exit_code == 0 else "failed",
                 detail=result.report)
    return result


def delete_deferred(queue: PostfixQueue) -> CommandResult:
    result = queue.delete_deferred()
    audit.record("queue.delete_deferred", target="deferred",
                 outcome="ok" if result.exit_code == 0 else "failed", detail=result.report)
    return result


__all__ = ["ACTIONS", "QUEUES", "SHOWN_QUEUES", "NotInQueue", "QueueListing", "listing", "find",
           "act", "flush", "delete_deferred", "visible"]
