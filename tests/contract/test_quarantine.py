"""Quarantine: recordings 59, 63, 64 (get), 65 (release), 66 (learn spam), 67/67b (delete),
and Mailcow's quarantine() rules for settings and refusals.

Items are written by Rspamd, never through the API, so scenarios that need items put
them in the sandbox's store; those run against the sandbox only. A fresh sandbox has no
Postfix or Rspamd behind it, as the recordings were made.
"""
from __future__ import annotations

from contextlib import contextmanager

import pytest

from panel.mailcow.sandbox.areas import quarantine as area
from panel.mailcow.sandbox.store import opened, transaction

from .answers import TIME

# Recording 63's first item and 64's key order.
LISTED_KEYS = ["id", "qid", "subject", "virus_flag", "score", "rcpt", "sender", "action",
               "created", "notified"]
DETAIL_KEYS = ["id", "qid", "subject", "score", "ip", "action", "symbols", "fuzzy_hashes",
               "sender", "rcpt", "msg", "domain", "notified", "created", "user", "qhash"]


def hold(api, rcpt, subject="Buy now", score=15.5, action="reject", symbols=None):
    with opened(api.app.db_path) as conn, transaction(conn):
        return area.quarantine_mail(conn, rcpt, "spammer@bad.test", subject, score, action,
                                    symbols)


@contextmanager
def services_up(api):
    with opened(api.app.db_path) as conn, transaction(conn):
        area.set_service(conn, "postfix", True)
        area.set_service(conn, "rspamd", True)
    try:
        yield
    finally:
        with opened(api.app.db_path) as conn, transaction(conn):
            area.set_service(conn, "postfix", False)
            area.set_service(conn, "rspamd", False)


def edit(api, ids, action):
    return api.post("edit/qitem", {"items": [str(i) for i in ids],
                                   "attr": {"action": action}}).json()


def test_unknown_or_bad_ids_read_as_empty(api):
    for obj in ("999999", "abc", "0"):
        response = api.get(f"get/quarantine/{obj}")
        assert response.status_code == 200 and response.text == "{}"


def test_list_and_detail_as_recorded(sandbox_only, mailbox):
    api = sandbox_only
    first = hold(api, mailbox, "Buy now", 15.5, "reject")
    second = hold(api, mailbox, "Hello", 9.1, "add_header")
    third = hold(api, mailbox, "Third", 12, "reject")
    mine = [i for i in api.get_json("get/quarantine/all") if i["rcpt"] == mailbox]
    assert [list(i) for i in mine] == [LISTED_KEYS] * 3
    assert [(i["id"], i["subject"], i["score"], i["action"], i["virus_flag"], i["notified"])
            for i in mine] == [(first, "Buy now", 15.5, "reject", 0, 0),
                               (second, "Hello", 9.1, "add_header", 0, 0),
                               (third, "Third", 12, "reject", 0, 0)]
    assert '"score": 12,' in api.get("get/quarantine/all").text  # 12.0 prints as 12
    detail = api.get_json(f"get/quarantine/{first}")
    assert list(detail) == DETAIL_KEYS
    assert detail["symbols"] == "[]" and detail["fuzzy_hashes"] == "[]"
    assert detail["domain"] == mailbox.split("@")[1] and detail["user"] == mailbox
    assert "Subject: Buy now" in detail["msg"] and len(detail["qhash"]) == 64
    assert TIME.match(detail["created"])
    for item_id in (first, second, third):
        api.post("delete/qitem", [str(item_id)])


def test_virus_flag_is_the_position_of_virus_found(sandbox_only, mailbox):
    api = sandbox_only
    item_id = hold(api, mailbox, symbols=[{"name": "VIRUS_FOUND", "score": 0}])
    listed = next(i for i in api.get_json("get/quarantine/all") if i["id"] == item_id)
    symbols = api.get_json(f"get/quarantine/{item_id}")["symbols"]
    assert listed["virus_flag"] == symbols.index("VIRUS_FOUND") + 1 > 0
    api.post("delete/qitem", [str(item_id)])


def test_release_without_postfix_as_recorded(sandbox_only, mailbox):
    api = sandbox_only
    item_id = hold(api, mailbox)
    assert edit(api, [item_id], "release") == [
        {"type": "warning", "log": ["quarantine", "edit", {"id": [str(item_id)],
                                                           "action": "release"}],
         "msg": "Cannot connect to Postfix"}]
    assert api.get_json(f"get/quarantine/{item_id}")["id"] == item_id
    api.post("delete/qitem", [str(item_id)])


def test_learn_spam_without_rspamd_as_recorded(sandbox_only, mailbox):
    api = sandbox_only
    item_id = hold(api, mailbox)
    assert edit(api, [item_id], "learnspam") == [
        {"type": "danger", "log": ["quarantine", "edit", {"id": [str(item_id)],
                                                          "action": "learnspam"}],
         "msg": ["spam_learn_error", "Curl: Couldn't connect to server"]}]
    assert api.get_json(f"get/quarantine/{item_id}")["id"] == item_id
    api.post("delete/qitem", [str(item_id)])


