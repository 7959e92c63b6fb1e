"""Sieve filters in a real browser: a preset inserted into the editor, a script with a
syntax error refused with the parser's message beside the editor, then saved once fixed.
Also screenshots of the Filters and Sync jobs pages (under /tmp, for looking at)."""
from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

try:
    from tests.conftest import mailcow_api
except ImportError:
    from conftest import mailcow_api

pytestmark = pytest.mark.browser
SHOTS = Path("/tmp/mailapp-screenshots")


def _mailbox(sandbox) -> str:
    domain = f"browser-flt-{uuid.uuid4().hex[:8]}.org"
    mailcow_api(sandbox, "add", "domain", {"domain": domain, "active": "1", "mailboxes": "5",
                                           "aliases": "5", "defquota": "100", "maxquota": "200",
                                           "quota": "1000"})
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "sieve", "domain": domain,
                                            "quota": "10", "password": "S3cret-Pass1",
                                            "password2": "S3cret-Pass1", "active": "1"})
    return f"sieve@{domain}"


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def test_syntax_error_is_shown_beside_the_editor(page, sandbox, console):
    username = _mailbox(sandbox)
    page.goto("/filters/new")
    page.get_by_label("Mailbox").fill(username)
    page.get_by_label("Description").fill("Browser filter")

    # A preset goes into the editor at the cursor.
    editor = page.get_by_label("Sieve script")
    page.get_by_label("Insert a preset").select_option(label="Discard silently and stop all "
                                                              "further filters")
    page.get_by_role("button", name="Insert at cursor").click()
    expect(editor).to_have_value(re.compile(r"discard;\nstop;"))

    # A script with a syntax error: refused, the parser's words under the editor.
    console.allow_status(422)
    editor.fill('require "fileinto";\nif header :contains "Subject" "x" {\n  fileinto "Junk";\n'
                "  this is not sieve\n}\n")
    page.get_by_role("button", name="Add filter").click()
    error = page.locator("#script-error")
    expect(error).to_contain_text("The sieve script is not valid: line 4:")
    # The message sits right under the editor, and the script is kept for correcting.
    field = page.locator(".field", has=page.locator("#script"))
    expect(field.locator("#script-error")).to_have_count(1)
    expect(editor).to_have_value(re.compile("this is not sieve"))
    assert mailcow_api(sandbox, "get", f"filters/{username}") == {}
    _shot(page, "filters-form-syntax-error")

    editor.fill('require "fileinto";\nif header :contains "Subject" "x" {\n  fileinto "Junk";\n}\n')
    page.get_by_role("button", name="Add filter").click()
    page.wait_for_url(re.compile(r"/filters\?q="))
    assert f"Filter for {username} added." in page.locator("#banner").inner_text()
    expect(page.locator("#filter-table tbody tr")).to_have_count(1)
    (stored,) = mailcow_api(sandbox, "get", f"filters/{username}")
    assert stored["script_desc"] == "Browser filter" and stored["active"] == 1


def test_screenshots_of_both_pages(page, sandbox):
    page.goto("/filters")
    expect(page.locator("#filter-table tbody tr").first).to_be_visible()
    _shot(page, "filters-index")
    page.goto("/filters/global")
    _shot(page, "filters-global")
    page.goto("/syncjobs")
    expect(page.locator("#syncjob-table")).to_contain_text("imap.oldhost.example")
    _shot(page, "syncjobs-index")
    page.goto("/syncjobs/new")
    _shot(page, "syncjobs-form")
    job = next(j for j in mailcow_api(sandbox, "get", "syncjobs/all/no_log")
               if j["user2"] == "alice.smith@example.org")
    page.goto(f"/syncjobs/{job['id']}/log")
    expect(page.locator("pre.run-log")).to_contain_text("Exiting with return value 0")
    _shot(page, "syncjobs-log")
