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
        # The asyncore loop ends once waitress's socket map is empty: close the listener
        # (and its wake-up trigger), then any open connections.
        server.close()
        while server._map:
            for channel in list(server._map.values()):
                channel.handle_close()
        server.task_dispatcher.shutdown()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> "SandboxServer":
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()
