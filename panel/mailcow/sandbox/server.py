"""Serve a sandbox app with waitress in a daemon thread, for tests and local runs."""
from __future__ import annotations

import threading

from waitress.server import create_server


class SandboxServer:
    """`start()` binds and serves; `url` is then http://host:port; `stop()` shuts it down."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0, threads: int = 8) -> None:
        self.app = app
        self.host = host
        self.port = port
        self.threads = threads
        self._server = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the sandbox server is not started")
        return f"http://{self.host}:{self._server.effective_port}"

    def start(self) -> "SandboxServer":
        self._server = create_server(self.app, host=self.host, port=self.port,
                                     threads=self.threads, ident="Mailcow sandbox")
        self._thread = threading.Thread(target=self._server.run, name="mailcow-sandbox",
                                        daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        server, self._server = self._server, None
        if server is None:
            return

        def close_everything() -> None:
            # Run inside waitress's loop thread: closing sockets from another thread races
            # its select(). The loop ends once the socket map is empty.
            server.close()
            for channel in list(server._map.values()):
                channel.handle_close()

        server.trigger.pull_trigger(close_everything)
        if self._thread is not None:
            self._thread.join(timeout=5)
        server.task_dispatcher.shutdown()

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
