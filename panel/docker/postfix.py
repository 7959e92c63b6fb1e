"""The Postfix queue of Mailcow's postfix-mailcow container, reached through Docker exec."""
from __future__ import annotations

from panel.docker.engine import DockerError
from panel.docker.exec import exec_in_service
from panel.docker.queue import CommandResult, PostfixQueue, QueueUnavailable

POSTFIX_SERVICE = "postfix-mailcow"


def run_in_postfix(argv: list[str]) -> CommandResult:
    try:
        code, out, err = exec_in_service(POSTFIX_SERVICE, argv)
    except DockerError as exc:
        raise QueueUnavailable(exc.message) from exc
    return CommandResult(code, out, err)


def postfix_queue() -> PostfixQueue:
    return PostfixQueue(run_in_postfix)
