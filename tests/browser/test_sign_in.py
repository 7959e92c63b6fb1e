"""Signing in through the login form, and what every page shows in sandbox mode."""
from __future__ import annotations

import re

import pytest

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser


def test_sign_in_lands_on_home(anon_page):
    page = anon_page
    page.goto("/")
    page.wait_for_url(re.compile(r"/login\?next="))
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    assert page.get_by_role("heading", level=1).inner_text() == "Home"
    assert ADMIN_USERNAME in page.locator(".topbar .who").inner_text()
    # The figures arrive after the page: the counts from the sandbox Mailcow.
    page.locator("#ov-counts + div dd a").first.wait_for()
    assert int(page.locator("#ov-counts + div dd a").first.inner_text().replace(",", "")) > 0


def test_wrong_password_shows_the_message_beside_the_field(anon_page, console):
    page = anon_page
    console.allow_status(401)
    page.goto("/login")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_load_state()

    error = page.locator("#password-error")
    assert error.inner_text() == "Wrong username or password."
    password = page.get_by_label("Password")
    assert password.get_attribute("aria-invalid") == "true"
    assert password.get_attribute("aria-describedby") == "password-error"
    # Beside the field: right under the password box, not in a banner elsewhere.
    field, message = password.bounding_box(), error.bounding_box()
    assert 0 <= message["y"] - (field["y"] + field["height"]) < 24
    assert abs(message["x"] - field["x"]) < 4
    # Still on the login page, with the typed username kept and the password not.
    assert page.url.endswith("/login")
    assert page.get_by_label("Username").input_value() == ADMIN_USERNAME
    assert password.input_value() == ""


def test_sandbox_marker_on_every_screen(anon_page, page):
    marker = "Sandbox — not connected to a mail server"
    anon_page.goto("/login")
    assert marker in anon_page.get_by_role("status").filter(has_text="Sandbox").inner_text()
    page.goto("/domains")
    box = page.locator(".sandbox-marker")
    assert box.is_visible() and marker in box.inner_text()
    # At the very top, full width, above the header.
    bounds = box.bounding_box()
    assert bounds["y"] == 0 and bounds["width"] == page.viewport_size["width"]
