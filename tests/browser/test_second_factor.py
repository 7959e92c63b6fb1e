"""Second factors in headless Chromium: TOTP enrolment and sign-in, a FIDO2 key (CDP virtual
authenticator) as second factor and passwordless, with screenshots light and dark.

These tests run their own live MailApp (same set-up as the shared `live_server`) so the
admins they give second factors to never affect the shared signed-in session.
"""
from __future__ import annotations

import re
import threading
import time

import pyotp
import pytest
from sqlalchemy import select

from .conftest import DESKTOP, _open, shot

try:
    from tests.conftest import ADMIN_PASSWORD, app_config
except ImportError:  # pragma: no cover - pytest's top-level conftest
    from conftest import ADMIN_PASSWORD, app_config

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def tfa_server(tmp_path_factory, sandbox):
    """(origin, app): MailApp over waitress on localhost, for this module only."""
    from waitress import create_server

    from panel import create_app
    from panel.mailcow import Mailcow, MailcowClient

    tmp = tmp_path_factory.mktemp("browser-2fa")
    config = app_config(tmp, sandbox)
    for key in ("MAILCOW_URL", "MAILCOW_API_KEY", "MAILCOW_API_KEY_READONLY", "TESTING"):
        config.pop(key)
    app = create_app(config)
    app.extensions["mailcow"] = Mailcow(MailcowClient(sandbox.url, sandbox.rw_key, sandbox.ro_key,
                                                      timeout=5))
    server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="MailApp-2fa-test")
    thread = threading.Thread(target=server.run, name="mailapp-2fa-live", daemon=True)
    thread.start()
    yield f"http://localhost:{server.effective_port}", app
    server.close()
    thread.join(timeout=5)
    app.extensions["mailcow"].close()
    app.extensions["db_engine"].dispose()


@pytest.fixture
def open_page(browser, tfa_server, console):
    """Pages on the module's server; console errors and CSP violations fail the test."""
    origin, _app = tfa_server
    contexts = []

    def make(color_scheme="light"):
        context, page = _open(browser, origin, console, None, DESKTOP, color_scheme)
        contexts.append(context)
        return page

    yield make
    for context in contexts:
        context.close()
    assert console.errors == [], "console errors or CSP violations:\n" + "\n".join(console.errors)


def _create_admin(app, username: str) -> None:
    from panel.extensions import db
    from panel.services.admins import create_admin

    with app.app_context():
        create_admin(username, ADMIN_PASSWORD)
        db.session.remove()


def _login_methods(app, username: str) -> list[str]:
    from panel.extensions import db
    from panel.models import AuditEvent

    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(
            AuditEvent.action == "auth.login", AuditEvent.target == username)
            .order_by(AuditEvent.id)).all()
        db.session.remove()
    return [r.changes["method"] for r in rows]


def _password_step(page, username: str) -> None:
    page.goto("/login")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()


def _sign_out(page) -> None:
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url(re.compile(r"/login$"))


def _next_step_code(secret: str) -> str:
    """A code newer than the one just used: TOTP codes are single use, so the next
    30-second step's code (accepted as one step of clock skew) is the one to type."""
    return pyotp.TOTP(secret).at(time.time() + 30)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_enrol_totp_then_sign_in_with_a_code(tfa_server, open_page, console, scheme):
    origin, app = tfa_server
    username = f"tina-{scheme}"
    _create_admin(app, username)
    page = open_page(color_scheme=scheme)

    _password_step(page, username)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/account")
    shot(page, f"2fa-security-empty-{scheme}")
    page.get_by_role("button", name="Set up an authenticator app").click()
    page.wait_for_url(re.compile(r"/account/totp$"))
    page.get_by_text("Scan the QR code or enter this secret").wait_for()
    qr = page.get_by_role("img", name="QR code for your authenticator app")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    # Decodes (a broken SVG would reject) and has a size: the QR code really shows.
    assert qr.evaluate("img => img.decode().then(() => img.naturalWidth)") > 0
    shot(page, f"2fa-totp-enrol-{scheme}")

    secret = page.locator("[data-secret]").inner_text().replace(" ", "")
    assert re.fullmatch(r"[A-Z2-7]{32}", secret)
    page.get_by_label("Code shown by the app").fill(pyotp.TOTP(secret).now())
    page.get_by_role("button", name="Turn on").click()
    page.wait_for_url(re.compile(r"/account/recovery-codes$"))
    codes = page.locator("[data-recovery-codes] code").all_inner_texts()
    assert len(codes) == 10
    shot(page, f"2fa-recovery-codes-{scheme}")
    page.get_by_role("button", name="I have saved them").click()
    page.wait_for_url(re.compile(r"/account$"))
    assert page.locator("#totp .badge").inner_text() == "On"
    shot(page, f"2fa-security-totp-on-{scheme}")

    _sign_out(page)
    _password_step(page, username)
    page.wait_for_url(re.compile(r"/login/second-factor$"))
    page.get_by_text(f"Signing in as {username}").wait_for()
    shot(page, f"2fa-second-step-{scheme}")

    console.allow_status(401)
    page.get_by_label("Code from your authenticator app").fill("000000")
    page.get_by_role("button", name="Verify").click()
    page.locator(".field-error").wait_for()
    shot(page, f"2fa-second-step-wrong-code-{scheme}")
    page.get_by_label("Code from your authenticator app").fill(_next_step_code(secret))
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".topbar .who").inner_text().startswith(f"{username} ")
    assert _login_methods(app, username) == ["password", "password+totp"]

    # A recovery code works once in place of the app.
    _sign_out(page)
    _password_step(page, username)
    page.wait_for_url(re.compile(r"/login/second-factor$"))
    page.get_by_text("Use a recovery code").click()
    page.get_by_label("Recovery code").fill(codes[0])
    page.get_by_role("button", name="Use this code").click()
    page.wait_for_url(re.compile(r"/$"))
    page.get_by_text("You used a recovery code: 9 are left.").wait_for()


