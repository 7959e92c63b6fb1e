"""DNS diagnostics and Mailcow logs in a real browser: the DNS results arrive after the
page (hx-trigger="load") from a real NSD; log tabs, filter and the auto-refresh toggle."""
from __future__ import annotations

import re
import threading
import uuid

import pytest
from playwright.sync_api import expect

try:
    from tests.conftest import app_config, mailcow_api
    from tests.infra.nsd import nsd_available, serve_zones, zone_text
except ImportError:
    from conftest import app_config, mailcow_api
    from infra.nsd import nsd_available, serve_zones, zone_text

from .conftest import ADMIN_PASSWORD, CSP_WATCH, DESKTOP

pytestmark = pytest.mark.browser
SHOTS = "/tmp"


def _settled(page) -> None:
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_log_tabs_filter_and_auto_refresh(page):
    page.goto("/logs")
    expect(page.locator("h2#log-title")).to_have_text("Postfix")
    expect(page.locator("tr.log-entry").first).to_be_visible()
    page.get_by_role("link", name="Dovecot", exact=True).click()
    expect(page.locator("h2#log-title")).to_have_text("Dovecot")
    expect(page).to_have_url(re.compile(r"source=dovecot"))
    page.get_by_placeholder("Filter these entries").fill("Authentication failed")
    _settled(page)
    expect(page).to_have_url(re.compile(r"q=Authentication"))
    rows = page.locator("tr.log-entry")
    assert rows.count() > 0
    for text in rows.all_inner_texts():
        assert "authentication failed" in text.lower()
    page.get_by_role("switch").check()
    _settled(page)
    expect(page.locator("#log-table")).to_have_attribute("hx-trigger", "every 10s")
    expect(page.locator(".log-meta .badge")).to_have_text("live")
    page.get_by_role("switch").uncheck()
    _settled(page)
    expect(page.locator("#log-table")).not_to_have_attribute("hx-trigger", "every 10s")
    page.get_by_placeholder("Filter these entries").fill("")
    page.get_by_role("link", name="Rspamd history").click()
    expect(page.locator("h2#log-title")).to_have_text("Rspamd history")
    page.screenshot(path=f"{SHOTS}/mailapp-logs.png", full_page=True)


@pytest.fixture
def dns_server(browser, sandbox, tmp_path, console):
    """A MailApp of its own whose resolver is a real NSD with a zone for a new domain."""
    if not nsd_available():
        pytest.skip("nsd is not installed (scripts/test.sh installs Debian's nsd)")
    from waitress import create_server

    from panel import create_app
    from panel.extensions import db
    from panel.services.admins import create_admin

    domain = f"browser-dns-{uuid.uuid4().hex[:6]}.test"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                           "aliases": "5", "defquota": "100",
                                           "maxquota": "200", "quota": "1000"})
    zones = {domain: zone_text(domain, """
@ IN MX 10 mail.sandbox.test.
@ IN TXT "v=spf1 mx ~all"
_dmarc IN TXT "v=DMARC1; p=quarantine"
autodiscover IN CNAME mail.sandbox.test.
autoconfig IN CNAME webmail.elsewhere.example.
_imaps._tcp IN SRV 0 1 993 mail.sandbox.test.
""")}
    (tmp_path / "nsd").mkdir()
    with serve_zones(tmp_path / "nsd", zones, probe=f"autodiscover.{domain}") as port:
        app = create_app(app_config(tmp_path, sandbox, MAILAPP_DNS_RESOLVER=f"127.0.0.1:{port}"))
        with app.app_context():
            create_admin("dns-root", ADMIN_PASSWORD)
            db.session.remove()
        server = create_server(app, host="127.0.0.1", port=0, threads=4, ident="MailApp-dns")
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        context = browser.new_context(base_url=f"http://localhost:{server.effective_port}",
                                      viewport=DESKTOP)
        context.set_default_timeout(10000)
        context.add_init_script(CSP_WATCH)
        page = context.new_page()
        console.attach(page)
        page.goto("/login")
        page.get_by_label("Username").fill("dns-root")
        page.get_by_label("Password").fill(ADMIN_PASSWORD)
        page.get_by_role("button", name="Sign in", exact=True).click()
        page.wait_for_load_state()
        try:
            yield page, domain
        finally:
            context.close()
            server.close()
            thread.join(timeout=5)
            app.extensions["db_engine"].dispose()
    assert console.errors == [], "\n".join(console.errors)


def test_dns_results_load_after_the_page(dns_server):
    page, domain = dns_server
    page.goto(f"/domains/{domain}")
    page.get_by_role("link", name="Check what is published now").click()
    expect(page.locator("h1")).to_have_text("DNS diagnostics")
    row = page.locator(f'tr[data-name="{domain}"][data-type="MX"]')
    expect(row).to_have_attribute("data-status", "correct")
    expect(page.locator(f'tr[data-name="autoconfig.{domain}"]')).to_have_attribute(
        "data-status", "mismatch")
    expect(page.locator(f'tr[data-name="_autodiscover._tcp.{domain}"]')).to_have_attribute(
        "data-status", "missing")
    expect(page.locator(".dns-count-correct .stat")).not_to_have_text("0")
    page.screenshot(path=f"{SHOTS}/mailapp-dns.png", full_page=True)
    page.get_by_role("button", name="Check again").click()
    _settled(page)
    expect(row).to_have_attribute("data-status", "correct")
