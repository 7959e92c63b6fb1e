"""Mailcow's containers, found by their compose labels: list, stats, start/stop/restart."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone

from docker.errors import NotFound as DockerNotFound

from panel.docker.engine import (
    SERVICE_LABEL,
    ContainerNotFound,
    ContainerNotRunning,
    Engine,
)

ACTIONS = ("start", "stop", "restart")
TIME_RE = re.compile(r"\A(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|z|[+-]\d\d:\d\d)\Z")
STOP_TIMEOUT = 30  # seconds Docker waits before killing; Mailcow's compose uses similar


@dataclass(frozen=True)
class ContainerInfo:
    service: str
    name: str
    id: str
    image: str
    state: str  # created, running, paused, restarting, removing, exited, dead
    health: str | None  # healthy, unhealthy, starting; None without a health check
    started_at: datetime | None
    finished_at: datetime | None
    restart_count: int
    exit_code: int | None = None
    health_log: str = ""  # the last health check's output, when it failed

    @property
    def running(self) -> bool:
        return self.state == "running"

    @property
    def short_id(self) -> str:
        return self.id[:12]


@dataclass(frozen=True)
class ContainerStats:
    cpu_percent: float | None  # as `docker stats` shows it: 100 % is one core busy
    cpus: int
    memory_used: int  # bytes, without the page cache (as `docker stats` counts)
    memory_limit: int  # bytes; the host's memory when the container has no limit

    @property
    def memory_percent(self) -> float | None:
        return 100.0 * self.memory_used / self.memory_limit if self.memory_limit else None


def parse_time(value: str | None) -> datetime | None:
    """Docker's RFC 3339 times with nanoseconds; its zero time means "never"."""
    match = TIME_RE.match(value or "")
    if not match or value.startswith("0001-01-01"):
        return None
    base, fraction, zone = match.groups()
    micro = (fraction or "").ljust(6, "0")[:6]
    offset = "+00:00" if zone in ("Z", "z") else zone
    try:
        return datetime.fromisoformat(f"{base}.{micro}{offset}").astimezone(timezone.utc)
    except ValueError:
        return None


def info_from_attrs(attrs: dict) -> ContainerInfo:
    """A ContainerInfo from `docker inspect` output."""
    state = attrs.get("State") or {}
    config = attrs.get("Config") or {}
    labels = config.get("Labels") or {}
    health = state.get("Health") or {}
    failing = ""
    if health.get("Status") == "unhealthy" and health.get("Log"):
        failing = (health["Log"][-1].get("Output") or "").strip()
        if not failing:
            failing = f"exit code {health['Log'][-1].get('ExitCode')}"
    status = state.get("Status") or ("running" if state.get("Running") else "exited")
    return ContainerInfo(
        service=labels.get(SERVICE_LABEL, ""),
        name=(attrs.get("Name") or "").lstrip("/"),
        id=attrs.get("Id", ""),
        image=config.get("Image") or attrs.get("Image", ""),
        state=status,
        health=health.get("Status") or None,
        started_at=parse_time(state.get("StartedAt")),
        finished_at=parse_time(state.get("FinishedAt")),
        restart_count=int(attrs.get("RestartCount") or 0),
        exit_code=None if status == "running" else state.get("ExitCode"),
        health_log=failing[:500],
    )


def list_containers(engine: Engine) -> list[ContainerInfo]:
    """Every container of the compose project, running or not, ordered by service."""
    client = engine.client()
    with engine.errors():
        found = client.api.containers(all=True, filters={"label": engine.labels()})
        infos = []
        for summary in found:
            try:
                infos.append(info_from_attrs(client.api.inspect_container(summary["Id"])))
            except DockerNotFound:
                continue  # removed between the list and the inspect
    return sorted(infos, key=lambda c: (c.service, c.name))


def find(engine: Engine, service: str):
    """The SDK container of a service (the running one first when it is scaled)."""
    client = engine.client()
    with engine.errors():
        found = client.containers.list(all=True, filters={"label": engine.labels(service)})
    if not found:
        raise ContainerNotFound(service, engine.project)
    found.sort(key=lambda c: (c.status != "running", c.name))
    return found[0]


def get(engine: Engine, service: str) -> ContainerInfo:
    container = find(engine, service)
    return info_from_attrs(container.attrs)


def require_running(engine: Engine, service: str):
    container = find(engine, service)
    if container.status != "running":
        raise ContainerNotRunning(service, container.status)
    return container


def parse_stats(raw: dict) -> ContainerStats:
    """CPU and memory the way `docker stats` works them out from one stats sample."""
    cpu, pre = raw.get("cpu_stats") or {}, raw.get("precpu_stats") or {}
    usage, pre_usage = cpu.get("cpu_usage") or {}, pre.get("cpu_usage") or {}
    cpus = int(cpu.get("online_cpus") or len(usage.get("percpu_usage") or ()) or 1)
    cpu_percent = None
    if "system_cpu_usage" in cpu and "system_cpu_usage" in pre:
        cpu_delta = usage.get("total_usage", 0) - pre_usage.get("total_usage", 0)
        system_delta = cpu["system_cpu_usage"] - pre["system_cpu_usage"]
        if system_delta > 0 and cpu_delta >= 0:
            cpu_percent = 100.0 * cpu_delta / system_delta * cpus
    memory = raw.get("memory_stats") or {}
    details = memory.get("stats") or {}
    # cgroup v1 counts the page cache as total_inactive_file, v2 as inactive_file.
    cache = details.get("total_inactive_file", details.get("inactive_file", 0))
    used = max(int(memory.get("usage") or 0) - int(cache or 0), 0)
    return ContainerStats(cpu_percent, cpus, used, int(memory.get("limit") or 0))


def stats(engine: Engine, service: str) -> ContainerStats:
    """One sample (the engine takes about a second to measure CPU between two reads)."""
    container = require_running(engine, service)
    with engine.errors():
        try:
            raw = container.stats(stream=False)
        except DockerNotFound:
            raise ContainerNotFound(service, engine.project) from None
    return parse_stats(raw)


def act(engine: Engine, service: str, action: str) -> ContainerInfo:
    """Start, stop or restart the service's container; its state afterwards."""
    if action not in ACTIONS:
        raise ValueError(f"unknown container action {action!r}")
    container = find(engine, service)
    with engine.errors():
        try:
            if action == "start":
                container.start()
            elif action == "stop":
                container.stop(timeout=STOP_TIMEOUT)
            else:
                container.restart(timeout=STOP_TIMEOUT)
            container.reload()
        except DockerNotFound:
            raise ContainerNotFound(service, engine.project) from None
    return info_from_attrs(container.attrs)
