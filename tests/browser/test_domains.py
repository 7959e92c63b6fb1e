"""The Domains area in a real browser: add, DNS records, live search, history, delete."""
from __future__ import annotations

import re
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from .conftest import ADMIN_PASSWORD, ADMIN_USERNAME

pytestmark = pytest.mark.browser

DKIM_VALUE = re.compile(r"^v=DKIM1;.*\bp=[A-Za-z0-9+/]{200,}={0,2}$")


def _unique_domain() -> str:
    # Each run gets names no other test (or earlier run) uses in the shared sandbox.
    return f"browser-{uuid.uuid4().hex[:8]}.org"


def _rows(page):
    return page.locator("#domain-table tbody tr")


def _row_names(page) -> list[str]:
    return [t.strip() for t in page.locator("#domain-table tbody tr td:first-child a")
            .all_inner_texts()]


def _record(page, name: str, rtype: str) -> str:
    """The value of the DNS record row with this name and type."""
    row = page.locator("table.dns-records tbody tr").filter(
        has=page.locator("td:first-child code", has_text=re.compile(rf"^{re.escape(name)}$"))
    ).filter(has=page.locator("td:nth-child(2)", has_text=re.compile(rf"^{rtype}$")))
    assert row.count() == 1, f"expected one {rtype} record for {name}"
    return row.locator("td.record-value code").inner_text().strip()


def _mark_document(page) -> None:
    """Tag the live document: a full reload would drop the tag, an HTMX swap keeps it."""
    page.evaluate("window.__sameDocument = true")


def _same_document(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def _search(page, text: str) -> None:
    box = page.get_by_role("searchbox", name="Search domains")
    box.fill(text)
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [text])
    # Locator waits, not wait_for_function: that evaluates strings, which our CSP forbids.
    expect(page.locator(".htmx-request, .htmx-swapping, .htmx-settling")).to_have_count(0)


def test_add_see_dns_search_and_delete(anon_page):
    page = anon_page
    name = _unique_domain()

    page.goto("/login")
    page.get_by_label("Username").fill(ADMIN_USERNAME)
    page.get_by_label("Password").fill(ADMIN_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))  # Home, the system overview
    page.goto("/domains")
    others = [n for n in _row_names(page) if n != name]
    assert others, "the demo data should list some domains"

    page.get_by_role("button", name="Add domain").click()
    page.wait_for_url(re.compile(r"/domains/new$"))
    page.get_by_label("Domain", exact=True).fill(name.upper())  # stored in lower case
    page.get_by_label("Description").fill("Made by the browser test")
    page.get_by_label("Tags (comma-separated)").fill("browser, test")
    page.get_by_label("Max. mailboxes").fill("20")
    page.get_by_role("button", name="Add domain").click()

    page.wait_for_url(re.compile(rf"/domains/{re.escape(name)}\?added=1$"))
    assert page.get_by_role("heading", level=1).inner_text() == name
    assert f"Domain {name} added." in page.locator("#banner").inner_text()
    assert "Made by the browser test" in page.locator(".page-head").inner_text()

    mx = _record(page, name, "MX")
    assert re.fullmatch(r"10 \S+\.", mx)
    host = mx.split()[1]
    assert _record(page, name, "TXT").startswith("v=spf1 ")
    assert _record(page, f"_dmarc.{name}", "TXT").startswith("v=DMARC1;")
    dkim = _record(page, f"dkim._domainkey.{name}", "TXT")
    assert DKIM_VALUE.match(dkim), dkim
    assert _record(page, f"autodiscover.{name}", "CNAME") == host
    assert _record(page, f"autoconfig.{name}", "CNAME") == host

    # Back to the list through the navigation, then search live.
    page.locator(".sidebar").get_by_role("link", name="Domains").click()
    page.wait_for_url(re.compile(r"/domains$"))
    _mark_document(page)
    _search(page, name.split(".")[0])
    assert _same_document(page), "the search reloaded the page instead of swapping the table"
    assert _row_names(page) == [name]
    for other in others:
        assert page.locator("#domain-table").get_by_text(other, exact=True).count() == 0
    row = _rows(page).first
    assert "Active" in row.inner_text() and "0 / 20" in row.inner_text()
    assert row.locator(".tag").all_inner_texts() == ["browser", "test"]

    # Delete: open, read what will be lost, confirm.
    row.get_by_role("link", name="Delete").click()
    page.wait_for_url(re.compile(rf"/domains/{re.escape(name)}/delete$"))
    assert page.get_by_role("heading", level=1).inner_text() == f"Delete domain {name}?"
    assert "This cannot be undone." in page.locator("article.confirm").inner_text()
    page.get_by_role("button", name=f"Delete {name}").click()
    page.wait_for_url(re.compile(r"/domains$"))
    assert f"Domain {name} deleted." in page.locator("#banner").inner_text()
    assert name not in _row_names(page)
    _search(page, name)
    assert _row_names(page) == []
    assert f"No domain matches “{name}”." in page.locator("#domain-table").inner_text()


def test_form_errors_are_shown_beside_the_fields_and_nothing_is_created(page, console):
    console.allow_status(422)
    page.goto("/domains/new")
    page.get_by_label("Domain", exact=True).fill("not a domain!")
    page.get_by_label("Max. quota per mailbox (MiB)").fill("2048")
    page.get_by_label("Default mailbox quota (MiB)").fill("4096")
    page.get_by_role("button", name="Add domain").click()
    page.wait_for_load_state()
    assert page.url.endswith("/domains/new")

    def check(field_id: str, text: str) -> None:
        box = page.locator(f"#{field_id}")
        error = page.locator(f"#{field_id}-error")
        assert text in error.inner_text()
        assert box.get_attribute("aria-invalid") == "true"
        assert box.get_attribute("aria-describedby") == f"{field_id}-error"
        field, message = box.bounding_box(), error.bounding_box()
        assert 0 <= message["y"] - (field["y"] + field["height"]) < 24, "error not beside field"

    check("domain", "Enter a domain name such as example.org.")
    check("default_mailbox_quota_mib",
          "The default quota cannot be larger than the maximum quota per mailbox.")
    assert page.locator(".field-error").count() == 2
    # What was typed stays, so only the mistakes need fixing.
    assert page.get_by_label("Domain", exact=True).input_value() == "not a domain!"

    # A valid name with the quota still wrong is refused as well: nothing is created.
    name = _unique_domain()
    page.get_by_label("Domain", exact=True).fill(name)
    page.get_by_role("button", name="Add domain").click()
    page.wait_for_load_state()
    assert page.locator("#domain-error").count() == 0
    assert page.locator("#default_mailbox_quota_mib-error").is_visible()
    page.goto(f"/domains?q={name}")
    assert _row_names(page) == []


def test_back_button_after_a_search_restores_the_table(page):
    page.goto("/domains")
    everything = _row_names(page)
    assert len(everything) >= 2
    query = everything[-1]  # a whole name: other tests' domains in the sandbox never match it
    expected = [query]

    _mark_document(page)
    _search(page, query)
    assert _row_names(page) == expected
    assert _same_document(page)

    page.go_back()
    page.wait_for_url(re.compile(r"/domains$"))
    expect(_rows(page)).to_have_count(len(everything))
    assert _row_names(page) == everything
    assert page.get_by_role("searchbox", name="Search domains").input_value() == ""

    page.go_forward()
    page.wait_for_url(lambda url: parse_qs(urlsplit(url).query).get("q") == [query])
    expect(_rows(page)).to_have_count(len(expected))
    assert _row_names(page) == expected
    assert page.get_by_role("searchbox", name="Search domains").input_value() == query
