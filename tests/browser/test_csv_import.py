"""CSV import in a real browser: a dry run shows a row's error, then the import runs."""
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
PASSWORD = "S3cret-Pass1"


def test_dry_run_shows_row_error_then_imports(page, sandbox):
    domain = f"browser-imp-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "10",
                                           "aliases": "10", "defquota": "512",
                                           "maxquota": "2048", "quota": "10240"})
    page.goto("/mailboxes")
    page.get_by_role("button", name="Import CSV").click()
    page.wait_for_url(re.compile(r"/mailboxes/import$"))
    text = (f"email;name;password;quota\nann@{domain};Ann;{PASSWORD};\n"
            f"bob@{domain};Bob;{PASSWORD};4096\n")
    page.locator("#import-file").set_input_files(
        {"name": "people.csv", "mimeType": "text/csv", "buffer": text.encode()})
    page.get_by_role("button", name="Dry run").click()
    table = page.locator("#dry-run-table")
    expect(table).to_contain_text("Row 3: The quota 4096 MiB is above the domain's maximum")
    expect(page.locator("#dry-run-summary")).to_contain_text("1 rows can be imported")
    page.get_by_role("button", name="Import 1 row").click()
    expect(page.locator("#import-counts")).to_contain_text("1 / 1 done: 1 created, 0 failed.")
    expect(page.locator("#import-created")).to_contain_text(f"ann@{domain}")
    usernames = {m["username"] for m in mailcow_api(sandbox, "get", f"mailbox/all/{domain}")}
    assert usernames == {f"ann@{domain}"}
