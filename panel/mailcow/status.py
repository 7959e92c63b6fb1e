"""Mailcow's status routes: its version, and the host and mail-storage figures its
dockerapi container collects (absent when Mailcow runs without one)."""
from __future__ import annotations

from dataclasses import dataclass

from panel.mailcow.client import MailcowClient
from panel.mailcow.wire import as_int


class StatusUnavailable(Exception):
    """Mailcow answered, but said it could not collect the figure (its own words)."""


@dataclass(frozen=True)
class HostStats:
    cpu_cores: int
    cpu_percent: float | None
    memory_total: int  # bytes
    memory_percent: float | None
    uptime_seconds: float | None
    system_time: str | None  # as Mailcow prints it, in the host's time zone
    architecture: str | None


@dataclass(frozen=True)
class StorageStats:
    disk: str
    used: str
    total: str
    used_percent: int | None


def _refusal(data) -> str | None:
    if isinstance(data, dict) and data.get("type") in ("danger", "error"):
        return str(data.get("msg") or "refused")
    return None


def _number(value) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


class StatusApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def version(self) -> str:
        data = self.client.get("status/version")
        return str(data.get("version", "")) if isinstance(data, dict) else ""

    def host(self) -> HostStats:
        data = self.client.get("status/host")
        reason = _refusal(data)
        if reason or not isinstance(data, dict):
            raise StatusUnavailable(reason or "no host figures")
        cpu, memory = data.get("cpu") or {}, data.get("memory") or {}
        return HostStats(
            cpu_cores=as_int(cpu.get("cores")),
            cpu_percent=_number(cpu.get("usage")),
            memory_total=as_int(memory.get("total")),
            memory_percent=_number(memory.get("usage")),
            uptime_seconds=_number(data.get("uptime")),
            system_time=data.get("system_time"),
            architecture=data.get("architecture"),
        )

    def vmail(self) -> StorageStats:
        data = self.client.get("status/vmail")
        reason = _refusal(data)
        if reason or not isinstance(data, dict) or not data.get("total"):
            raise StatusUnavailable(reason or "Mailcow reported no mail storage figures")
        return StorageStats(disk=str(data.get("disk") or ""), used=str(data.get("used") or ""),
                            total=str(data.get("total") or ""),
                            used_percent=as_int(str(data.get("used_percent") or "").rstrip("%")))