def test_delete_as_recorded(sandbox_only, mailbox):
    api = sandbox_only
    keep, gone = hold(api, mailbox, "Keep"), hold(api, mailbox, "Gone")
    assert api.post("delete/qitem", [str(gone)]).json() == [
        {"type": "success", "log": ["quarantine", "delete", {"id": [str(gone)]}],
         "msg": ["item_deleted", str(gone)]}]
    left = [i["id"] for i in api.get_json("get/quarantine/all") if i["rcpt"] == mailbox]
    assert left == [keep]
    api.post("delete/qitem", [str(keep)])


def test_delete_refuses_non_numeric_ids_and_accepts_unknown_ones(api):
    answer = api.post("delete/qitem", ["abc", "987654"]).json()
    assert [(m["type"], m["msg"]) for m in answer] == [
        ("danger", "access_denied"), ("success", ["item_deleted", "987654"])]


def test_with_postfix_and_rspamd_up(sandbox_only, mailbox):
    api = sandbox_only
    released, learned, ham = hold(api, mailbox), hold(api, mailbox), hold(api, mailbox)
    with services_up(api):
        answer = edit(api, [released], "release")
        assert [(m["type"], m["msg"]) for m in answer] == [
            ("success", ["item_released", str(released)])]
        answer = edit(api, [learned], "learnspam")
        assert [(m["type"], m["msg"]) for m in answer] == [
            ("success", ["qlearn_spam", str(learned)])]
        answer = edit(api, [ham], "learnham")
        assert [(m["type"], m["msg"]) for m in answer] == [
            ("success", ["item_learned", str(ham)])]
    assert api.get("get/quarantine/" + str(released)).text == "{}"
    assert api.get("get/quarantine/" + str(learned)).text == "{}"
    assert api.get_json(f"get/quarantine/{ham}")["id"] == ham  # ham stays held
    api.post("delete/qitem", [str(ham)])


def test_release_to_a_vanished_mailbox_is_refused_without_a_log(sandbox_only, domain):
    api = sandbox_only
    item_id = hold(api, f"nobody@{domain}")
    with services_up(api):
        assert edit(api, [item_id], "release") == [{"type": "danger", "msg": "access_denied"}]
    api.post("delete/qitem", [str(item_id)])


def test_raw_release_stops_at_the_first_failure(sandbox_only, mailbox):
    api = sandbox_only
    first, second = hold(api, mailbox), hold(api, mailbox)
    answer = edit(api, [first, second], "release")
    assert [m["msg"] for m in answer] == ["Cannot connect to Postfix"]
    api.post("delete/qitem", [str(first), str(second)])


def test_settings_are_stored_as_mailcow_stores_them(sandbox_only):
    api = sandbox_only
    attr = {"action": "settings", "retention_size": "20", "max_size": "15abc",
            "max_score": "12.5", "max_age": "0", "exclude_domains": ["a.test", "b.test"],
            "release_format": "zip", "sender": "not an address", "subject": "Held mail",
            "bcc": "copy@example.org", "redirect": "", "html_tmpl": "<p>{{counter}}</p>"}
    answer = api.post("edit/quarantine", {"items": ["quarantine"], "attr": attr}).json()
    assert answer == [{"type": "success", "log": ["quarantine", "edit", attr],
                       "msg": "saved_settings"}]
    with opened(api.app.db_path) as conn:
        stored = area.stored_settings(conn)
    assert stored["Q_RETENTION_SIZE"] == "20" and stored["Q_MAX_SIZE"] == "15"
    assert stored["Q_MAX_AGE"] == "365"          # 0 or less falls back to a year
    assert stored["Q_RELEASE_FORMAT"] == "raw"   # unknown formats fall back to raw
    assert stored["Q_SENDER"] == ""              # invalid addresses are dropped silently
    assert stored["Q_BCC"] == "copy@example.org"
    assert stored["Q_EXCLUDE_DOMAINS"] == '["a.test", "b.test"]'


def test_the_api_has_no_route_reading_the_settings(api):
    assert api.get("get/quarantine/settings").text == "{}"


@pytest.mark.parametrize("path", ["edit/qitem", "delete/qitem", "edit/quarantine"])
def test_read_only_key_is_refused(api, path):
    if api.ro_key is None:
        pytest.skip("no read-only key configured")
    body = ["1"] if path.startswith("delete") else {"items": ["1"], "attr": {"action": "x"}}
    response = api.post(path, body, key="ro")
    assert response.status_code == 403
    assert response.json() == {"type": "error", "msg": "API read/write access denied"}
