"""API keys: wrong key, read-only key, no key (recordings 20-23 and the auth_* ones)."""
from __future__ import annotations

import pytest

from .answers import log

DENIED = '{"type":"error","msg":"API read\\/write access denied"}'


def test_wrong_key_is_refused_with_401_and_an_html_content_type(api):
    response = api.get("get/domain/all", key="not-the-key")
    assert response.status_code == 401
    assert response.headers["content-type"].lower() == "text/html; charset=utf-8"
    assert response.text == '{"type":"error","msg":"authentication failed"}'


def test_wrong_key_is_refused_before_anything_else(api):
    response = api.post("add/nothing-here", {"x": 1}, key="not-the-key")
    assert response.status_code == 401


@pytest.mark.parametrize("path, body", [
    ("add/domain", {"domain": "ro-refused.test", "active": "1"}),
    ("edit/domain", {"items": ["ro-refused.test"], "attr": {"description": "x"}}),
    ("delete/domain", ["ro-refused.test"]),
])
def test_read_only_key_may_not_write(api, path, body):
    if not api.ro_key:
        pytest.skip("no read-only key configured")
    response = api.post(path, body, key="ro")
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/json"
    assert response.text == DENIED


def test_read_only_key_reads_and_searches(api, domain):
    if not api.ro_key:
        pytest.skip("no read-only key configured")
    assert api.get(f"get/domain/{domain}", key="ro").json()["domain_name"] == domain
    found = api.post("search/domain", {"draw": 3, "start": 0, "length": 1}, key="ro")
    assert found.status_code == 200 and found.json()["draw"] == 3


def test_no_key_reads_an_empty_body(api, domain):
    response = api.get(f"get/domain/{domain}", key=None)
    assert response.status_code == 200
    assert response.text == ""


@pytest.mark.parametrize("path, body", [
    ("edit/domain", {"items": ["nokey.test"], "attr": {"description": "x"}}),
    ("delete/domain", ["nokey.test"]),
])
def test_no_key_may_not_edit_or_delete(api, path, body):
    response = api.post(path, body, key=None)
    assert response.status_code == 403
    assert response.text == DENIED


def test_no_key_add_runs_and_fails_on_access(api, new_domain):
    # json_api.php only refuses read-only keys on add; the handler then finds no admin.
    name = new_domain()
    response = api.post("add/domain", {"domain": name}, key=None)
    assert response.status_code == 200
    assert response.json() == [{"type": "danger", "log": log("add", "domain", {"domain": name}),
                                "msg": "access_denied"}]
    assert api.get(f"get/domain/{name}").text == "{}"
