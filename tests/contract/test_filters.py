"""Sieve filters: recordings more/16 (add), 16b (invalid script), 17 (get all), 83 (global
filters), A3 (delete), and the one-active-per-type rule of Mailcow's mailbox('add'|'edit',
'filter')."""
from __future__ import annotations

import pytest

from .answers import log

SCRIPT = 'require "fileinto";\nif header :contains "Subject" "spam" { fileinto "Junk"; }'


def filters_of(api, username: str) -> list:
    found = api.get_json(f"get/filters/{username}")
    return found if isinstance(found, list) else []


def filter_object(filter_id: int, username: str, **changes) -> dict:
    """get/filters as recording 17 shows it, keys in Mailcow's order."""
    item = {"active": 1, "id": filter_id, "username": username, "filter_type": "prefilter",
            "script_data": SCRIPT, "script_desc": "test filter"}
    item.update(changes)
    return item


@pytest.fixture
def owner(api, mailbox):
    yield mailbox
    ids = [str(f["id"]) for f in filters_of(api, mailbox)]
    if ids:
        api.post("delete/filter", ids)


def test_add_get_delete_as_recorded(api, owner):
    body = {"username": owner, "filter_type": "prefilter", "script_desc": "test filter",
            "script_data": SCRIPT, "active": "1"}
    assert api.post("add/filter", body).json() == [
        {"type": "success", "log": log("add", "filter", body),
         "msg": ["mailbox_modified", owner]}]
    (found,) = filters_of(api, owner)
    assert found == filter_object(found["id"], owner)
    everyone = [f for f in api.get_json("get/filters/all") if f["username"] == owner]
    assert everyone == [filter_object(found["id"], owner)]
    item = str(found["id"])
    assert api.post("delete/filter", [item]).json() == [
        {"type": "success", "log": log("delete", "filter", {"id": [item]}),
         "msg": ["delete_filter", item]}]
    assert api.get(f"get/filters/{owner}").text == "{}"


def test_invalid_script_is_refused_with_the_parser_message(api, owner):
    body = {"username": owner, "filter_type": "prefilter", "script_desc": "bad",
            "script_data": "this is not sieve", "active": "0"}
    assert api.post("add/filter", body).json() == [
        {"type": "danger", "log": log("add", "filter", body),
         "msg": ["sieve_error", "line 1: unknown command this"]}]
    assert filters_of(api, owner) == []


@pytest.mark.parametrize("changes, msg", [
    ({"script_data": ""}, "script_empty"),
    ({"script_desc": ""}, "value_missing"),
    ({"filter_type": "sometimes"}, "filter_type"),
])
def test_add_refusals(api, owner, changes, msg):
    body = {"username": owner, "filter_type": "postfilter", "script_desc": "d",
            "script_data": "keep;", "active": "1", **changes}
    assert [m["msg"] for m in api.post("add/filter", body).json()] == [msg]
    assert filters_of(api, owner) == []


def test_unknown_owner_and_missing_owner(api, domain):
    body = {"filter_type": "prefilter", "script_desc": "d", "script_data": "keep;",
            "active": "1"}
    assert api.post("add/filter", {**body, "username": f"nobody@{domain}"}).json()[0]["msg"] \
        == "access_denied"
    assert api.post("add/filter", body).json()[0]["msg"] == "no_user_defined"


def test_only_one_active_script_per_type(api, owner):
    def add(desc, kind, active):
        api.write("add/filter", {"username": owner, "filter_type": kind, "script_desc": desc,
                                 "script_data": "keep;", "active": active})

    add("pre one", "prefilter", "1")
    add("post one", "postfilter", "1")
    add("pre two", "prefilter", "1")
    states = {f["script_desc"]: f["active"] for f in filters_of(api, owner)}
    # The new active prefilter turned the older one off; the postfilter stays.
    assert states == {"pre one": 0, "post one": 1, "pre two": 1}
    pre_one = next(f for f in filters_of(api, owner) if f["script_desc"] == "pre one")
    api.write("edit/filter", {"items": [str(pre_one["id"])], "attr": {"active": "1"}})
    states = {f["script_desc"]: f["active"] for f in filters_of(api, owner)}
    assert states == {"pre one": 1, "post one": 1, "pre two": 0}
    # An inactive script may be added at any time without touching the active ones.
    add("pre three", "prefilter", "0")
    assert {f["script_desc"]: f["active"] for f in filters_of(api, owner)}["pre one"] == 1


def test_edit_parses_and_keeps_unsent_values(api, owner):
    api.write("add/filter", {"username": owner, "filter_type": "prefilter",
                             "script_desc": "test filter", "script_data": SCRIPT,
                             "active": "1"})
    (found,) = filters_of(api, owner)
    item = str(found["id"])
    attr = {"script_data": "if true {"}
    answer = api.post("edit/filter", {"items": [item], "attr": attr}).json()
    assert answer[0]["type"] == "danger" and answer[0]["msg"][0] == "sieve_error"
    assert answer[0]["msg"][1].startswith("line ")
    assert filters_of(api, owner) == [found]
    attr = {"script_desc": "renamed", "filter_type": "postfilter", "active": "0"}
    assert api.post("edit/filter", {"items": [item], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "filter", {"id": [item], **attr}),
         "msg": ["mailbox_modified", owner]}]
    assert filters_of(api, owner) == [filter_object(found["id"], owner, active=0,
                                                    filter_type="postfilter",
                                                    script_desc="renamed")]
    answer = api.post("edit/filter", {"items": ["999999"], "attr": {"active": "0"}}).json()
    assert [m["msg"] for m in answer] == ["access_denied"]


def test_global_filters(api, sandbox_only):
    # Recording 83: with no script files Mailcow answers false for both.
    assert api.get("get/global_filters/all").text == \
        '{\n    "prefilter": false,\n    "postfilter": false\n}'
    assert api.get("get/global_filters/prefilter").text == "{}"
    bad = {"filter_type": "prefilter", "script_data": "this is not sieve"}
    assert api.post("add/global-filter", bad).json()[0]["msg"] == \
        ["sieve_error", "line 1: unknown command this"]
    wrong = {"filter_type": "midfilter", "script_data": "keep;"}
    assert api.post("add/global-filter", wrong).json()[0]["msg"] == "invalid_filter_type"
    good = {"filter_type": "postfilter", "script_data": "keep;\r\n"}
    # Without Dovecot behind it the restart fails: a warning, then the file is written.
    assert [(m["type"], m["msg"]) for m in api.post("add/global-filter", good).json()] == \
        [("warning", "dovecot_restart_failed"), ("success", "global_filter_written")]
    assert api.get_json("get/global_filters/all") == {"prefilter": False,
                                                      "postfilter": "keep;\n"}
    assert api.get_json("get/global_filters/postfilter") == "keep;\n"
