"""The sandbox's injected faults: a PHP fatal, a slow server, a login page in the way."""
from __future__ import annotations

import time

import pytest


@pytest.fixture
def faulty(sandbox_api):
    yield sandbox_api
    sandbox_api.app.clear_faults()


def test_http500_answers_an_html_error_page_then_recovers(faulty):
    faulty.app.inject_fault("http500", count=1)
    broken = faulty.get("get/domain/all")
    assert broken.status_code == 500
    assert broken.headers["content-type"].startswith("text/html")
    assert "500 Internal Server Error" in broken.text
    assert faulty.get("get/domain/all").status_code == 200


def test_html200_answers_a_login_page_with_status_200(faulty):
    faulty.app.inject_fault("html200", count=2)
    for _ in range(2):
        page = faulty.post("add/domain", {"domain": "never-added.test"})
        assert page.status_code == 200
        assert page.headers["content-type"].startswith("text/html")
        assert "<form" in page.text
    assert faulty.get("get/domain/never-added.test").text == "{}"


def test_delay_then_a_normal_answer(faulty):
    faulty.app.inject_fault("delay", seconds=0.3, count=1)
    started = time.perf_counter()
    answer = faulty.get("get/domain/nope-nope.test")
    assert time.perf_counter() - started >= 0.3
    assert (answer.status_code, answer.text) == (200, "{}")


def test_faults_match_a_path_prefix_and_last_until_cleared(faulty):
    faulty.app.inject_fault("http500", path_prefix="/api/v1/get/mailbox")
    for _ in range(3):
        assert faulty.get("get/mailbox/all").status_code == 500
    assert faulty.get("get/domain/all").status_code == 200
    faulty.app.clear_faults()
    assert faulty.get("get/mailbox/all").status_code == 200


def test_unknown_fault_kind_is_refused(faulty):
    with pytest.raises(ValueError):
        faulty.app.inject_fault("explode")
