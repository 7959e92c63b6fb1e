"""Quarantine and Fail2ban in a real browser: release a held message from its preview,
and unban an address from the ban list."""
from __future__ import annotations

import random
import re
import uuid

import pytest
from playwright.sync_api import expect

from panel.mailcow.sandbox.areas import fail2ban as sandbox_f2b
from panel.mailcow.sandbox.areas import quarantine as sandbox_quarantine
from panel.mailcow.sandbox.store import opened, transaction

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser


def test_release_a_quarantined_message(page, sandbox):
    domain = f"browser-q-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                           "aliases": "5", "defquota": "100", "maxquota": "200",
                                           "quota": "1000"})
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "eva", "domain": domain, "name": "Eva",
                                            "quota": "100", "password": "S3cret-Pass1",
                                            "password2": "S3cret-Pass1", "active": "1"})
    subject = f"Quarterly report {uuid.uuid4().hex[:6]}"
    with opened(sandbox.db_path) as conn, transaction(conn):
        item_id = sandbox_quarantine.quarantine_mail(
            conn, f"eva@{domain}", "reports@partner.example", subject, 8.4, "add_header",
            [{"name": "BAYES_SPAM", "score": 4.2, "description": "Probably spam"}],
            body="The figures you asked for.\n", attachments=("report.xlsx",))

    page.goto("/quarantine")
    page.get_by_label("Search quarantine").fill(subject)
    row = page.locator(f"#qitem-{item_id}")
    expect(row).to_be_visible()
    expect(page.locator(".quarantine-table tbody tr")).to_have_count(1)
    row.get_by_role("link", name=subject).click()
    page.wait_for_url(re.compile(rf"/quarantine/{item_id}"))
    expect(page.get_by_role("heading", name=subject)).to_be_visible()
    expect(page.locator(".symbol-table")).to_contain_text("BAYES_SPAM")
    expect(page.locator(".attachment-list")).to_contain_text("report.xlsx")
    expect(page.locator(".message-text")).to_contain_text("The figures you asked for.")

    page.get_by_role("button", name="Release to inbox").click()
    page.wait_for_url(re.compile(r"/quarantine(\?|$)"))
    expect(page.locator("#banner")).to_contain_text("1 message released to its inbox.")
    expect(page.locator(f"#qitem-{item_id}")).to_have_count(0)
    assert mailcow_api(sandbox, "get", f"quarantine/{item_id}") == {}


def test_unban_an_address(page, sandbox):
    network = f"198.51.100.{random.randint(100, 250)}/32"
    with opened(sandbox.db_path) as conn, transaction(conn):
        sandbox_f2b.ban(conn, network, 1500)

    page.goto("/fail2ban")
    row = page.locator(".ban-table tbody tr", has_text=network)
    expect(row).to_contain_text("Banned")
    expect(row).to_contain_text(re.compile(r"00h 2[45]m \d\ds"))
    # The remaining time counts down in the page.
    countdown = row.locator("[data-countdown]")
    before = int(countdown.get_attribute("data-countdown"))
    expect(countdown).not_to_have_attribute("data-countdown", str(before))
    assert int(countdown.get_attribute("data-countdown")) < before

    row.get_by_role("button", name="Unban").click()
    page.wait_for_url(re.compile(r"/fail2ban"))
    expect(page.locator("#banner")).to_contain_text(f"{network} is queued for unbanning")
    row = page.locator(".ban-table tbody tr", has_text=network)
    expect(row).to_contain_text("Queued for unban")
    expect(row.get_by_role("button", name="Unban")).to_have_count(0)
    bans = mailcow_api(sandbox, "get", "fail2ban")["active_bans"]
    assert next(b for b in bans if b["network"] == network)["queued_for_unban"] == 1
