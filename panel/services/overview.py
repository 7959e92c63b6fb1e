"""The figures of the Home page, each read on its own so one slow or missing source
never hides the others: a figure is a value, or "unknown" with the reason why."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from panel.dns.check import ResolverSpec, lookup
from panel.docker import containers as docker_containers
from panel.docker.engine import DockerError, Engine
from panel.docker.exec import exec_in_service
from panel.mailcow import Mailcow, MailcowError
from panel.mailcow.paging import PageRequest
from panel.mailcow.status import StatusUnavailable
from panel.services import aliases as alias_service
from panel.services import domains as domain_service
from panel.services import mailboxes as mailbox_service

# Where host figures are read when Mailcow's own dockerapi cannot give them: /proc of any
# running Mailcow container is the host's (containers share the kernel).
PROC_SERVICES = ("postfix-mailcow", "dovecot-mailcow", "nginx-mailcow", "php-fpm-mailcow")
STORAGE_SERVICE, STORAGE_PATH = "dovecot-mailcow", "/var/vmail"
CPU_SAMPLE_SECONDS = 0.5


@dataclass
class Figure:
    value: Any = None
    reason: str = ""  # why the value is unknown

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass
class SystemFigures:
    hostname: Figure = field(default_factory=Figure)
    engine_host: Figure = field(default_factory=Figure)
    architecture: Figure = field(default_factory=Figure)
    addresses: Figure = field(default_factory=Figure)
    version: Figure = field(default_factory=Figure)
    system_time: Figure = field(default_factory=Figure)
    timezone: Figure = field(default_factory=Figure)
    uptime: Figure = field(default_factory=Figure)  # seconds
    cpu_cores: Figure = field(default_factory=Figure)
    cpu_percent: Figure = field(default_factory=Figure)
    memory_total: Figure = field(default_factory=Figure)  # bytes
    memory_used: Figure = field(default_factory=Figure)  # bytes
    source: str = ""  # where the host figures came from


@dataclass(frozen=True)
class Storage:
    path: str
    used: int  # bytes
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.used / self.total) if self.total else 0


def _unknown(figures: SystemFigures, names: tuple[str, ...], reason: str) -> None:
    for name in names:
        figure = getattr(figures, name)
        if not figure.known and not figure.reason:
            figure.reason = reason


HOST_FIGURES = ("engine_host", "architecture", "system_time", "timezone", "uptime",
                "cpu_cores", "cpu_percent", "memory_total", "memory_used")


def system(mc: Mailcow, engine: Engine, mail_host: str, resolver: ResolverSpec) -> SystemFigures:
    figures = SystemFigures(hostname=Figure(mail_host))
    try:
        figures.version = Figure(mc.status.version() or None, "Mailcow did not say")
    except MailcowError as exc:
        figures.version = Figure(None, exc.message)
    try:
        _from_mailcow(figures, mc)
    except (StatusUnavailable, MailcowError):
        try:
            _from_docker(figures, engine)
        except DockerError as exc:
            _unknown(figures, HOST_FIGURES, exc.message)
    _unknown(figures, HOST_FIGURES, "not reported")
    figures.addresses = _addresses(mail_host, resolver)
    return figures


def _from_mailcow(figures: SystemFigures, mc: Mailcow) -> None:
    """Mailcow's dockerapi figures (get/status/host), when it has a Docker engine."""
    host = mc.status.host()
    figures.source = "mailcow"
    figures.architecture = Figure(host.architecture)
    figures.system_time = Figure(host.system_time)
    figures.uptime = Figure(host.uptime_seconds)
    figures.cpu_cores = Figure(host.cpu_cores or None)
    figures.cpu_percent = Figure(host.cpu_percent)
    figures.memory_total = Figure(host.memory_total or None)
    if host.memory_total and host.memory_percent is not None:
        figures.memory_used = Figure(int(host.memory_total * host.memory_percent / 100))


def _from_docker(figures: SystemFigures, engine: Engine) -> None:
    """The Docker engine's own description of its host, and /proc read inside a running
    Mailcow container for what the engine does not report (uptime, CPU, memory use)."""
    with engine.errors():
        info = engine.client().info()
    figures.source = "docker"
    figures.engine_host = Figure(info.get("Name") or None)
    figures.architecture = Figure(info.get("Architecture") or None)
    figures.cpu_cores = Figure(info.get("NCPU") or None)
    figures.memory_total = Figure(info.get("MemTotal") or None)
    stamp = _parse_engine_time(info.get("SystemTime"))
    if stamp:
        figures.system_time = Figure(stamp.strftime("%Y-%m-%d %H:%M:%S"))
        offset = stamp.strftime("%z")
        figures.timezone = Figure(f"UTC{offset[:3]}:{offset[3:]}")
    service, reason = _running_service(engine)
    if service is None:
        _unknown(figures, ("uptime", "cpu_percent", "memory_used"), reason)
        return
    zone = _container_timezone(engine, service)
    if zone:
        figures.timezone = Figure(zone)
    first = _proc(service, ["cat", "/proc/uptime", "/proc/meminfo", "/proc/stat"])
    time.sleep(CPU_SAMPLE_SECONDS)
    second = _proc(service, ["cat", "/proc/stat"])
    figures.uptime = Figure(float(first.split()[0]))
    meminfo = _meminfo(first)
    if "MemTotal" in meminfo and "MemAvailable" in meminfo:
        figures.memory_total = Figure(meminfo["MemTotal"])
        figures.memory_used = Figure(meminfo["MemTotal"] - meminfo["MemAvailable"])
    figures.cpu_percent = Figure(cpu_percent(_cpu_line(first), _cpu_line(second)))


