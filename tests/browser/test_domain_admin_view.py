"""A domain administrator, created through the UI, sees only their domain in the browser."""
import re

import pytest

pytestmark = pytest.mark.browser

DA_PASSWORD = "domain-admin-pass-1"


def test_domain_admin_navigation_and_tables_show_only_their_domain(new_page, console):
    console.allow_status(404)  # the out-of-scope page below, on purpose
    root = new_page()
    root.goto("/domain-admins/new")
    root.get_by_label("Username").fill("netadmin")
    root.get_by_label("Password", exact=True).fill(DA_PASSWORD)
    root.get_by_label("Confirm password").fill(DA_PASSWORD)
    root.get_by_label("example.net").check()
    root.get_by_role("button", name="Add").click()
    root.wait_for_url(re.compile(r"/domain-admins$"))
    assert root.locator("table").get_by_text("netadmin").count() == 1

    page = new_page(signed_in=False)
    page.goto("/login")
    page.get_by_label("Username").fill("netadmin")
    page.get_by_label("Password").fill(DA_PASSWORD)
    page.get_by_role("button", name="Sign in", exact=True).click()
    page.wait_for_url(re.compile(r"/$"))
    # Home shows a domain administrator only the counts of their own domain.
    page.locator(".overview-facts").wait_for()
    assert page.locator("#ov-system").count() == 0
    assert page.locator(".overview-facts dd").first.inner_text() == "1"
    page.goto("/domains")

    nav = page.locator("aside.sidebar nav")
    labels = [t.strip() for t in nav.locator("a").all_inner_texts()]
    assert "Domains" in labels
    for global_only in ("Administrators", "Domain administrators", "API keys"):
        assert global_only not in labels

    rows = page.locator("#domain-table tbody tr")
    assert rows.count() == 1
    assert "example.net" in rows.first.inner_text()
    body = page.content()
    assert "example.org" not in body and "demo.test" not in body
    assert page.get_by_role("link", name="Add domain").count() == 0

    # Searching for another domain finds nothing; opening it directly is "not found".
    page.get_by_placeholder("Search domains or tags").fill("example.org")
    page.wait_for_url(re.compile(r"q=example\.org"))
    page.get_by_text("No domain matches").wait_for()
    assert page.locator('#domain-table a[href="/domains/example.org"]').count() == 0
    response = page.goto("/domains/example.org")
    assert response.status == 404
