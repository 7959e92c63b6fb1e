"""Connects MailApp to Mailcow: the configured server, or the built-in sandbox on loopback."""
from __future__ import annotations

import atexit
import secrets
import threading

from flask import Flask

from panel.config import Settings
from panel.mailcow import Mailcow, MailcowClient

_lock = threading.Lock()


def start_sandbox(settings: Settings) -> tuple[str, str, str]:
    """Serve the simulator on a free loopback port; returns its URL and two fresh keys."""
    from panel.mailcow.sandbox import SandboxServer, create_sandbox_app, seed_demo

    db_path = str(settings.instance_path / "sandbox.sqlite3")
    rw_key, ro_key = secrets.token_hex(24), secrets.token_hex(24)
    seed_demo(db_path)
    server = SandboxServer(create_sandbox_app(db_path, rw_key, ro_key), host="127.0.0.1", port=0)
    server.start()
    atexit.register(server.stop)
    return server.url, rw_key, ro_key


def connect(app: Flask) -> Mailcow:
    """The app's Mailcow adapter, created on first use so CLI commands start no sandbox."""
    existing = app.extensions.get("mailcow")
    if existing is not None:
        return existing
    with _lock:
        if app.extensions.get("mailcow") is None:
            settings: Settings = app.extensions["settings"]
            if settings.sandbox:
                url, rw_key, ro_key = start_sandbox(settings)
                client = MailcowClient(url, rw_key, ro_key, timeout=settings.mailcow_timeout)
            else:
                client = MailcowClient(settings.mailcow_url, settings.mailcow_api_key,
                                       settings.mailcow_api_key_readonly,
                                       timeout=settings.mailcow_timeout,
                                       verify_tls=settings.mailcow_verify_tls)
            app.extensions["mailcow"] = Mailcow(client)
    return app.extensions["mailcow"]
