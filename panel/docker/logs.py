"""Container logs: the last lines, a time window, a text filter, live following, download.

Docker hands logs over as a stream; every function here reads it line by line and keeps
at most the lines it returns, so a container with gigabytes of log costs time, not memory.
"""
from __future__ import annotations

import calendar
import queue
import re
import threading
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from panel.docker.containers import find
from panel.docker.engine import Engine

MAX_LINES = 5000  # the most lines a page shows
SCAN_LIMIT = 200_000  # a filter without a time window searches this many newest lines
MAX_LINE_BYTES = 64 * 1024  # a line longer than this is cut (a binary dump, a runaway)
HEARTBEAT = 15.0  # seconds of silence before follow() yields None (keeps streams alive)

STAMP_RE = re.compile(r"\A(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)\Z")


def stamp_ns(stamp: str) -> int | None:
    """Nanoseconds since the epoch for Docker's RFC 3339 timestamp (None if not one)."""
    match = STAMP_RE.match(stamp)
    if not match:
        return None
    base, fraction, zone = match.groups()
    seconds = calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S"))
    if zone != "Z":
        sign = 1 if zone[0] == "+" else -1
        seconds -= sign * (int(zone[1:3]) * 3600 + int(zone[4:6]) * 60)
    return seconds * 1_000_000_000 + int((fraction or "").ljust(9, "0"))


@dataclass(frozen=True)
class LogLine:
    ns: int  # Docker's receive time, nanoseconds since the epoch (0 when it gave none)
    stamp: str  # that time as Docker wrote it
    text: str

    @property
    def at(self) -> datetime | None:
        if not self.ns:
            return None
        seconds, nanos = divmod(self.ns, 1_000_000_000)
        return datetime.fromtimestamp(seconds, timezone.utc) + timedelta(microseconds=nanos // 1000)

    def raw(self) -> str:
        return f"{self.stamp} {self.text}" if self.stamp else self.text


def parse_line(raw: bytes) -> LogLine:
    decoded = raw.decode("utf-8", "replace").rstrip("\r\n")
    stamp, _, text = decoded.partition(" ")
    ns = stamp_ns(stamp)
    if ns is None:
        return LogLine(0, "", decoded)
    return LogLine(ns, stamp, text)


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Docker's frames do not follow line breaks: rejoin them into lines."""
    pending = b""
    for chunk in chunks:
        pending += chunk
        *complete, pending = pending.split(b"\n")
        yield from complete
        if len(pending) > MAX_LINE_BYTES:
            yield pending[:MAX_LINE_BYTES]
            pending = b""
    if pending:
        yield pending


def _epoch(value: datetime | None) -> float | None:
    # The SDK rounds datetimes down to whole seconds; a float keeps the fraction.
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.timestamp()


def _window(since: datetime | None, until: datetime | None) -> dict:
    found = {}
    if (start := _epoch(since)) is not None and start > 0:
        found["since"] = start
    if (end := _epoch(until)) is not None and end > 0:
        found["until"] = end
    return found


def matches(line: LogLine, text: str) -> bool:
    return not text or text.lower() in line.text.lower()


@dataclass(frozen=True)
class LogTail:
    lines: list[LogLine]
    scanned: int  # lines read from Docker to find these
    limited: bool  # the filter stopped at SCAN_LIMIT lines; older ones were not searched

    @property
    def last_ns(self) -> int:
        return self.lines[-1].ns if self.lines else 0


def tail(engine: Engine, service: str, lines: int = 200, since: datetime | None = None,
         until: datetime | None = None, text: str = "") -> LogTail:
    """The last `lines` lines (matching `text`, inside the window) of a service's container,
    running or stopped."""
    lines = max(1, min(int(lines), MAX_LINES))
    text = text.strip()
    container = find(engine, service)
    # Without a filter Docker cuts the tail itself; with one, read the window (or the newest
    # SCAN_LIMIT lines) and keep only the last matches.
    reach = lines if not text else ("all" if since is not None else SCAN_LIMIT)
    keep: deque[LogLine] = deque(maxlen=lines)
    scanned = 0
    with engine.errors():
        # follow=False explicitly: the SDK follows every streamed log unless told not to.
        stream = container.logs(stream=True, follow=False, timestamps=True, tail=reach,
                                **_window(since, until))
        try:
            for raw in split_lines(stream):
                scanned += 1
                line = parse_line(raw)
                if matches(line, text):
                    keep.append(line)
        finally:
            stream.close()
    return LogTail(list(keep), scanned, bool(text) and reach == SCAN_LIMIT
                   and scanned >= SCAN_LIMIT)


def download(engine: Engine, service: str, since: datetime | None = None,
             until: datetime | None = None, text: str = "") -> Iterator[bytes]:
    """The whole log (or the window, or the matching lines) as bytes, one line at a time.
    The container is looked up now, so a missing one fails before anything is sent."""
    text = text.strip()
    container = find(engine, service)
    with engine.errors():
        stream = container.logs(stream=True, follow=False, timestamps=True,
                                **_window(since, until))

    def lines() -> Iterator[bytes]:
        try:
            with engine.errors():
                for raw in split_lines(stream):
                    line = parse_line(raw)
                    if matches(line, text):
                        yield (line.raw() + "\n").encode()
        finally:
            stream.close()
    return lines()


_END = object()


def follow(engine: Engine, service: str, after_ns: int = 0, text: str = "",
           heartbeat: float = HEARTBEAT) -> Iterator[LogLine | None]:
    """New lines of a running container as they are written, after `after_ns` (or from now).

    Yields None after `heartbeat` seconds without a line, so a caller streaming to a
    browser can write something and notice a closed connection. Ends when the container
    stops. Closing the generator closes the Docker stream."""
    text = text.strip()
    container = find(engine, service)
    since = after_ns / 1e9 - 1e-6 if after_ns else time.time()
    with engine.errors():
        stream = container.logs(stream=True, follow=True, timestamps=True, since=since)
    arrived: queue.Queue = queue.Queue(maxsize=10_000)
    closing = threading.Event()

    def hand_over(item) -> bool:
        while not closing.is_set():
            try:
                arrived.put(item, timeout=1)
                return True
            except queue.Full:
                continue
        return False

    def read() -> None:
        # Docker's follow stream blocks without a timeout; a thread reads it so the
        # generator can time out into heartbeats.
        try:
            for raw in split_lines(stream):
                if not hand_over(raw):
                    return
        except Exception as exc:  # noqa: BLE001 - handed to the generator to raise
            if not closing.is_set():
                hand_over(exc)
        finally:
            hand_over(_END)

    reader = threading.Thread(target=read, name=f"follow-{service}", daemon=True)
    reader.start()
    try:
        while True:
            try:
                item = arrived.get(timeout=heartbeat)
            except queue.Empty:
                yield None
                continue
            if item is _END:
                return
            if isinstance(item, Exception):
                with engine.errors():
                    raise item
            line = parse_line(item)
            if line.ns and line.ns <= after_ns:
                continue  # Docker's `since` is inclusive and rounded: seen already
            if line.ns:
                after_ns = line.ns
            if matches(line, text):
                yield line
    finally:
        closing.set()
        stream.close()
        reader.join(timeout=2)
