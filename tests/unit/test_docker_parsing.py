"""Parsing what the Docker engine answers: inspect output, stats samples, log lines."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from panel.docker.containers import info_from_attrs, parse_stats, parse_time
from panel.docker.engine import DockerUnavailable, socket_label
from panel.docker.exec import exec_in_service
from panel.docker.logs import LogLine, parse_line, split_lines, stamp_ns


def test_parse_time_keeps_microseconds_and_zone():
    assert parse_time("2024-05-01T13:45:07.123456789Z") == \
        datetime(2024, 5, 1, 13, 45, 7, 123456, tzinfo=timezone.utc)
    assert parse_time("2024-05-01T15:45:07+02:00") == \
        datetime(2024, 5, 1, 13, 45, 7, tzinfo=timezone.utc)
    assert parse_time("0001-01-01T00:00:00Z") is None  # Docker's "never"
    assert parse_time("") is None and parse_time("yesterday") is None


def test_info_from_inspect():
    attrs = {
        "Id": "a" * 64, "Name": "/mailcowdockerized-rspamd-mailcow-1", "RestartCount": 3,
        "Config": {"Image": "ghcr.io/mailcow/rspamd:2.0",
                   "Labels": {"com.docker.compose.service": "rspamd-mailcow"}},
        "State": {"Status": "running", "Running": True, "ExitCode": 0,
                  "StartedAt": "2024-05-01T13:45:07.5Z", "FinishedAt": "0001-01-01T00:00:00Z",
                  "Health": {"Status": "unhealthy",
                             "Log": [{"ExitCode": 1, "Output": "ping failed\n"}]}},
    }
    info = info_from_attrs(attrs)
    assert (info.service, info.name, info.image, info.state, info.health, info.restart_count) \
        == ("rspamd-mailcow", "mailcowdockerized-rspamd-mailcow-1", "ghcr.io/mailcow/rspamd:2.0",
            "running", "unhealthy", 3)
    assert info.health_log == "ping failed" and info.finished_at is None
    assert info.exit_code is None and info.short_id == "a" * 12
    stopped = info_from_attrs({**attrs, "State": {"Status": "exited", "ExitCode": 137}})
    assert stopped.exit_code == 137 and stopped.health is None and not stopped.running


def test_stats_like_docker_stats_cgroup_v1():
    sample = parse_stats({
        "cpu_stats": {"cpu_usage": {"total_usage": 2_000_000_000}, "system_cpu_usage": 20_000_000_000,
                      "online_cpus": 4},
        "precpu_stats": {"cpu_usage": {"total_usage": 1_000_000_000},
                         "system_cpu_usage": 10_000_000_000},
        "memory_stats": {"usage": 300 * 2**20, "limit": 2**30,
                         "stats": {"total_inactive_file": 100 * 2**20}},
    })
    assert sample.cpu_percent == pytest.approx(40.0)  # 10 % of the host × 4 cores
    assert sample.memory_used == 200 * 2**20 and sample.memory_limit == 2**30
    assert sample.memory_percent == pytest.approx(200 / 1024 * 100)


def test_stats_cgroup_v2_and_missing_previous_sample():
    sample = parse_stats({
        "cpu_stats": {"cpu_usage": {"total_usage": 5, "percpu_usage": [1, 2]},
                      "system_cpu_usage": 10},
        "precpu_stats": {"cpu_usage": {}},
        "memory_stats": {"usage": 1000, "limit": 4000, "stats": {"inactive_file": 400}},
    })
    assert sample.cpu_percent is None and sample.cpus == 2
    assert sample.memory_used == 600


def test_stamp_ns_is_exact_to_the_nanosecond():
    assert stamp_ns("2024-05-01T13:45:07.000000001Z") == 1714571107_000000001
    assert stamp_ns("2024-05-01T15:45:07.5+02:00") == 1714571107_500000000
    assert stamp_ns("2024-05-01T13:45:07Z") == 1714571107_000000000
    assert stamp_ns("not-a-time") is None


def test_parse_line():
    line = parse_line(b"2024-05-01T13:45:07.123456789Z postfix/smtp[1]: connect refused\n")
    assert line == LogLine(1714571107_123456789, "2024-05-01T13:45:07.123456789Z",
                           "postfix/smtp[1]: connect refused")
    assert line.at == datetime(2024, 5, 1, 13, 45, 7, 123456, tzinfo=timezone.utc)
    assert line.raw() == "2024-05-01T13:45:07.123456789Z postfix/smtp[1]: connect refused"
    bare = parse_line(b"no timestamp here \xff")
    assert bare.ns == 0 and bare.at is None and bare.text == "no timestamp here \ufffd"


def test_split_lines_rejoins_frames_and_cuts_runaways():
    assert list(split_lines([b"one\ntw", b"o\nthr", b"ee"])) == [b"one", b"two", b"three"]
    assert list(split_lines([b"a\n", b"\n"])) == [b"a", b""]
    huge = list(split_lines([b"x" * 70_000, b"y\n"]))
    assert len(huge[0]) == 64 * 1024 and len(huge) == 2


def test_socket_label_and_unavailable_message():
    assert socket_label("unix:///var/run/docker.sock") == "/var/run/docker.sock"
    assert socket_label("tcp://10.0.0.2:2375") == "tcp://10.0.0.2:2375"
    assert DockerUnavailable("/run/docker.sock").message == \
        "Docker socket not reachable at /run/docker.sock"


@pytest.mark.parametrize("argv", ["postqueue -j", b"postqueue", [], ["postqueue", 1]])
def test_exec_refuses_anything_but_an_argument_list(argv):
    with pytest.raises(TypeError):
        exec_in_service("postfix-mailcow", argv)
