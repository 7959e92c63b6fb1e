"""Quarantine items and messages read from Mailcow's wire format, the requests MailApp
sends, and the settings form."""
import json
from datetime import datetime, timezone

import httpx
import pytest

from panel.mailcow.client import MailcowClient
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.quarantine import (
    QuarantineApi,
    QuarantineSettings,
    item_from_wire,
    message_from_wire,
    parse_message,
    parse_symbols,
)

# Recording 63_get_quarantine_all (first item) and 64_get_quarantine_one.
LISTED = {"id": 1, "qid": "4BC1D2E3F4", "subject": "Buy now", "virus_flag": 0, "score": 15.5,
          "rcpt": "alice@example.test", "sender": "spammer@bad.test", "action": "reject",
          "created": 1795304951, "notified": 0}
DETAIL = {"id": 1, "qid": "4BC1D2E3F4", "subject": "Buy now", "score": 15.5,
          "ip": "192.0.2.55", "action": "reject", "symbols": "[]", "fuzzy_hashes": "[]",
          "sender": "spammer@bad.test", "rcpt": "alice@example.test",
          "msg": "From: spammer@bad.test\nTo: alice@example.test\nSubject: Buy now\n\nspam body",
          "domain": "example.test", "notified": 0, "created": "2026-11-21 23:49:11",
          "user": "alice@example.test",
          "qhash": "a5e2acac1553d28c180caec4e9d12c39821bb6d7b8f925b0ea08eb2d6db7a6be"}
# Recordings 65, 66, 67.
RELEASE_NO_POSTFIX = [{"type": "warning", "log": ["quarantine", "edit",
                                                  {"id": ["1"], "action": "release"}],
                       "msg": "Cannot connect to Postfix"}]
LEARN_NO_RSPAMD = [{"type": "danger", "log": ["quarantine", "edit",
                                              {"id": ["2"], "action": "learnspam"}],
                    "msg": ["spam_learn_error", "Curl: Couldn't connect to server"]}]
DELETED = [{"type": "success", "log": ["quarantine", "delete", {"id": ["3"]}],
            "msg": ["item_deleted", "3"]}]


def test_listed_item_recording_63():
    item = item_from_wire(LISTED)
    assert (item.id, item.qid, item.subject, item.sender, item.rcpt, item.score,
            item.action, item.virus, item.notified) == (
        1, "4BC1D2E3F4", "Buy now", "spammer@bad.test", "alice@example.test", 15.5,
        "reject", False, False)
    assert item.created == datetime.fromtimestamp(1795304951, tz=timezone.utc)
    assert item.domain == "example.test"
    assert item_from_wire({**LISTED, "virus_flag": 147, "score": 12, "notified": 1}).virus


def test_detail_recording_64():
    found = message_from_wire(DETAIL)
    assert found.item.id == 1 and found.ip == "192.0.2.55" and found.symbols == ()
    assert found.item.created == datetime(2026, 11, 21, 23, 49, 11)
    assert dict(found.headers)["Subject"] == "Buy now"
    assert found.text == "spam body" and found.attachments == ()
    assert not found.item.virus
    assert message_from_wire({**DETAIL, "symbols": '[{"name": "VIRUS_FOUND"}]'}).item.virus


def test_symbols_sorted_by_score_from_list_or_map():
    listed = json.dumps([{"name": "A", "score": 1}, {"name": "B", "score": 5.5,
                                                     "description": "bad", "options": ["x"]}])
    symbols = parse_symbols(listed)
    assert [(s.name, s.score, s.description, s.options) for s in symbols] == [
        ("B", 5.5, "bad", ("x",)), ("A", 1.0, "", ())]
    assert [s.name for s in parse_symbols({"C": {"score": 2}, "D": {"score": 3}})] == ["D", "C"]
    assert parse_symbols("not json") == () and parse_symbols(None) == ()


def test_multipart_message_with_attachment():
    raw = ("From: a@b.test\nTo: c@d.test\nSubject: =?utf-8?q?R=C3=A9sum=C3=A9?=\n"
           "MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary=\"x\"\n\n--x\n"
           "Content-Type: text/plain; charset=utf-8\n\nHello there\n--x\n"
           "Content-Type: application/pdf; name=\"cv.pdf\"\n"
           "Content-Disposition: attachment; filename=\"cv.pdf\"\n"
           "Content-Transfer-Encoding: base64\n\nJVBERi0xLjQK\n--x--\n")
    headers, text, attachments = parse_message(raw)
    assert ("Subject", "=?utf-8?q?R=C3=A9sum=C3=A9?=") in headers
    assert text.strip() == "Hello there"
    assert [(a.filename, a.content_type, a.size) for a in attachments] == [
        ("cv.pdf", "application/pdf", 9)]
    assert parse_message("") == ((), "", ())