def _parse_engine_time(value: str | None) -> datetime | None:
    """Docker's SystemTime: RFC 3339 with nanoseconds and the host's offset."""
    if not value:
        return None
    head, _, rest = value.partition(".")
    offset = rest.lstrip("0123456789") if rest else value[19:]
    try:
        return datetime.fromisoformat(head + (offset.replace("Z", "+00:00") or "+00:00"))
    except ValueError:
        return None


def _running_service(engine: Engine) -> tuple[str | None, str]:
    found = {c.service: c for c in docker_containers.list_containers(engine)}
    for service in PROC_SERVICES:
        if service in found and found[service].running:
            return service, ""
    return None, "no running Mailcow container to read the host's figures from"


def _container_timezone(engine: Engine, service: str) -> str | None:
    """Mailcow passes TZ from mailcow.conf to every container."""
    container = docker_containers.find(engine, service)
    for item in (container.attrs.get("Config") or {}).get("Env") or ():
        if item.startswith("TZ=") and item[3:]:
            return item[3:]
    return None


def _proc(service: str, argv: list[str]) -> str:
    code, out, err = exec_in_service(service, argv)
    if code != 0:
        raise DockerError(f"{' '.join(argv)} failed in {service}: {err.strip() or code}")
    return out


def _meminfo(text: str) -> dict[str, int]:
    found = {}
    for line in text.splitlines():
        name, _, rest = line.partition(":")
        parts = rest.split()
        if name in ("MemTotal", "MemAvailable") and parts and parts[0].isdigit():
            found[name] = int(parts[0]) * 1024
    return found


def _cpu_line(text: str) -> list[int]:
    for line in text.splitlines():
        if line.startswith("cpu "):
            return [int(v) for v in line.split()[1:]]
    raise DockerError("/proc/stat has no cpu line")


def cpu_percent(before: list[int], after: list[int]) -> float:
    """Busy share of all cores between two /proc/stat samples (idle and iowait are idle)."""
    def idle(v):
        return v[3] + (v[4] if len(v) > 4 else 0)
    total = sum(after) - sum(before)
    if total <= 0:
        return 0.0
    return round(100.0 * (total - (idle(after) - idle(before))) / total, 1)


def _addresses(mail_host: str, resolver: ResolverSpec) -> Figure:
    """What the mail host name resolves to: the addresses clients and other servers use."""
    found, problems = [], []
    for rtype in ("A", "AAAA"):
        answer = lookup(resolver, mail_host, rtype)
        if answer.error:
            problems.append(f"{rtype}: {answer.error}")
        found.extend(answer.values)
    if found:
        return Figure(found)
    return Figure(None, "; ".join(problems) or f"{mail_host} has no A or AAAA record")


def storage(mc: Mailcow, engine: Engine) -> Figure:
    """Mail storage use: Mailcow's status/vmail, else df inside the Dovecot container."""
    try:
        stats = mc.status.vmail()
        return Figure(stats)
    except (StatusUnavailable, MailcowError):
        pass
    try:
        code, out, err = exec_in_service(STORAGE_SERVICE, ["df", "-P", "-B1", STORAGE_PATH])
    except DockerError as exc:
        return Figure(None, exc.message)
    if code != 0:
        return Figure(None, err.strip() or f"df exited with {code}")
    return Figure(parse_df(out))


def parse_df(output: str) -> Storage:
    lines = [line for line in output.splitlines() if line.strip()]
    fields = lines[-1].split()
    return Storage(path=fields[5] if len(fields) > 5 else STORAGE_PATH,
                   used=int(fields[2]), total=int(fields[1]))


@dataclass
class ServiceSummary:
    containers: list
    up: int
    down: int
    unhealthy: int


def services(engine: Engine) -> ServiceSummary:
    found = docker_containers.list_containers(engine)
    unhealthy = sum(1 for c in found if c.running and c.health == "unhealthy")
    up = sum(1 for c in found if c.running) - unhealthy
    return ServiceSummary(found, up, len(found) - up - unhealthy, unhealthy)


def counts(mc: Mailcow, user) -> dict[str, Figure]:
    """Domains, mailboxes and aliases the user may see."""
    one = PageRequest(per_page=10)
    readers = {
        "domains": lambda: domain_service.list_domains(mc, user, one).total,
        "mailboxes": lambda: mailbox_service.list_mailboxes(mc, user, one).total,
        "aliases": lambda: alias_service.list_aliases(mc, user, one).total,
    }
    found = {}
    for name, read in readers.items():
        try:
            found[name] = Figure(read())
        except MailcowError as exc:
            found[name] = Figure(None, exc.message)
    return found


__all__ = ["Figure", "SystemFigures", "Storage", "ServiceSummary", "system", "storage",
           "services", "counts", "cpu_percent", "parse_df"]
