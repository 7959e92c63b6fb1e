"""The Mailboxes area in a real browser: add, live search, edit quota, disable, delete; bulk."""
from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser
PASSWORD = "S3cret-Pass1"


def _domain(sandbox) -> str:
    name = f"browser-mb-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": name, "active": "1", "mailboxes": "10",
                                           "aliases": "10", "defquota": "512",
                                           "maxquota": "2048", "quota": "10240"})
    return name


def _settled(page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_create_find_edit_quota_disable_delete(page, sandbox):
    domain = _domain(sandbox)
    username = f"jane@{domain}"
    page.goto(f"/mailboxes?domain={domain}")
    page.get_by_role("button", name="Add mailbox").click()
    page.wait_for_url(re.compile(r"/mailboxes/new"))
    page.get_by_label("Username (before the @)").fill("Jane")
    page.locator("select#domain").select_option(domain)
    page.get_by_label("Full name").fill("Jane Browser")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_label("Quota (MiB)").fill("300")
    page.get_by_role("button", name="Add mailbox").click()
    page.wait_for_url(re.compile(rf"/mailboxes/{re.escape(username)}\?added=1$"))
    assert page.get_by_role("heading", level=1).inner_text() == username
    assert "993" in page.locator("#client-settings").inner_text()

    page.goto("/mailboxes")
    page.get_by_role("searchbox", name="Search mailboxes").fill(username)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [username])
    _settled(page)
    rows = page.locator("#mailbox-table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Jane Browser")
    expect(rows.first).to_contain_text("300 MiB")

    rows.first.get_by_role("link", name="Edit").click()
    page.wait_for_url(re.compile(r"/edit$"))
    page.get_by_label("Quota (MiB)").fill("600")
    page.get_by_role("button", name="Save changes").click()
    page.wait_for_url(re.compile(rf"/mailboxes/{re.escape(username)}$"))
    expect(page.locator(".stat-grid")).to_contain_text("600 MiB")
    assert mailcow_api(sandbox, "get", f"mailbox/{username}")["quota"] == 600 * 1024 * 1024

    page.get_by_role("button", name="Disable").click()
    expect(page.get_by_role("button", name="Enable")).to_be_visible()
    assert mailcow_api(sandbox, "get", f"mailbox/{username}")["active"] == 0

    page.get_by_role("button", name="Delete").click()
    page.wait_for_url(re.compile(r"/delete$"))
    expect(page.locator("article.confirm")).to_contain_text("All stored mail is removed")
    page.get_by_role("button", name=f"Delete {username}").click()
    page.wait_for_url(re.compile(r"/mailboxes$"))
    assert mailcow_api(sandbox, "get", f"mailbox/{username}") == {}


def test_bulk_disable_three_mailboxes(page, sandbox):
    domain = _domain(sandbox)
    names = []
    for local in ("ann", "ben", "cat", "dan"):
        mailcow_api(sandbox, "add", "mailbox", {
            "local_part": local, "domain": domain, "name": local.title(), "quota": "100",
            "password": PASSWORD, "password2": PASSWORD, "active": "1"})
        names.append(f"{local}@{domain}")
    page.goto(f"/mailboxes?domain={domain}")
    for username in names[:3]:
        page.get_by_label(f"Select {username}").check()
    page.get_by_role("button", name="Deactivate").click()
    # Back on the same filtered list, not the first page of everything.
    page.wait_for_url(lambda url: urlsplit(url).path == "/mailboxes"
                      and parse_qs(urlsplit(url).query).get("domain") == [domain])
    expect(page.locator("#banner")).to_contain_text("3 mailboxes deactivated.")
    expect(page.locator("#mailbox-table tbody tr").filter(has_text="Inactive")).to_have_count(3)
    states = [mailcow_api(sandbox, "get", f"mailbox/{n}")["active"] for n in names]
    assert states == [0, 0, 0, 1]


def test_select_all_ticks_every_row_on_the_page(page, sandbox):
    domain = _domain(sandbox)
    names = []
    for local in ("eve", "fay"):
        mailcow_api(sandbox, "add", "mailbox", {
            "local_part": local, "domain": domain, "name": local.title(), "quota": "100",
            "password": PASSWORD, "password2": PASSWORD, "active": "1"})
        names.append(f"{local}@{domain}")
    page.goto(f"/mailboxes?domain={domain}")
    page.get_by_label("Select all rows on this page").check()
    for username in names:
        expect(page.get_by_label(f"Select {username}")).to_be_checked()
    page.get_by_label("Select all rows on this page").uncheck()
    for username in names:
        expect(page.get_by_label(f"Select {username}")).not_to_be_checked()
