"""Containers in a real browser against a real Docker engine: the list with CPU and memory
measured on demand, and a container's log followed live until a new line appears."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.infra.docker_engine import wait_ready

pytestmark = pytest.mark.browser


def test_containers_list_and_stats(page, live_docker, mailcow_containers):
    wait_ready(live_docker.client, mailcow_containers.ids.values())  # health settled
    page.goto("/containers")
    table = page.locator("table.container-table")
    expect(table.locator("tbody tr")).to_have_count(3)
    expect(page.locator("#container-rspamd-mailcow")).to_contain_text("unhealthy")
    expect(page.locator("body")).not_to_contain_text(mailcow_containers.unrelated)
    row = page.locator("#container-postfix-mailcow")
    row.get_by_role("button", name="Measure").click()
    expect(row.locator(".container-stats")).to_contain_text(re.compile(r"CPU \d+\.\d %"), timeout=15000)
    expect(row.locator(".container-stats")).to_contain_text(re.compile(r"[KMG]iB / "))
    page.screenshot(path="/tmp/containers-list.png", full_page=True)

    # The confirmation names the service and what mail loses.
    row.get_by_role("link", name="Restart").click()
    expect(page.get_by_role("heading", name="Restart postfix-mailcow?")).to_be_visible()
    expect(page.locator(".notice-warning")).to_contain_text("This interrupts mail.")
    page.get_by_role("button", name="Cancel").click()
    expect(page).to_have_url(re.compile(r"/containers$"))


def test_follow_a_log_live(page, live_docker, mailcow_containers):
    page.goto("/containers/dovecot-mailcow/logs?lines=50")
    lines = page.locator("[data-log-lines] li")
    expect(lines.first).to_be_visible()
    before = lines.count()
    last_text = lines.last.locator("span").inner_text()

    page.get_by_role("button", name="Follow live").click()
    expect(page.get_by_role("button", name="Stop following")).to_have_attribute(
        "aria-pressed", "true")
    # The ticker writes a line a second: one arrives without any reload.
    arrived = page.locator("[data-log-lines] li.log-new")
    expect(arrived.first).to_contain_text("dovecot: tick", timeout=15000)
    assert lines.count() > before
    assert arrived.first.locator("span").inner_text() != last_text
    assert page.url.endswith("/containers/dovecot-mailcow/logs?lines=50")  # no navigation
    expect(page.locator("[data-follow-status]")).to_contain_text("Following")
    page.screenshot(path="/tmp/containers-logs-follow.png", full_page=False)

    page.get_by_role("button", name="Stop following").click()
    expect(page.locator("[data-follow-status]")).to_contain_text("Following paused.")

    # Another container from the picker.
    page.get_by_label("Container").select_option("rspamd-mailcow")
    expect(page).to_have_url(re.compile(r"/containers/rspamd-mailcow/logs"))
    expect(page.locator("[data-log-lines] li").first).to_contain_text("rspamd: ")


def test_engine_unreachable_says_so(page, live_docker, docker_engine_stopped):
    page.goto("/containers")
    expect(page.locator(".docker-unavailable")).to_contain_text(
        f"Docker socket not reachable at {docker_engine_stopped.socket}")
    page.screenshot(path="/tmp/containers-unavailable.png", full_page=False)
    # The rest of MailApp keeps working.
    page.get_by_role("link", name="Domains", exact=True).click()
    expect(page.get_by_role("heading", name="Domains", exact=True)).to_be_visible()