def _virtual_authenticator(page) -> tuple[object, str]:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable", {"enableUI": False})
    result = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True,
        "hasUserVerification": True, "isUserVerified": True,
        "automaticPresenceSimulation": True}})
    return cdp, result["authenticatorId"]


def test_security_key_second_factor_and_passwordless(tfa_server, open_page):
    origin, app = tfa_server
    username = "kim"
    _create_admin(app, username)
    page = open_page()
    cdp, authenticator = _virtual_authenticator(page)

    _password_step(page, username)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/account")
    page.get_by_label("Name of the new security key").fill("Virtual key")
    page.get_by_role("button", name="Add security key").click()
    # The first second factor comes with recovery codes, shown once.
    page.wait_for_url(re.compile(r"/account/recovery-codes$"))
    assert page.locator("[data-recovery-codes] code").count() == 10
    page.get_by_role("button", name="I have saved them").click()
    page.wait_for_url(re.compile(r"/account$"))
    row = page.locator("#keys tbody tr")
    assert row.count() == 1
    assert "Virtual key" in row.inner_text()
    assert "Passwordless" in row.inner_text() and "never" in row.inner_text()
    shot(page, "2fa-security-key-added-light")
    page.get_by_role("link", name="Rename Virtual key").click()
    page.get_by_label("Name").fill("Kim's virtual key")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url(re.compile(r"/account$"))
    assert "Kim's virtual key" in page.locator("#keys tbody tr").inner_text()
    stored = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})
    assert len(stored["credentials"]) == 1 and stored["credentials"][0]["isResidentCredential"]

    # Password, then the key as second factor.
    _sign_out(page)
    _password_step(page, username)
    page.wait_for_url(re.compile(r"/login/second-factor$"))
    shot(page, "2fa-second-step-key-light")
    page.get_by_role("button", name="Use my security key").click()
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/account")
    assert "never" not in page.locator("#keys tbody tr").inner_text()

    # Passwordless from the login page: the key says who it belongs to.
    _sign_out(page)
    page.get_by_text("Sign in with a security key or passkey").wait_for()
    page.get_by_role("button", name="Use a security key or passkey").click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.locator(".topbar .who").inner_text().startswith(f"{username} ")
    assert _login_methods(app, username) == ["password", "password+security_key",
                                             "security_key"]


def test_second_step_in_dark_mode_with_key_and_app(tfa_server, open_page):
    """Screenshot of the second step offering all three methods, dark."""
    from panel.extensions import db
    from panel.models import Admin
    from panel.services import second_factors

    origin, app = tfa_server
    username = "dana"
    _create_admin(app, username)
    page = open_page(color_scheme="dark")
    _virtual_authenticator(page)
    _password_step(page, username)
    page.wait_for_url(re.compile(r"/$"))
    page.goto("/account")
    page.get_by_label("Name of the new security key").fill("Laptop passkey")
    page.get_by_role("button", name="Add security key").click()
    page.wait_for_url(re.compile(r"/account/recovery-codes$"))
    with app.app_context():
        me = db.session.scalar(select(Admin).where(Admin.username == username))
        secret = second_factors.pending_totp_secret(me)
        assert second_factors.confirm_totp(me, pyotp.TOTP(secret).now(), actor="test") == []
        db.session.remove()
    page.goto("/account")
    shot(page, "2fa-security-both-dark")
    _sign_out(page)
    _password_step(page, username)
    page.wait_for_url(re.compile(r"/login/second-factor$"))
    page.get_by_text("Use a recovery code").click()
    shot(page, "2fa-second-step-all-dark")
    page.get_by_role("button", name="Use my security key").click()
    page.wait_for_url(re.compile(r"/$"))


def test_policy_locks_admins_without_a_factor_out_until_they_enrol(tfa_server, open_page):
    from panel.extensions import db
    from panel.services import settings as app_settings

    origin, app = tfa_server
    username = "paula"
    _create_admin(app, username)
    page = open_page()
    try:
        _password_step(page, username)
        page.wait_for_url(re.compile(r"/$"))
        page.goto("/settings/security")
        assert page.get_by_text(username).first.is_visible()  # listed: no second factor
        shot(page, "2fa-policy-light")
        page.get_by_label("Require a second factor for all administrators").check()
        page.get_by_role("button", name="Save").click()
        # Paula has no factor herself: from now on she can only enrol.
        page.wait_for_url(re.compile(r"/account$"))
        page.get_by_text("A second factor is required.").wait_for()
        shot(page, "2fa-enrolment-required-light")
        page.goto("/domains")
        page.wait_for_url(re.compile(r"/account$"))
    finally:
        with app.app_context():
            app_settings.set_require_2fa(False, actor="test")
            db.session.remove()
