"""Shared fixtures: the sandbox Mailcow on loopback, the app, signed-in clients."""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

import httpx
import pytest

from panel import create_app
from panel.extensions import db
from panel.mailcow.sandbox import SandboxServer, create_sandbox_app, seed_demo
from tests.infra.docker_engine import (  # noqa: F401  (fixtures: a real Docker engine)
    docker_engine,
    docker_engine_stopped,
    mailcow_containers,
    mailcow_images,
    postfix_stopped,
)

ADMIN_PASSWORD = "correct-horse-battery"
CSRF_RE = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                     r'name="csrf_token" value="([^"]+)"|"X-CSRFToken": "([^"]+)"')


@dataclass
class Sandbox:
    url: str
    rw_key: str
    ro_key: str
    app: object  # the sandbox WSGI app, for inject_fault / clear_faults
    db_path: str


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory):
    """One sandbox Mailcow for the whole run, seeded with the demo data."""
    db_path = str(tmp_path_factory.mktemp("sandbox") / "sandbox.sqlite3")
    seed_demo(db_path)
    rw, ro = secrets.token_hex(16), secrets.token_hex(16)
    wsgi = create_sandbox_app(db_path, rw, ro)
    server = SandboxServer(wsgi, host="127.0.0.1", port=0)
    server.start()
    yield Sandbox(server.url, rw, ro, wsgi, db_path)
    server.stop()


@pytest.fixture
def faults(sandbox):
    """Inject failures into the sandbox; always cleared after the test."""
    yield sandbox.app
    sandbox.app.clear_faults()


def app_config(tmp_path, sandbox, **extra) -> dict:
    return {
        "MAILAPP_INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'mailapp.sqlite3'}",
        "MAILCOW_URL": sandbox.url,
        "MAILCOW_API_KEY": sandbox.rw_key,
        "MAILCOW_API_KEY_READONLY": sandbox.ro_key,
        "MAILCOW_TIMEOUT": "2",
        "MAILCOW_HOSTNAME": "mail.sandbox.test",
        "MAILAPP_SECURE_COOKIES": "0",
        "TESTING": True,
        **extra,
    }


@pytest.fixture
def app(tmp_path, sandbox):
    application = create_app(app_config(tmp_path, sandbox))
    yield application
    if "mailcow" in application.extensions:
        application.extensions["mailcow"].close()
    application.extensions["db_engine"].dispose()


@pytest.fixture
def admin(app):
    from panel.services.admins import create_admin

    with app.app_context():
        user = create_admin("root", ADMIN_PASSWORD)
        db.session.remove()
    return user


def mailcow_api(sandbox, verb, path, body=None):
    """Straight to the sandbox, to arrange data and check what really happened."""
    headers = {"X-API-Key": sandbox.rw_key}
    url = f"{sandbox.url}/api/v1/{verb}/{path}"
    r = httpx.get(url, headers=headers) if verb == "get" else \
        httpx.post(url, json=body, headers=headers)
    r.raise_for_status()
    return r.json()


def csrf_token(client, path: str = "/login") -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return next(g for g in match.groups() if g)


def sign_in(client, username: str = "root", password: str = ADMIN_PASSWORD):
    token = csrf_token(client)
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


@pytest.fixture
def client(app, admin):
    """A test client signed in as a global administrator."""
    c = app.test_client()
    response = sign_in(c)
    assert response.status_code == 302, response.get_data(as_text=True)
    return c


@pytest.fixture
def anon(app):
    return app.test_client()
