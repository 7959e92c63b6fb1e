"""Shared fixtures: the sandbox Mailcow on loopback, the app, signed-in clients."""
from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select

from panel import create_app
from panel.extensions import db
from panel.mailcow.client import MailcowClient
from panel.mailcow.sandbox import SandboxServer, create_sandbox_app, seed_demo
from panel.models import AuditEvent
from tests.infra.docker_engine import (  # noqa: F401  (fixtures: a real Docker engine)
    docker_engine,
    docker_engine_stopped,
    mailcow_containers,
    mailcow_images,
    postfix_stopped,
)

ADMIN_PASSWORD = "correct-horse-battery"
HTMX = {"HX-Request": "true"}
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


def signed_in_as(app, username: str, domains=None, permissions=None):
    """A client of `app` signed in as a new administrator (of `domains` when given)."""
    from panel.services.admins import create_admin

    with app.app_context():
        create_admin(username, ADMIN_PASSWORD, domains=domains, permissions=permissions)
    c = app.test_client()
    response = sign_in(c, username)
    assert response.status_code == 302, response.get_data(as_text=True)
    return c


@pytest.fixture
def read_only_client(tmp_path, sandbox, admin):
    """A global administrator of an app that holds only the read-only Mailcow API key."""
    application = create_app(app_config(tmp_path / "ro", sandbox,
                                        MAILCOW_API_KEY=sandbox.ro_key))
    yield signed_in_as(application, "root-ro")
    application.extensions["db_engine"].dispose()


def new_domain(sandbox, prefix: str = "t", name: str | None = None) -> str:
    """A new domain in the sandbox Mailcow (a unique name unless one is given)."""
    name = name or f"{prefix}{uuid.uuid4().hex[:8]}.test"
    answer = mailcow_api(sandbox, "add", "domain", {
        "domain": name, "active": "1", "mailboxes": "10", "aliases": "10", "defquota": "100",
        "maxquota": "200", "quota": "1000"})
    assert not any(m["type"] == "danger" for m in answer), answer
    return name


def new_mailbox(sandbox, domain: str, local: str, quota: str = "10", **extra) -> str:
    """A new mailbox in the sandbox Mailcow; its address."""
    answer = mailcow_api(sandbox, "add", "mailbox", {
        "local_part": local, "domain": domain, "quota": quota, "password": "S3cret-Pass1",
        "password2": "S3cret-Pass1", "active": "1", **extra})
    assert answer[0]["type"] == "success", answer
    return f"{local}@{domain}"


def form_data(client, path: str, defaults: dict, fields: dict) -> dict:
    """A form post: the CSRF token of `path`, the defaults, the fields; None drops a field."""
    data = {"csrf_token": csrf_token(client, path), **defaults, **fields}
    return {k: v for k, v in data.items() if v is not None}


def field_error(html: str, field: str) -> str:
    """The error message a form shows beside `field` (it must show one)."""
    error = html[html.index(f'id="{field}-error"'):]
    return error[:error.index("</small>")]


# Sandbox faults and the banner each one must show: (kind, seconds, expected text).
OUTAGES = [("http500", 0, "Mailcow answered with a server error (HTTP 500)"),
           ("delay", 3, "Mailcow did not answer within 2 seconds")]


def assert_outage_banner(client, path: str, expected: str) -> None:
    """The page and its htmx refresh both answer 502 with the outage named, no traceback."""
    for headers in ({}, HTMX):
        response = client.get(path, headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 502 and expected in html and "Traceback" not in html


def last_event(app, action: str, target: str | None = None):
    """The newest audit event of `action` (and `target` when given)."""
    query = select(AuditEvent).where(AuditEvent.action == action)
    if target is not None:
        query = query.where(AuditEvent.target == target)
    with app.app_context():
        return db.session.scalar(query.order_by(AuditEvent.id.desc()))


@pytest.fixture
def count_writes(monkeypatch):
    """Mailcow write calls made by MailApp, as (verb, path, body)."""
    calls = []
    original = MailcowClient.write

    def write(self, verb, path, body):
        calls.append((verb, path, body))
        return original(self, verb, path, body)

    monkeypatch.setattr(MailcowClient, "write", write)
    return calls
