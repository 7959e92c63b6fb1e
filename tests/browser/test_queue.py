"""Hold and release a queued message from the Mail queue page, against a real Postfix."""
from __future__ import annotations

import json

import pytest

from tests.infra.docker_engine import inject_deferred_mail

from .conftest import shot

pytestmark = pytest.mark.browser


def queue_of(container, queue_id: str) -> str | None:
    _, out = container.exec_run(["postqueue", "-j"])
    for line in out.decode().splitlines():
        if line.startswith("{") and json.loads(line)["queue_id"] == queue_id:
            return json.loads(line)["queue_name"]
    return None


def test_hold_and_release_from_the_queue_page(page, live_docker, mailcow_containers):
    postfix = live_docker.client.containers.get(mailcow_containers.postfix)
    postfix.exec_run(["postsuper", "-d", "ALL"])
    (queue_id,) = inject_deferred_mail(postfix, 1, sender="night@example.org",
                                       recipients=("stuck@remote.test",))
    page.goto("/queue")
    row = page.locator(f"#q-{queue_id}")
    assert "deferred" in row.inner_text() and "Connection refused" in row.inner_text()
    shot(page, "queue")

    row.get_by_role("button", name="Hold").click()
    page.wait_for_load_state()
    assert f"postsuper: {queue_id}: placed on hold" in page.locator(".notice-report").inner_text()
    row = page.locator(f"#q-{queue_id}")
    assert "hold" in row.locator("td").nth(1).inner_text()
    assert queue_of(postfix, queue_id) == "hold"

    row.get_by_role("button", name="Release").click()
    page.wait_for_load_state()
    assert "Released from hold: 1 message" in page.locator(".notice-report").inner_text()
    assert queue_of(postfix, queue_id) in ("deferred", "active", "incoming")
    assert page.locator(f"#q-{queue_id}").get_by_role("button", name="Hold").count() == 1
    postfix.exec_run(["postsuper", "-d", "ALL"])


def test_home_shows_the_host_and_services(page, live_docker):
    page.goto("/")
    page.locator("#ov-services + div .service-list").wait_for()
    page.locator("#ov-system + div dl").wait_for()
    assert "postfix-mailcow" in page.locator("#ov-services + div").inner_text()
    assert "CPU cores" in page.locator("#ov-system + div").inner_text()
    shot(page, "home")
