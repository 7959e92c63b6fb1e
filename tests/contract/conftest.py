"""Contract fixtures: the API under test (the sandbox, and a real Mailcow when configured)."""
from __future__ import annotations

import os
import secrets

import pytest

from panel.mailcow.sandbox import SandboxServer, create_sandbox_app

from .answers import Api, search_body, searchable

REAL_URL = os.environ.get("MAILAPP_TEST_MAILCOW_URL", "")
REAL_KEY = os.environ.get("MAILAPP_TEST_MAILCOW_KEY", "")
REAL_RO_KEY = os.environ.get("MAILAPP_TEST_MAILCOW_RO_KEY", "")
NO_REAL = "set MAILAPP_TEST_MAILCOW_URL and MAILAPP_TEST_MAILCOW_KEY to run against a real Mailcow"


@pytest.fixture(scope="session")
def sandbox_api(tmp_path_factory):
    """An empty sandbox of its own, so the contract suite sees a fresh Mailcow."""
    db_path = str(tmp_path_factory.mktemp("contract") / "mailcow.sqlite3")
    rw, ro = secrets.token_hex(16), secrets.token_hex(16)
    app = create_sandbox_app(db_path, rw, ro)
    server = SandboxServer(app, host="127.0.0.1", port=0).start()
    api = Api("sandbox", server.url, rw, ro, app)
    yield api
    api.close()
    server.stop()


@pytest.fixture(scope="session")
def real_api():
    if not (REAL_URL and REAL_KEY):
        pytest.skip(NO_REAL)
    api = Api("mailcow", REAL_URL.rstrip("/"), REAL_KEY, REAL_RO_KEY or None)
    yield api
    api.close()


@pytest.fixture(params=["sandbox", "mailcow"])
def api(request) -> Api:
    """Every contract scenario runs against the sandbox and, when configured, Mailcow."""
    return request.getfixturevalue("sandbox_api" if request.param == "sandbox" else "real_api")


@pytest.fixture
def sandbox_only(api):
    if not api.is_sandbox:
        pytest.skip("checks the sandbox itself")
    return api


def _cleanup(api: Api, domain: str) -> None:
    """Remove everything a scenario made under `domain` (only names ending in it)."""
    suffix = "@" + domain
    for item in api.get_json(f"get/alias/all/{domain}") or []:
        api.post("delete/alias", [str(item["id"])])
    found = api.post("search/mailbox", search_body(suffix, columns=searchable(2),
                                                   length=1000)).json()
    names = [m["username"] for m in found.get("data", []) if m["username"].endswith(suffix)]
    if names:
        api.post("delete/mailbox", names)
    for alias_domain in api.get_json("get/alias-domain/all") or []:
        if alias_domain["target_domain"] == domain:
            api.post("delete/alias-domain", [alias_domain["alias_domain"]])
            api.post("delete/dkim", [alias_domain["alias_domain"]])
    api.post("delete/domain", [domain])
    api.post("delete/dkim", [domain])


@pytest.fixture
def new_domain(api):
    """A factory for unique test domain names; each is cleaned up after the test."""
    made: list[str] = []

    def make(prefix: str = "ct") -> str:
        name = f"{prefix}-{secrets.token_hex(4)}.test"
        made.append(name)
        return name

    yield make
    for name in made:
        _cleanup(api, name)


@pytest.fixture
def domain(api, new_domain):
    """A test domain as recording 02 made it (quota 10 GiB, 10 mailboxes, 400 aliases)."""
    name = new_domain()
    api.write("add/domain", {"domain": name, "description": "test domain", "aliases": "400",
                             "mailboxes": "10", "defquota": "3072", "maxquota": "10240",
                             "quota": "10240", "active": "1"})
    return name


@pytest.fixture
def mailbox(api, domain):
    """alice@<domain>, 1 GiB, as recording 07 made her."""
    api.write("add/mailbox", {"local_part": "alice", "domain": domain, "name": "Alice Example",
                              "quota": "1024", "password": "S3cret-Pass1",
                              "password2": "S3cret-Pass1", "active": "1"})
    return f"alice@{domain}"
