"""BCC maps in a real browser: one added through the form (after a form error beside the
field), then two deactivated together through the bulk bar and its one confirmation."""
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


def test_add_bcc_map_then_bulk_deactivate_two(page, sandbox, console):
    domain = f"browser-bcc-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                           "aliases": "5", "defquota": "100", "maxquota": "200",
                                           "quota": "1000"})
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "ceo", "domain": domain,
                                            "quota": "10", "password": "S3cret-Pass1",
                                            "password2": "S3cret-Pass1", "active": "1"})

    console.allow_status(422)
    page.goto("/bcc/new")
    page.get_by_label("Local destination").fill(domain)
    page.get_by_label("BCC destination").fill("not an address")
    page.get_by_role("button", name="Add BCC map").click()
    page.wait_for_load_state()
    assert "Enter one e-mail address" in page.locator("#bcc_dest-error").inner_text()

    page.get_by_label("BCC destination").fill("archive@vault.example")
    page.get_by_role("button", name="Add BCC map").click()
    page.wait_for_url(re.compile(r"/bcc\?q="))
    assert f"BCC map for {domain} added." in page.locator("#banner").inner_text()

    # A second map through the form: the mailbox's received mail.
    page.goto("/bcc/new")
    page.get_by_label("Local destination").fill(f"ceo@{domain}")
    page.get_by_label("BCC type").select_option("rcpt")
    page.get_by_label("BCC destination").fill("audit@vault.example")
    page.get_by_role("button", name="Add BCC map").click()
    page.wait_for_url(re.compile(r"/bcc\?q="))

    page.goto(f"/bcc?q={domain}")
    rows = page.locator("#bcc-table tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="Inactive")).to_have_count(0)
    page.locator("#bcc-table thead input[data-select-all]").check()
    page.get_by_role("button", name="Deactivate").click()
    page.wait_for_load_state()
    expect(page.get_by_role("heading", name="Deactivate 2 BCC maps?")).to_be_visible()
    page.get_by_role("button", name="Deactivate 2 BCC maps").click()
    page.wait_for_url(re.compile(r"/bcc\?q="))
    assert "2 BCC maps deactivated." in page.locator("#banner").inner_text()
    expect(page.locator("#bcc-table tbody tr").filter(has_text="Inactive")).to_have_count(2)

    found = [m for m in mailcow_api(sandbox, "get", "bcc/all") if m["domain"] == domain]
    assert sorted((m["local_dest"], m["type"], m["bcc_dest"], m["active"]) for m in found) == [
        (f"@{domain}", "sender", "archive@vault.example", 0),
        (f"ceo@{domain}", "rcpt", "audit@vault.example", 0)]
    page.screenshot(path="/tmp/x/bcc-list.png", full_page=True)
    assert console.errors == []
