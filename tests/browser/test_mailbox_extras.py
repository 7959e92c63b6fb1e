"""Mailbox extras in a real browser: an app password is shown once, then never again."""
from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser
PASSWORD = "S3cret-Pass1"


def _mailbox(sandbox) -> str:
    domain = f"browser-ap-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "10",
                                           "aliases": "10", "defquota": "512",
                                           "maxquota": "2048", "quota": "10240"})
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "anna", "domain": domain,
                                            "name": "Anna App", "quota": "100",
                                            "password": PASSWORD, "password2": PASSWORD,
                                            "active": "1"})
    return f"anna@{domain}"


def test_app_password_is_shown_once(page, sandbox, console):
    username = _mailbox(sandbox)
    page.goto(f"/mailboxes/{username}")
    section = page.locator("#app-passwords")
    section.get_by_text("Add an app password").click()
    # Bad input: the message appears beside the field, nothing is created.
    console.allow_status(422)
    section.get_by_role("button", name="Add app password").click()
    expect(page.locator("#app_name-error")).to_contain_text("required")
    assert mailcow_api(sandbox, "get", f"app-passwd/all/{username}") == {}
    section.get_by_label("Name").fill("Thunderbird laptop")
    section.get_by_role("button", name="Add app password").click()
    secret = page.locator("#new-app-password")
    expect(secret).to_be_visible()
    value = secret.inner_text()
    assert len(value) >= 16
    expect(page.locator("#app-passwords tbody")).to_contain_text("Thunderbird laptop")
    page.screenshot(path="/tmp/mailbox-detail-app-password.png", full_page=True, caret="initial")

    page.reload()
    expect(page.locator("#app-passwords tbody")).to_contain_text("Thunderbird laptop")
    expect(page.locator("#new-app-password")).to_have_count(0)
    assert value not in page.content()
    page.screenshot(path="/tmp/mailbox-detail.png", full_page=True, caret="initial")

    page.once("dialog", lambda dialog: dialog.accept())
    page.locator("#app-passwords tbody").get_by_role("button", name="Delete").click()
    expect(page.locator("#app-passwords")).to_contain_text("No app passwords yet.")
    assert mailcow_api(sandbox, "get", f"app-passwd/all/{username}") == {}
