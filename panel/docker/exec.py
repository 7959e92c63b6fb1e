"""Run a program inside a Mailcow service's container (an argument list, never a shell)."""
from __future__ import annotations

from docker.errors import NotFound as DockerNotFound

from panel.docker.containers import require_running
from panel.docker.engine import ContainerNotFound, DockerFailed, Engine


def exec_in_service(service: str, argv: list[str],
                    engine: Engine | None = None) -> tuple[int, str, str]:
    """Run `argv` in the service's running container; (exit code, stdout, stderr).

    Raises DockerUnavailable (no engine), ContainerNotFound (no such service),
    ContainerNotRunning (stopped) or DockerFailed (the engine refused the exec)."""
    if isinstance(argv, (str, bytes)) or not argv or \
            not all(isinstance(arg, str) for arg in argv):
        raise TypeError("argv must be a non-empty list of strings (no shell command lines)")
    if engine is None:
        from panel.docker.engine import engine as current_engine

        engine = current_engine()
    container = require_running(engine, service)
    api = engine.client(slow=True).api
    with engine.errors():
        try:
            exec_id = api.exec_create(container.id, list(argv), stdout=True, stderr=True,
                                      stdin=False, tty=False)["Id"]
            out, err = api.exec_start(exec_id, demux=True)
            exit_code = api.exec_inspect(exec_id).get("ExitCode")
        except DockerNotFound:
            raise ContainerNotFound(service, engine.project) from None
    if exit_code is None:
        raise DockerFailed(f"{argv[0]} did not finish in the {service} container")
    return (int(exit_code), (out or b"").decode("utf-8", "replace"),
            (err or b"").decode("utf-8", "replace"))
