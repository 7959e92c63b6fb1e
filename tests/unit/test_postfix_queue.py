"""The Postfix queue adapter: postqueue -j parsing, queue id checks, the commands built."""
from __future__ import annotations

import pytest

from panel.docker.queue import (
    CommandResult,
    InvalidQueueId,
    PostfixQueue,
    QueueUnavailable,
    check_ids,
    parse_postqueue_json,
)

POSTQUEUE_J = "\n".join([
    '{"queue_name": "deferred", "queue_id": "4BC1D2E3F4", "arrival_time": 1700000000, '
    '"message_size": 1234, "forced_expire": false, "sender": "a@example.org", "recipients": '
    '[{"address": "x@remote.test", "delay_reason": "connect to 127.0.0.1[127.0.0.1]:1: '
    'Connection refused"}]}',
    "postqueue: warning: something unrelated",
    '{"queue_name": "hold", "queue_id": "3v1CC85c4wz1n2d", "arrival_time": 1690000000, '
    '"message_size": 99, "forced_expire": false, "sender": "", "recipients": '
    '[{"address": "y@other.test"}, {"address": "z@example.org"}]}',
    '{"queue_name": "active", "queue_id": "../../etc", "arrival_time": 1, "sender": "s", '
    '"recipients": []}',
])


def test_parses_one_object_per_line_and_skips_the_rest():
    messages = parse_postqueue_json(POSTQUEUE_J)
    assert [m.queue_id for m in messages] == ["3v1CC85c4wz1n2d", "4BC1D2E3F4"]  # by arrival
    deferred = messages[1]
    assert deferred.queue == "deferred" and deferred.size == 1234
    assert deferred.sender == "a@example.org"
    assert deferred.reason.endswith("Connection refused")
    assert deferred.arrival.year == 2023
    held = messages[0]
    assert held.sender == "" and held.reason == ""
    assert held.domains() == {"other.test", "example.org"}


def test_search_covers_sender_recipient_reason_and_id():
    deferred = parse_postqueue_json(POSTQUEUE_J)[1]
    for text in ("A@EXAMPLE", "remote.test", "refused", "4bc1"):
        assert deferred.matches(text), text
    assert not deferred.matches("nothing-like-this")


@pytest.mark.parametrize("value", ["4BC1D2E3F4", "ABCDEF", "3v1CC85c4wz1n2d", "4ZmvB45bGmz9t1J"])
def test_queue_ids_in_both_formats_pass(value):
    assert check_ids([value]) == [value]


@pytest.mark.parametrize("value", ["", "ALL", "4bc1d2e3f4", "4BC1 D2", "-d", "ABC",
                                   "4BC1D2E3F4;rm", "aeiouzA", "../x", "4BC1D2E3F4\n"])
def test_anything_else_is_refused(value):
    with pytest.raises(InvalidQueueId):
        check_ids([value])


class Recorder:
    def __init__(self, result=CommandResult(0, "", "")):
        self.calls: list[list[str]] = []
        self.result = result

    def __call__(self, argv):
        self.calls.append(argv)
        return self.result


def test_actions_build_argument_lists():
    run = Recorder()
    queue = PostfixQueue(run)
    queue.act("hold", ["4BC1D2E3F4", "ABCDEF12"])
    queue.act("release", ["4BC1D2E3F4"])
    queue.act("delete", ["4BC1D2E3F4"])
    queue.act("deliver", ["4BC1D2E3F4", "ABCDEF12"])
    queue.flush()
    queue.delete_deferred()
    queue.headers("4BC1D2E3F4")
    assert run.calls == [
        ["postsuper", "-h", "4BC1D2E3F4", "-h", "ABCDEF12"],
        ["postsuper", "-H", "4BC1D2E3F4"],
        ["postsuper", "-d", "4BC1D2E3F4"],
        ["postqueue", "-i", "4BC1D2E3F4"],
        ["postqueue", "-i", "ABCDEF12"],
        ["postqueue", "-f"],
        ["postsuper", "-d", "ALL", "deferred"],
        ["postcat", "-h", "-e", "-q", "4BC1D2E3F4"],
    ]


def test_a_bad_id_in_a_selection_runs_nothing():
    run = Recorder()
    with pytest.raises(InvalidQueueId):
        PostfixQueue(run).act("delete", ["4BC1D2E3F4", "ALL"])
    with pytest.raises(ValueError):
        PostfixQueue(run).act("requeue-everything", ["4BC1D2E3F4"])
    assert run.calls == []


def test_postfix_report_is_kept_and_failure_to_list_is_unavailable():
    result = CommandResult(0, "", "postsuper: 4BC1D2E3F4: placed on hold\n"
                                  "postsuper: Placed on hold: 1 message\n")
    assert PostfixQueue(Recorder(result)).act("hold", ["4BC1D2E3F4"]).report == \
        "postsuper: 4BC1D2E3F4: placed on hold\npostsuper: Placed on hold: 1 message"
    with pytest.raises(QueueUnavailable, match="fatal"):
        PostfixQueue(Recorder(CommandResult(69, "", "postqueue: fatal: no queue"))).messages()
