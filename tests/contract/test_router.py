"""The router of json_api.php: unknown routes, methods, bodies, generic answers."""
from __future__ import annotations

import json

from .answers import log


def test_unknown_category_is_404(api):
    response = api.get("get/no-such-thing/all")
    assert response.status_code == 404
    assert response.text == '{"type":"error","msg":"route not found"}'


def test_unknown_action_is_404(api):
    response = api.post("frobnicate/domain", {"domain": "x.test"})
    assert response.status_code == 404
    assert response.text == '{"type":"error","msg":"route not found"}'


def test_unknown_write_route_is_404(api):
    response = api.post("add/no-such-thing", {"x": "1"})
    assert response.status_code == 404
    assert response.json() == {"type": "error", "msg": "route not found"}


def test_reads_are_get_only(api):
    response = api.post("get/domain/all", {})
    assert response.status_code == 405
    assert response.text == '{"type":"error","msg":"only GET method is allowed"}'


def test_writes_are_post_only(api):
    response = api.client().request("GET", "add/domain", json={"domain": "get-add.test"})
    assert response.status_code == 405
    assert response.text == '{"type":"error","msg":"only POST method is allowed"}'


def test_a_write_without_attributes_is_an_error_object(api):
    # No JSON body and no attr form field: the method is not even looked at yet.
    response = api.client().post("add/domain")
    assert response.status_code == 200
    assert response.text == '{"type":"error","msg":"Cannot find attributes in post data"}'


def test_invalid_json_is_400(api):
    response = api.client().post("add/domain", content=b"{not json",
                                 headers={"Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json() == {"type": "error", "msg": "Request body doesn't contain valid json!"}


def test_an_edit_with_nothing_to_do_answers_the_generic_success(api):
    response = api.post("edit/domain", {"items": [], "attr": {}})
    assert response.status_code == 200
    assert response.text == '{"type":"success","msg":"Task completed"}'


def test_form_encoded_add_works_like_json(api, new_domain):
    """Recording E5: attr= carries the JSON object."""
    name = new_domain("form")
    response = api.client().post("add/domain",
                                 data={"attr": json.dumps({"domain": name, "active": "1"})})
    assert response.json() == [
        {"type": "success",
         "log": ["dkim", "add", {"key_size": 2048, "dkim_selector": "dkim", "domains": name}],
         "msg": ["dkim_added", name]},
        {"type": "success", "log": log("add", "domain", {"domain": name, "active": "1"}),
         "msg": ["domain_added", name]},
    ]


def test_get_of_something_missing_is_an_empty_object(api):
    for path in ("get/domain/nope-nope.test", "get/mailbox/nobody@nope-nope.test",
                 "get/alias/999999999", "get/alias-domain/nope-nope.test",
                 "get/dkim/nope-nope.test"):
        response = api.get(path)
        assert (response.status_code, response.text) == (200, "{}"), path


def test_status_version(api):
    response = api.get("get/status/version")
    assert response.status_code == 200
    if api.is_sandbox:
        assert response.text == '{"version":"2026-07a"}'  # recording 52
    else:
        assert set(response.json()) == {"version"}
