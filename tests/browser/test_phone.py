"""A phone-sized window (390x844): the menu opens the navigation, tables stay readable."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .conftest import PHONE

pytestmark = pytest.mark.browser


def test_menu_toggle_opens_the_navigation(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/domains")
    assert page.locator(".sidebar").is_hidden()
    menu = page.locator(".nav-toggle")
    drawer_link = menu.get_by_role("link", name="Domains")
    assert drawer_link.is_hidden()

    menu.locator("summary").click()
    expect(drawer_link).to_be_visible()
    assert drawer_link.get_attribute("aria-current") == "page"
    box = menu.locator("nav").bounding_box()
    assert box["x"] == 0 and box["width"] == PHONE["width"], "the menu should span the screen"
    # It opens over the page rather than pushing the header out of shape.
    assert page.locator(".topbar").bounding_box()["height"] < 70

    drawer_link.click()
    page.wait_for_url(re.compile(r"/domains$"))


def test_domain_table_is_readable_without_sideways_scrolling(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/domains")
    width = PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert page.locator("#domain-table thead").is_hidden()

    rows = page.locator("#domain-table tbody tr")
    assert rows.count() > 0
    first = rows.first
    for cell in first.locator("td").all():
        box = cell.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, cell.inner_html()
    # Every value cell is labelled with its column name, as the header is hidden.
    labels = first.locator("td[data-label]").evaluate_all(
        "cells => cells.map(c => getComputedStyle(c, '::before').content)")
    assert labels[:6] == ['"Domain"', '"Status"', '"Mailboxes"', '"Aliases"', '"Statistics"',
                          '"Quota"']
    # The figures are on screen, not clipped away.
    for text in ("Active", " / "):
        assert first.get_by_text(text).first.is_visible()
    name = first.locator("td").first.get_by_role("link").first
    assert name.is_visible() and name.bounding_box()["x"] + name.bounding_box()["width"] <= width
    actions = first.locator("td.actions")
    assert actions.get_by_role("link", name="Edit").is_visible()
    assert actions.get_by_role("link", name="Delete").is_visible()


def test_domain_detail_dns_records_fit_a_phone(new_page):
    page = new_page(viewport=PHONE)
    page.goto("/domains")
    page.locator("#domain-table tbody tr td:first-child a").first.click()
    page.wait_for_url(re.compile(r"/domains/[^/?]+$"))
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    value = page.locator("table.dns-records td.record-value code").first
    assert value.is_visible() and value.bounding_box()["width"] > 150
