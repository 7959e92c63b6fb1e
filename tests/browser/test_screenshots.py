"""Screenshots of the main screens, light and dark, desktop and phone, for review by eye."""
from __future__ import annotations

import re

import pytest

from .conftest import DESKTOP, PHONE, shot

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("size", ["desktop", "phone"])
def test_screens(new_page, console, size, scheme):
    viewport = DESKTOP if size == "desktop" else PHONE
    suffix = f"{size}-{scheme}"

    login = new_page(signed_in=False, viewport=viewport, color_scheme=scheme)
    login.goto("/login")
    shot(login, f"login-{suffix}")

    page = new_page(viewport=viewport, color_scheme=scheme)
    page.goto("/domains")
    shot(page, f"domains-{suffix}")

    first = page.locator("#domain-table tbody a").first
    name = first.inner_text().strip()
    first.click()
    page.wait_for_url(re.compile(r"/domains/[^/]+$"))
    page.get_by_role("heading", level=1, name=name).wait_for()
    shot(page, f"domain-detail-{suffix}")

    console.allow_status(422)
    page.goto("/domains/new")
    page.get_by_label("Domain", exact=True).fill("not a domain")
    page.get_by_label("Default mailbox quota (MiB)").fill("999999")
    page.get_by_role("button", name="Add domain").click()
    page.locator(".field-error").first.wait_for()
    shot(page, f"domain-form-errors-{suffix}")
