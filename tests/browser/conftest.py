"""Browser fixtures: MailApp served live on loopback, one headless Chromium per run.

The live app runs in sandbox mode (no MAILCOW_URL, so the sandbox marker shows), but
its Mailcow adapter is pointed at the session `sandbox` instead of starting its own.
Each test gets a fresh browser context; a signed-in one reuses the cookies of a single
form sign-in made once per run.
"""
from __future__ import annotations

import os
import re
import threading
from pathlib import Path

import pytest

try:  # tests/conftest.py: a module of a `tests` package, or pytest's top-level `conftest`
    from tests.conftest import ADMIN_PASSWORD, app_config
except ImportError:
    from conftest import ADMIN_PASSWORD, app_config

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-quic",
                 "--no-first-run"]
ADMIN_USERNAME = "root"
ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "test-artifacts" / "screenshots"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# What a page logs when the server answers a document with an error status on purpose
# (401 for a wrong password, 422 for a form error): expected, so not a failure.
HTTP_STATUS_LOG = re.compile(r"^Failed to load resource: the server responded with a status of "
                             r"(\d{3})")

# Records CSP violations into the console even where Chromium would only report them
# through the event; init scripts are injected by the browser, so CSP does not block it.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", function (e) {
  console.error("CSP violation: " + e.violatedDirective + " blocked " + (e.blockedURI || "inline")
                + " at " + e.sourceFile + ":" + e.lineNumber);
});
"""


LIVE_APPS: list = []  # the live app, for fixtures that rewire it (live_docker)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory, sandbox):
    """MailApp over waitress on 127.0.0.1, with a global administrator; yields its origin."""
    from waitress import create_server

    from panel import create_app
    from panel.extensions import db
    from panel.mailcow import Mailcow, MailcowClient
    from panel.services.admins import create_admin

    tmp = tmp_path_factory.mktemp("browser-app")
    config = app_config(tmp, sandbox)
    for key in ("MAILCOW_URL", "MAILCOW_API_KEY", "MAILCOW_API_KEY_READONLY", "TESTING"):
        config.pop(key)
    app = create_app(config)
    assert app.extensions["settings"].sandbox, "the live app should run in sandbox mode"
    # Connected up front, so panel.backend never starts a second simulator.
    app.extensions["mailcow"] = Mailcow(MailcowClient(sandbox.url, sandbox.rw_key, sandbox.ro_key,
                                                      timeout=5))
    with app.app_context():
        create_admin(ADMIN_USERNAME, ADMIN_PASSWORD)
        db.session.remove()

    LIVE_APPS.append(app)
    server = create_server(app, host="127.0.0.1", port=0, threads=8, ident="MailApp-test")
    thread = threading.Thread(target=server.run, name="mailapp-live", daemon=True)
    thread.start()
    # localhost, not 127.0.0.1: a secure context, as WebAuthn will need.
    yield f"http://localhost:{server.effective_port}"
    server.close()
    thread.join(timeout=5)
    app.extensions["mailcow"].close()
    app.extensions["db_engine"].dispose()


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        reason = f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests"
        if os.environ.get("CI"):
            pytest.fail(reason)
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        instance = pw.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield instance
        instance.close()


class Console:
    """Console errors and uncaught exceptions of one test's pages."""

    def __init__(self) -> None:
        self.errors: list[str] = []
        self.allowed_statuses: set[int] = set()

    def attach(self, page) -> None:
        page.on("console", self._on_console)
        page.on("pageerror", lambda exc: self.errors.append(f"uncaught: {exc}"))

    def _on_console(self, msg) -> None:
        if msg.type != "error":
            return
        status = HTTP_STATUS_LOG.match(msg.text)
        if status and int(status.group(1)) in self.allowed_statuses:
            return
        where = (msg.location or {}).get("url") or msg.page.url if msg.page else ""
        self.errors.append(f"{msg.text} [{where}]")

    def allow_status(self, *statuses: int) -> None:
        """The test expects documents answered with these statuses (e.g. 422)."""
        self.allowed_statuses.update(statuses)


@pytest.fixture
def live_docker(live_server, docker_engine, mailcow_containers):
    """The live app talks to the tests' Docker engine (and its Mailcow-labelled
    containers) for one test; the browser tests that need no Docker never start it."""
    from panel.docker.engine import Engine

    app = LIVE_APPS[-1]
    before = app.extensions.get("docker")
    app.extensions["docker"] = Engine(docker_engine.base_url, mailcow_containers.project)
    yield docker_engine
    app.extensions["docker"].close()
    if before is None:
        app.extensions.pop("docker", None)
    else:
        app.extensions["docker"] = before


@pytest.fixture(scope="session")
def signed_in_state(browser, live_server):
    """Cookies of one sign-in through the form, reused by every signed-in context."""
    context = browser.new_context(base_url=live_server)
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    state = context.storage_state()
    context.close()
    return state


def _open(browser, live_server, console, state=None, viewport=None, color_scheme="light"):
    context = browser.new_context(base_url=live_server, storage_state=state,
                                  viewport=viewport or DESKTOP, color_scheme=color_scheme)
    context.set_default_timeout(5000)
    context.add_init_script(CSP_WATCH)
    page = context.new_page()
    console.attach(page)
    return context, page


@pytest.fixture
def console():
    return Console()


@pytest.fixture
def new_page(request, browser, live_server, console):
    """Factory for pages (phone size, dark mode…); all closed and checked for console
    errors afterwards, so every browser test also guards the CSP."""
    contexts = []

    def make(signed_in: bool = True, viewport=None, color_scheme="light"):
        state = request.getfixturevalue("signed_in_state") if signed_in else None
        context, page = _open(browser, live_server, console, state, viewport, color_scheme)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert console.errors == [], "console errors or CSP violations:\n" + "\n".join(console.errors)


@pytest.fixture
def page(new_page):
    """A desktop page signed in as the global administrator."""
    return new_page()


@pytest.fixture
def anon_page(new_page):
    """A desktop page with no session."""
    return new_page(signed_in=False)


def shot(page, name: str) -> Path:
    """Save a full-page screenshot under test-artifacts/screenshots/ (git-ignored)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
