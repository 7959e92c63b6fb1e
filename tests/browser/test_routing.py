"""Routing in a real browser: a transport map entry added through the form (after a form
error), found by live search, its password never shown; the DKIM page's copy buttons."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import expect

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser


def _settled(page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_add_a_transport_map(page, sandbox, console):
    destination = f"browser-{uuid.uuid4().hex[:8]}.example"
    secret = f"Browser-Relay-{uuid.uuid4().hex[:6]}"

    page.goto("/routing/transports")
    assert "A transport map entry wins over a sender-dependent transport." in \
        page.locator("main").inner_text()
    page.get_by_role("button", name="Add transport").first.click()
    page.wait_for_url(re.compile(r"/routing/transports/new$"))

    # A form error first: the message sits under the field, nothing is created.
    console.allow_status(422)
    page.get_by_label("Destination", exact=True).fill(destination)
    page.get_by_label("Next hop").fill("smtp:[relay.example.net]:587")
    page.get_by_label("Username").fill("relay-user")
    page.get_by_label("Password", exact=True).fill(secret)
    page.get_by_role("button", name="Add transport").click()
    page.wait_for_load_state()
    assert "Leave out the service name" in page.locator("#nexthop-error").inner_text()
    assert page.get_by_label("Password", exact=True).input_value() == ""
    assert secret not in page.content()

    page.get_by_label("Next hop").fill("[relay.example.net]:587")
    page.get_by_label("Password", exact=True).fill(secret)
    page.get_by_role("button", name="Add transport").click()
    page.wait_for_url(re.compile(r"/routing/transports$"))
    assert f"Transport for {destination} added." in page.locator("#banner").inner_text()

    found = [t for t in mailcow_api(sandbox, "get", "transport/all")
             if t["destination"] == destination]
    assert [(t["nexthop"], t["username"], t["password"]) for t in found] == \
        [("[relay.example.net]:587", "relay-user", secret)]

    # Live search swaps the table in place.
    page.evaluate("window.__sameDocument = true")
    page.get_by_label("Search transport maps").fill(destination)
    page.wait_for_url(re.compile(r"q=" + re.escape(destination)))
    _settled(page)
    assert page.evaluate("window.__sameDocument === true")
    rows = page.locator("#transport-table tbody tr")
    expect(rows).to_have_count(1)
    text = rows.first.inner_text()
    assert destination in text and "[relay.example.net]:587" in text and "Set" in text
    assert secret not in page.content()

    from tests.browser.conftest import shot
    shot(page, "routing-transports")
    page.goto("/routing")
    shot(page, "routing-relayhosts")


def test_dkim_page_copy_buttons(page, sandbox):
    page.goto("/dkim?q=example.org")
    row = page.locator("#dkim-table tbody tr").first
    expect(row).to_contain_text("dkim._domainkey.example.org")
    value = row.get_by_role("button", name="Copy the TXT value of example.org")
    assert value.get_attribute("data-copy").startswith("v=DKIM1;k=rsa;t=s;s=email;p=")
    from tests.browser.conftest import shot
    shot(page, "dkim-keys")
