"""Mailcow's containers as an administrator handles them: the list, and audited actions."""
from __future__ import annotations

from panel import audit
from panel.docker import containers
from panel.docker.engine import DockerError, Engine

# Restarting these interrupts mail: connections drop and delivery pauses until they are up.
MAIL_SERVICES = {
    "postfix-mailcow": "Postfix",
    "dovecot-mailcow": "Dovecot",
}
ACTIONS = containers.ACTIONS


def interrupts_mail(service: str) -> str | None:
    """The program's name when stopping this service interrupts sending or reading mail."""
    return MAIL_SERVICES.get(service)


def change(engine: Engine, service: str, action: str) -> containers.ContainerInfo:
    """Start, stop or restart a service's container; audited whether it worked or not."""
    try:
        after = containers.act(engine, service, action)
    except DockerError as exc:
        audit.record(f"container.{action}", target=service, outcome="failed", detail=exc.message)
        raise
    audit.record(f"container.{action}", target=service,
                 detail=f"{after.name}: {after.state}")
    return after
