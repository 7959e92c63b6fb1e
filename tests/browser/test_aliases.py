"""The Aliases area in a real browser: a catch-all added through the form, found by live
search with the domain filter, disabled in place, and deleted."""
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


def _settled(page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_add_catch_all_filter_disable_and_delete(page, sandbox, console):
    domain = f"browser-alias-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                           "aliases": "5", "defquota": "100", "maxquota": "200",
                                           "quota": "1000"})

    # A form error first: nothing is created, the message sits under the field.
    console.allow_status(422)
    page.goto("/aliases/new")
    page.get_by_label("Alias address").fill(f"@{domain}")
    page.get_by_role("button", name="Add alias").click()
    page.wait_for_load_state()
    assert "Enter at least one destination" in page.locator("#goto-error").inner_text()

    page.get_by_label("Goto address(es)").fill("everything@remote.example\nbackup@remote.example")
    page.get_by_label("Public comment").fill("Catch all for the browser test")
    page.get_by_role("button", name="Add alias").click()
    page.wait_for_url(re.compile(r"/aliases\?q="))
    assert f"Alias @{domain} added." in page.locator("#banner").inner_text()

    # Filter by the domain: the table is swapped in place and the state is in the URL.
    page.goto("/aliases")
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Domain", exact=True).select_option(domain)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("domain") == [domain])
    _settled(page)
    assert page.evaluate("window.__sameDocument === true"), "the filter reloaded the page"
    rows = page.locator("#alias-table tbody tr")
    expect(rows).to_have_count(1)
    row = rows.first
    text = row.inner_text()
    assert f"@{domain}" in text and "Catch-all" in text and "everything@remote.example" in text
    assert "Catch all for the browser test" in text and "Active" in text

    # Disable in place: only the row is swapped.
    row.get_by_role("button", name="Disable").click()
    expect(page.locator("#alias-table tbody tr").first).to_contain_text("Inactive")
    assert page.evaluate("window.__sameDocument === true")
    alias = next(a for a in mailcow_api(sandbox, "get", f"alias/all/{domain}"))
    assert alias["active"] == 0 and alias["is_catch_all"] == 1

    # Bulk delete with one confirmation naming the count.
    page.locator("#alias-table tbody tr").first.get_by_role("checkbox").check()
    page.get_by_role("button", name="Delete…").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete 1 alias?")
    page.get_by_role("button", name="Delete 1 alias").click()
    page.wait_for_url(re.compile(r"/aliases"))
    assert "1 alias deleted." in page.locator("#banner").inner_text()
    assert mailcow_api(sandbox, "get", f"alias/all/{domain}") in ({}, [])
