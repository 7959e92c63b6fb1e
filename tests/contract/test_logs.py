"""Logs: recordings 62_get_logs_* (a fresh Mailcow answers {} for every empty source) and
get_logs() in Mailcow's functions.inc.php for counts and ranges."""
from __future__ import annotations

import pytest

from panel.mailcow.sandbox.areas import logs
from panel.mailcow.sandbox.store import opened, transaction

EMPTY = ["acme", "autodiscover", "cron", "dovecot", "netfilter", "postfix", "ratelimited",
         "rspamd-history", "rspamd-stats", "sasl", "sogo", "ui", "watchdog"]

# Recording 62_get_logs_api.txt, first two entries, exactly as Mailcow printed them.
API_ANSWER = """[
    {
        "time": 1795304928,
        "uri": "\\/api\\/v1\\/get\\/logs\\/api\\/5",
        "method": "GET",
        "remote": "127.0.0.1",
        "data": ""
    },
    {
        "time": 1795304927,
        "uri": "\\/api\\/v1\\/get\\/logs\\/acme\\/5",
        "method": "GET",
        "remote": "127.0.0.1",
        "data": ""
    }
]"""


@pytest.fixture
def pushed(sandbox_only):
    """Entries pushed straight into the sandbox's store, removed afterwards."""
    def push(source, *entries):
        with opened(sandbox_only.app.db_path) as conn, transaction(conn):
            for entry in entries:
                logs.append(conn, source, entry)
    yield push
    with opened(sandbox_only.app.db_path) as conn, transaction(conn):
        conn.execute("DELETE FROM log_entry")


@pytest.mark.parametrize("source", EMPTY)
def test_an_empty_source_answers_an_empty_object(sandbox_only, source):
    response = sandbox_only.get(f"get/logs/{source}/5")
    assert (response.status_code, response.text) == (200, "{}")


def test_api_entries_print_as_recorded(pushed, sandbox_only):
    pushed("api",
           {"time": 1795304927, "uri": "/api/v1/get/logs/acme/5", "method": "GET",
            "remote": "127.0.0.1", "data": ""},
           {"time": 1795304928, "uri": "/api/v1/get/logs/api/5", "method": "GET",
            "remote": "127.0.0.1", "data": ""})
    assert sandbox_only.get("get/logs/api/5").text == API_ANSWER


def test_counts_and_ranges(pushed, sandbox_only):
    pushed("netfilter", *({"time": 1795300000 + i, "priority": "info", "message": f"m{i}"}
                          for i in range(10)))
    def messages(arg):
        data = sandbox_only.get_json(f"get/logs/netfilter/{arg}")
        return [e["message"] for e in data] if isinstance(data, list) else data
    assert messages("3") == ["m9", "m8", "m7"]
    assert messages("2-4") == ["m8", "m7", "m6"]          # LRANGE 1..3
    assert messages("0") == {} and messages("5-3") == {}
    assert messages("3abc") == ["m9", "m8", "m7"]       # non-digits are stripped
    assert len(sandbox_only.get_json("get/logs/netfilter")) == 10


def test_sql_sources_read_a_range_as_offset_and_count(pushed, sandbox_only):
    # SELECT … LIMIT :from - 1, :to — Mailcow passes the range's end as the row count.
    pushed("sasl", *({"service": "imap", "app_password": 0, "username": f"u{i}@a.test",
                      "real_rip": "192.0.2.1", "datetime": f"2026-11-22 03:00:0{i}"}
                     for i in range(8)))
    data = sandbox_only.get_json("get/logs/sasl/2-3")
    assert [e["username"] for e in data] == ["u6@a.test", "u5@a.test", "u4@a.test"]


def test_unknown_source_is_route_not_found(api):
    response = api.get("get/logs/nope/5")
    assert response.status_code == 404
    assert response.json() == {"type": "error", "msg": "route not found"}
