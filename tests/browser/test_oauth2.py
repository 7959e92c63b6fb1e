"""OAuth2 in a real browser: register a client, see its secret exactly once (a reload
and the list never show it again), copy it, and issue a new one."""
from __future__ import annotations

import os
import re
import uuid

import pytest

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser
SHOTS = os.environ.get("MAILAPP_SCREENSHOT_DIR", "/tmp/mailapp-shots")


def _client(sandbox, redirect_uri):
    found = mailcow_api(sandbox, "get", "oauth2-client/all")
    [client] = [c for c in found if c["redirect_uri"] == redirect_uri]
    return client


def test_register_client_and_see_its_secret_exactly_once(page, sandbox, console):
    os.makedirs(SHOTS, exist_ok=True)
    redirect_uri = f"https://app-{uuid.uuid4().hex[:8]}.example.test/callback"

    # Bad input first: refused beside the field, nothing registered.
    console.allow_status(422)
    page.goto("/oauth2/new")
    page.get_by_label("Redirect URI").fill("http://app.example.test/callback")
    page.get_by_role("button", name="Register client").click()
    page.wait_for_load_state()
    assert "only accepted for localhost" in page.locator("#redirect_uri-error").inner_text()

    page.get_by_label("Redirect URI").fill(redirect_uri)
    page.get_by_role("button", name="Register client").click()
    page.wait_for_url(re.compile(r"/oauth2/\d+/secret$"))
    made = _client(sandbox, redirect_uri)
    secret = made["client_secret"]
    assert page.locator("#client-secret").inner_text() == secret
    assert page.locator("#client-id").inner_text() == made["client_id"]
    assert "will not be shown again" in page.locator("[role=alert]").inner_text()
    assert secret not in page.url
    page.screenshot(path=f"{SHOTS}/oauth2-secret-once.png", full_page=True)

    # The copy button puts the secret on the clipboard.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="Copy secret").click()
    assert page.evaluate("navigator.clipboard.readText()") == secret

    # Reload: gone for good.
    page.reload()
    assert page.locator("#client-secret").count() == 0
    assert secret not in page.content()
    assert "shown once" in page.locator("#secret-gone").inner_text()

    page.goto("/oauth2")
    row = page.locator(f"#oauth2-client-{made['id']}")
    assert made["client_id"] in row.inner_text() and redirect_uri in row.inner_text()
    assert secret not in page.content()
    page.screenshot(path=f"{SHOTS}/oauth2-list.png", full_page=True)

    # A new secret: asked first, shown once, the old one no longer valid.
    row.get_by_role("link", name="New secret").click()
    page.get_by_role("button", name="Issue new secret").click()
    page.wait_for_url(re.compile(rf"/oauth2/{made['id']}/secret$"))
    renewed = _client(sandbox, redirect_uri)["client_secret"]
    assert renewed != secret and page.locator("#client-secret").inner_text() == renewed
    page.go_back()
    page.goto(f"/oauth2/{made['id']}/secret")
    assert renewed not in page.content()

    # Delete, with the confirmation.
    page.goto(f"/oauth2/{made['id']}/delete")
    page.get_by_role("button", name="Delete client").click()
    page.wait_for_url(re.compile(r"/oauth2$"))
    assert "deleted" in page.locator("#banner").inner_text()
    assert page.locator(f"#oauth2-client-{made['id']}").count() == 0
