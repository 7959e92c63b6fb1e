"""The Postfix queue, read and changed with Postfix's own tools inside its container.

Every command is an argument list run by `exec_in_service` (no shell), and every queue
id is checked against Postfix's two id formats before it reaches a command line.
"""
from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone

QUEUES = ("active", "deferred", "hold", "incoming", "maildrop")

# Short ids are upper-case hex; long ids (enable_long_queue_ids) are a base-51 time
# part, the letter z, then an inode part — both without vowels.
_LONG_DIGITS = "0-9B-DF-HJ-NP-TV-Zb-df-hj-np-tv-y"
QUEUE_ID_RE = re.compile(rf"\A(?:[0-9A-F]{{6,20}}|[{_LONG_DIGITS}]{{6,20}}z[{_LONG_DIGITS}]{{1,12}})\Z")

Runner = Callable[[list[str]], "CommandResult"]


class QueueUnavailable(Exception):
    """Postfix's tools could not be run: no Docker, or no running Postfix container."""


class InvalidQueueId(ValueError):
    def __init__(self, value: str):
        super().__init__(f"not a Postfix queue id: {value!r}")
        self.value = value


@dataclass(frozen=True)
class CommandResult:
    exit_code: int
    stdout: str
    stderr: str

    @property
    def report(self) -> str:
        """What Postfix said, as it said it (postsuper talks on stderr)."""
        return "\n".join(p.strip() for p in (self.stdout, self.stderr) if p.strip())


@dataclass(frozen=True)
class Recipient:
    address: str
    delay_reason: str = ""


@dataclass(frozen=True)
class QueuedMessage:
    queue_id: str
    queue: str
    arrival: datetime
    size: int
    sender: str
    recipients: tuple[Recipient, ...] = field(default_factory=tuple)
    forced_expire: bool = False

    @property
    def reason(self) -> str:
        """The first delay reason; most messages have one recipient."""
        return next((r.delay_reason for r in self.recipients if r.delay_reason), "")

    def domains(self) -> set[str]:
        """The domains this message carries: the sender's and every recipient's."""
        found = {a.rpartition("@")[2].lower() for a in
                 [self.sender, *(r.address for r in self.recipients)] if "@" in a}
        return found

    def matches(self, text: str) -> bool:
        text = text.lower()
        return any(text in value.lower() for value in
                   [self.queue_id, self.sender, *(r.address for r in self.recipients),
                    *(r.delay_reason for r in self.recipients)])


def check_ids(values: Iterable[str]) -> list[str]:
    """The ids as given, or InvalidQueueId for the first that is not one."""
    ids = []
    for value in values:
        if not QUEUE_ID_RE.match(value or ""):
            raise InvalidQueueId(value)
        ids.append(value)
    return ids


def parse_postqueue_json(output: str) -> list[QueuedMessage]:
    """`postqueue -j` prints one JSON object per line; lines that are not one are skipped
    (Postfix prints nothing else there, but a warning must not hide the queue)."""
    messages = []
    for line in output.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            raw = json.loads(line)
        except ValueError:
            continue
        queue_id = str(raw.get("queue_id", ""))
        if not QUEUE_ID_RE.match(queue_id):
            continue
        messages.append(QueuedMessage(
            queue_id=queue_id,
            queue=str(raw.get("queue_name", "")),
            arrival=datetime.fromtimestamp(int(raw.get("arrival_time") or 0), timezone.utc),
            size=int(raw.get("message_size") or 0),
            sender=str(raw.get("sender") or ""),
            recipients=tuple(Recipient(str(r.get("address", "")), str(r.get("delay_reason") or ""))
                             for r in raw.get("recipients") or ()),
            forced_expire=bool(raw.get("forced_expire")),
        ))
    messages.sort(key=lambda m: (m.arrival, m.queue_id))
    return messages


# action -> (what it does, argv builder for a list of ids)
def _each(flag: str) -> Callable[[list[str]], list[str]]:
    def build(ids: list[str]) -> list[str]:
        argv = ["postsuper"]
        for queue_id in ids:
            argv += [flag, queue_id]
        return argv
    return build


ACTIONS: dict[str, Callable[[list[str]], list[list[str]]]] = {
    "hold": lambda ids: [_each("-h")(ids)],
    "release": lambda ids: [_each("-H")(ids)],
    "delete": lambda ids: [_each("-d")(ids)],
    # postqueue -i takes one id per run.
    "deliver": lambda ids: [["postqueue", "-i", queue_id] for queue_id in ids],
}


class PostfixQueue:
    """The queue of one Postfix, reached through `run` (an argv runner in its container)."""

    def __init__(self, run: Runner):
        self._run = run

    def messages(self) -> list[QueuedMessage]:
        result = self._run(["postqueue", "-j"])
        if result.exit_code != 0:
            raise QueueUnavailable(result.report or f"postqueue exited with {result.exit_code}")
        return parse_postqueue_json(result.stdout)

    def act(self, action: str, ids: Iterable[str]) -> CommandResult:
        """Hold, release, delete or deliver these messages; Postfix's own report back."""
        build = ACTIONS.get(action)
        if build is None:
            raise ValueError(f"unknown queue action {action!r}")
        checked = check_ids(ids)
        if not checked:
            raise ValueError("no queue ids given")
        results = [self._run(argv) for argv in build(checked)]
        return CommandResult(max(r.exit_code for r in results),
                             "\n".join(r.stdout for r in results if r.stdout.strip()),
                             "\n".join(r.stderr for r in results if r.stderr.strip()))

    def flush(self) -> CommandResult:
        """Try every deferred message now."""
        return self._run(["postqueue", "-f"])

    def delete_deferred(self) -> CommandResult:
        return self._run(["postsuper", "-d", "ALL", "deferred"])

    def headers(self, queue_id: str) -> CommandResult:
        """The message's envelope and headers as postcat prints them (no body)."""
        (checked,) = check_ids([queue_id])
        return self._run(["postcat", "-h", "-e", "-q", checked])
