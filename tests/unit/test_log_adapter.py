"""Each Mailcow log source's shape into LogEntry: times, levels, fields, starred secrets."""
import json
from datetime import datetime, timezone

import pytest

from panel.mailcow.errors import MailcowError
from panel.mailcow.logs import parse

T = 1795304928
WHEN = datetime.fromtimestamp(T, timezone.utc)


def test_empty_answers_are_no_entries():
    assert parse("postfix", {}) == [] and parse("api", []) == []


def test_something_else_is_an_error():
    with pytest.raises(MailcowError):
        parse("postfix", {"type": "error", "msg": "route not found"})


def test_syslog_sources_carry_string_times_and_priorities():
    [e] = parse("dovecot", [{"time": str(T), "priority": "warning", "program": "dovecot",
                             "message": "imap-login: Disconnected"}])
    assert (e.time, e.level, e.level_label) == (WHEN, "warn", "warning")
    assert e.fields == {"program": "dovecot", "message": "imap-login: Disconnected"}
    assert parse("postfix", [{"time": str(T), "priority": "err", "program": "p",
                              "message": "m"}])[0].level == "bad"


def test_api_entries_as_recorded():
    [e] = parse("api", [{"time": T, "uri": "/api/v1/get/logs/api/5", "method": "GET",
                         "remote": "127.0.0.1", "data": ""}])
    assert e.time == WHEN and e.level_label == "GET"
    assert e.fields["uri"] == "/api/v1/get/logs/api/5"


def test_api_data_secrets_are_starred():
    data = "attr='{\"password\":\"hunter2\",\"password2\":\"hunter2\",\"quota\":\"1\"}'"
    [e] = parse("api", [{"time": T, "uri": "/x", "method": "POST", "remote": "", "data": data}])
    assert "hunter2" not in e.fields["data"] and '"quota":"1"' in e.fields["data"]


def test_ui_entries_read_message_keys_and_star_secrets_in_the_call():
    call = ["mailbox", "edit", "mailbox", {"username": ["a@b.c"], "password": "hunter2"}]
    [e] = parse("ui", [{"id": 1, "type": "danger", "task": "mailbox",
                        "msg": json.dumps(["domain_exists", "b.c"]), "call": json.dumps(call),
                        "user": "admin", "role": "admin", "remote": "192.0.2.1", "time": T}])
    assert e.level == "bad" and e.fields["message"] == "Domain b.c already exists"
    assert "hunter2" not in e.fields["call"] and '"password": "*"' in e.fields["call"]


def test_sasl_times_are_mysql_datetimes():
    [e] = parse("sasl", [{"service": "imap", "app_password": 4, "username": "a@b.c",
                          "real_rip": "192.0.2.1", "datetime": "2026-11-22 03:00:00"}])
    assert e.time == datetime(2026, 11, 22, 3, 0, tzinfo=timezone.utc)
    assert e.fields["app_password"] == "#4" and e.level_label == "imap"


def test_watchdog_health():
    [e] = parse("watchdog", [{"time": str(T), "service": "Dovecot", "lvl": "83",
                              "hpnow": "10", "hptotal": "12", "hpdiff": "-2"}])
    assert (e.level, e.level_label) == ("warn", "83%")
    assert e.fields == {"service": "Dovecot", "health": "10/12", "trend": "-2"}
    [ok] = parse("watchdog", [{"time": str(T), "service": "Postfix", "lvl": "100",
                               "hpnow": "8", "hptotal": "8", "hpdiff": "1"}])
    assert ok.level == "ok" and ok.fields["trend"] == "+1"


def test_rspamd_history_uses_unix_time_and_ranks_symbols():
    [e] = parse("rspamd-history", [{
        "action": "reject", "unix_time": T, "score": 17.94, "required_score": 15,
        "sender_mime": "x@y.z", "rcpt_mime": ["a@b.c", "d@b.c"], "subject": "hi",
        "ip": "192.0.2.9", "size": 1234,
        "symbols": {"A": {"name": "A", "score": 0.1}, "B": {"name": "B", "score": 5.1},
                    "C": {"name": "C", "score": -2}}}])
    assert e.time == WHEN and e.level == "bad"
    assert e.fields["score"] == "17.94 / 15" and e.fields["rcpt"] == "a@b.c, d@b.c"
    assert e.fields["symbols"] == "B (+5.1), C (-2.0), A (+0.1)"


def test_filter_looks_at_every_field_and_the_level():
    [e] = parse("netfilter", [{"time": T, "priority": "crit", "message": "Banning 192.0.2.0/24"}])
    assert e.matches("banning") and e.matches("CRIT") and not e.matches("unban")
