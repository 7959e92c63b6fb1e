"""The connection to the Docker engine: where it is, one client per app, typed errors."""
from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

import docker
from docker.errors import APIError, DockerException
from docker.errors import NotFound as DockerNotFound
from requests.exceptions import ConnectionError as RequestsConnectionError
from requests.exceptions import RequestException

DEFAULT_HOST = "unix:///var/run/docker.sock"
DEFAULT_PROJECT = "mailcowdockerized"
PROJECT_LABEL = "com.docker.compose.project"
SERVICE_LABEL = "com.docker.compose.service"
TIMEOUT = 10  # seconds per engine request; a dead engine must not hang a page
SLOW_TIMEOUT = 120  # seconds a command inside a container may stay silent (a big postqueue)


class DockerError(Exception):
    """Something about Docker went wrong; `message` is fit for an administrator."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class DockerUnavailable(DockerError):
    """The engine does not answer on its socket (not running, wrong path, no access)."""

    def __init__(self, where: str, detail: str = ""):
        super().__init__(f"Docker socket not reachable at {where}")
        self.where = where
        self.detail = detail


class ContainerNotFound(DockerError):
    """No container of the compose project carries that service label."""

    def __init__(self, service: str, project: str):
        super().__init__(f"No container for service {service} in compose project {project}")
        self.service = service
        self.project = project


class ContainerNotRunning(DockerError):
    """The container exists but is stopped, so nothing can run inside it."""

    def __init__(self, service: str, state: str):
        super().__init__(f"The {service} container is not running (state: {state})")
        self.service = service
        self.state = state


class DockerFailed(DockerError):
    """The engine answered but refused or failed the request; its explanation is kept."""


def socket_label(host: str) -> str:
    """What to tell an administrator: the socket path, or the TCP address as configured."""
    return host[len("unix://"):] if host.startswith("unix://") else host


class Engine:
    """One Docker engine reached at `host`, serving the compose project `project`."""

    def __init__(self, host: str = DEFAULT_HOST, project: str = DEFAULT_PROJECT,
                 timeout: float = TIMEOUT):
        self.host = host or DEFAULT_HOST
        self.project = project or DEFAULT_PROJECT
        self.where = socket_label(self.host)
        self.timeout = timeout
        self._client: docker.DockerClient | None = None
        self._slow_client: docker.DockerClient | None = None
        self._lock = threading.RLock()  # client() may reset() while holding it

    def client(self, slow: bool = False) -> docker.DockerClient:
        """The shared client; made on first use (it asks the engine for its API version,
        so an unreachable engine shows up here as DockerUnavailable). `slow`: a second
        client that waits SLOW_TIMEOUT for answers (commands run inside containers)."""
        with self._lock:
            slot = "_slow_client" if slow else "_client"
            found = getattr(self, slot)
            if found is None:
                with self.errors():
                    found = docker.DockerClient(base_url=self.host,
                                                timeout=SLOW_TIMEOUT if slow else self.timeout)
                setattr(self, slot, found)
            return found

    def reset(self) -> None:
        """Forget the clients, so the next call connects (and negotiates) afresh."""
        with self._lock:
            clients = (self._client, self._slow_client)
            self._client = self._slow_client = None
        for client in clients:
            if client is not None:
                with contextlib.suppress(Exception):
                    client.close()

    @contextlib.contextmanager
    def errors(self) -> Iterator[None]:
        """Turn the SDK's exceptions into DockerUnavailable / DockerFailed."""
        try:
            yield
        except DockerError:
            raise
        except DockerNotFound:
            raise
        except APIError as exc:
            if exc.response is None:
                self.reset()
                raise DockerUnavailable(self.where, str(exc)) from exc
            raise DockerFailed(str(exc.explanation or exc)) from exc
        except (DockerException, RequestsConnectionError, RequestException, OSError) as exc:
            # The SDK wraps "connection refused" / "no such file" in DockerException when
            # it negotiates the version, and lets requests' errors through afterwards.
            self.reset()
            raise DockerUnavailable(self.where, str(exc)) from exc

    def labels(self, service: str | None = None) -> list[str]:
        """The label filter that selects this project's containers (or one service's)."""
        found = [f"{PROJECT_LABEL}={self.project}"]
        if service is not None:
            found.append(f"{SERVICE_LABEL}={service}")
        return found

    def close(self) -> None:
        self.reset()


def engine() -> Engine:
    """The Docker engine of the current app, configured by DOCKER_HOST and
    MAILAPP_COMPOSE_PROJECT (see panel/config.py)."""
    from flask import current_app

    found = current_app.extensions.get("docker")
    if found is None:
        settings = current_app.extensions["settings"]
        found = current_app.extensions.setdefault(
            "docker", Engine(settings.docker_host, settings.compose_project))
    return found