def test_settings_wire_and_enabled():
    settings = QuarantineSettings(retention_size=20, max_size=15, max_score="12.5",
                                  exclude_domains=["a.test"])
    assert settings.enabled
    assert settings.wire() == {
        "action": "settings", "retention_size": "20", "max_size": "15", "max_score": "12.5",
        "max_age": "365", "exclude_domains": ["a.test"], "release_format": "raw",
        "sender": "", "subject": "", "bcc": "", "redirect": "", "html_tmpl": ""}
    assert not QuarantineSettings(retention_size=0, max_size=15).enabled
    assert not QuarantineSettings(retention_size=5, max_size=0).enabled


class Recorder:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.api = QuarantineApi(MailcowClient("http://mailcow.test", "rw-key", "ro-key",
                                               transport=httpx.MockTransport(self.handle)))

    def handle(self, request):
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        return httpx.Response(200, json=self.answers.pop(0))


def test_reads_tolerate_mailcows_empty_answers():
    rec = Recorder([LISTED], [], {}, DETAIL, {})
    assert [i.id for i in rec.api.all()] == [1]
    assert rec.api.all() == [] and rec.api.all() == []
    assert rec.api.get(1).item.subject == "Buy now"
    with pytest.raises(NotFound):
        rec.api.get(2)
    assert [p for _, p, _ in rec.requests] == ["/api/v1/get/quarantine/all"] * 3 + [
        "/api/v1/get/quarantine/1", "/api/v1/get/quarantine/2"]


def test_actions_send_mailcows_bodies_and_check_for_their_success_key():
    rec = Recorder(
        [{"type": "success", "log": [], "msg": ["item_released", "1"]}], DELETED,
        RELEASE_NO_POSTFIX, LEARN_NO_RSPAMD, [{"type": "success", "msg": "Task completed"}])
    assert rec.api.act("release", 1).keys == ["item_released"]
    assert rec.api.act("delete", 3).messages == ["Item 3 deleted"]
    with pytest.raises(MailcowRefused) as refused:
        rec.api.act("release", 1)  # a warning, not a danger: still not released
    assert refused.value.messages == ["Mailcow cannot connect to Postfix to release the message"]
    with pytest.raises(MailcowRefused) as refused:
        rec.api.act("learnspam", 2)
    assert "Curl: Couldn't connect to server" in refused.value.message
    with pytest.raises(MailcowRefused):
        rec.api.act("learnham", 2)
    assert [(p, b) for _, p, b in rec.requests] == [
        ("/api/v1/edit/qitem", {"items": ["1"], "attr": {"action": "release"}}),
        ("/api/v1/delete/qitem", ["3"]),
        ("/api/v1/edit/qitem", {"items": ["1"], "attr": {"action": "release"}}),
        ("/api/v1/edit/qitem", {"items": ["2"], "attr": {"action": "learnspam"}}),
        ("/api/v1/edit/qitem", {"items": ["2"], "attr": {"action": "learnham"}})]


def test_settings_form_rejects_bad_values(app):
    from panel.forms.quarantine import QuarantineSettingsForm

    with app.test_request_context(method="POST", data={
            "retention_size": "-1", "max_size": "500", "max_age": "0", "max_score": "x",
            "release_format": "zip", "sender": "nobody", "bcc": "a@b.test",
            "redirect": "ü@b.test"}):
        form = QuarantineSettingsForm(meta={"csrf": False})
        form.exclude_domains.choices = [("a.test", "a.test")]
        assert not form.validate()
        assert set(form.errors) == {"retention_size", "max_size", "max_age", "max_score",
                                    "release_format", "sender", "redirect"}
    with app.test_request_context(method="POST", data={
            "retention_size": "20", "max_size": "15", "max_age": "30", "max_score": "12.50",
            "release_format": "attachment", "exclude_domains": "a.test"}):
        form = QuarantineSettingsForm(meta={"csrf": False})
        form.exclude_domains.choices = [("a.test", "a.test")]
        assert form.validate(), form.errors
        assert form.settings() == QuarantineSettings(
            retention_size=20, max_size=15, max_score="12.5", max_age=30,
            exclude_domains=["a.test"], release_format="attachment")
