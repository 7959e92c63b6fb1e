"""The Docker adapter against a real engine: Mailcow's containers by label, logs, exec."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from panel.docker import containers, logs
from panel.docker.engine import (
    ContainerNotFound,
    ContainerNotRunning,
    DockerUnavailable,
    Engine,
)
from panel.docker.exec import exec_in_service
from tests.infra.docker_engine import wait_ready


@pytest.fixture
def engine(docker_engine, mailcow_containers):
    found = Engine(docker_engine.base_url, mailcow_containers.project)
    yield found
    found.close()


def test_lists_only_the_projects_labelled_containers(engine, docker_engine, mailcow_containers):
    wait_ready(docker_engine.client, mailcow_containers.ids.values())  # health settled
    found = containers.list_containers(engine)
    assert {c.name for c in found} == mailcow_containers.listed
    by_service = {c.service: c for c in found}
    assert set(by_service) == {"postfix-mailcow", "dovecot-mailcow", "rspamd-mailcow"}
    postfix = by_service["postfix-mailcow"]
    assert postfix.state == "running" and postfix.health is None
    assert postfix.image == "local/mailapp-postfix:latest"
    assert postfix.started_at is not None and postfix.started_at.tzinfo is not None
    assert abs(postfix.started_at - datetime.now(timezone.utc)) < timedelta(hours=1)
    assert by_service["dovecot-mailcow"].health == "healthy"
    assert by_service["rspamd-mailcow"].health == "unhealthy"
    assert by_service["rspamd-mailcow"].health_log  # why it is unhealthy


def test_another_project_name_lists_that_projects_containers(docker_engine, mailcow_containers):
    other = Engine(docker_engine.base_url, "otherproject")
    try:
        assert [c.name for c in containers.list_containers(other)] == \
            [mailcow_containers.other_project]
    finally:
        other.close()


def test_stats_of_a_running_container(engine):
    sample = containers.stats(engine, "postfix-mailcow")
    assert sample.cpu_percent is not None and sample.cpu_percent >= 0
    assert 0 < sample.memory_used < sample.memory_limit
    assert sample.cpus >= 1


def test_unknown_service_is_not_found(engine):
    with pytest.raises(ContainerNotFound):
        containers.get(engine, "nonexistent-mailcow")
    with pytest.raises(ContainerNotFound):
        logs.tail(engine, "nonexistent-mailcow")


def test_tail_returns_the_last_lines_with_timestamps(engine):
    time.sleep(1.2)  # the ticker has written a few lines since the fixture started
    result = logs.tail(engine, "dovecot-mailcow", lines=3)
    assert len(result.lines) == 3
    assert all(line.ns and line.at and "dovecot" in line.text for line in result.lines)
    assert [line.ns for line in result.lines] == sorted(line.ns for line in result.lines)
    # Nothing newer than what tail returned was left out: the ticker's counter agrees.
    last = int(result.lines[-1].text.split("tick ")[1].split()[0])
    assert f"tick {last}" in result.lines[-1].text


def test_filter_applies_to_the_whole_stream_not_just_the_tail(engine):
    # Wait until at least two warnings exist (one every five ticks).
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        result = logs.tail(engine, "dovecot-mailcow", lines=2, text="WARNING")
        if len(result.lines) == 2:
            break
        time.sleep(0.5)
    assert len(result.lines) == 2
    assert all("warning: tick" in line.text for line in result.lines)
    assert result.scanned > 2 and not result.limited


def test_time_window(engine):
    everything = logs.tail(engine, "dovecot-mailcow", lines=5000)
    assert len(everything.lines) >= 4
    middle = everything.lines[len(everything.lines) // 2]
    start = middle.at
    end = everything.lines[-2].at
    window = logs.tail(engine, "dovecot-mailcow", lines=5000, since=start, until=end)
    assert window.lines
    assert all(start <= line.at <= end + timedelta(microseconds=1) for line in window.lines)
    assert window.lines[0].ns >= middle.ns - 1000


def test_download_streams_every_matching_line(engine):
    chunks = list(logs.download(engine, "dovecot-mailcow", text="tick 1"))
    assert chunks and all(c.endswith(b"\n") for c in chunks)
    assert all(b"tick 1" in c for c in chunks)
    assert chunks[0].split(b" ", 1)[0].endswith(b"Z")  # Docker's timestamp first


def test_follow_yields_new_lines_then_heartbeats(engine):
    start = logs.tail(engine, "dovecot-mailcow", lines=1)
    stream = logs.follow(engine, "dovecot-mailcow", after_ns=start.last_ns, heartbeat=5)
    try:
        line = next(stream)
        while line is None:
            line = next(stream)
        assert line.ns > start.last_ns and "dovecot" in line.text
        second = next(stream)
        assert second is None or second.ns > line.ns
    finally:
        stream.close()


def test_exec_runs_an_argument_list(engine):
    code, out, err = exec_in_service("postfix-mailcow", ["postconf", "-h", "relayhost"],
                                     engine=engine)
    assert (code, out.strip(), err) == (0, "[127.0.0.1]:1", "")
    # An argument is one argument, not shell text.
    code, out, err = exec_in_service("postfix-mailcow", ["echo", "a; rm -rf /tmp/x", "$HOME"],
                                     engine=engine)
    assert (code, out) == (0, "a; rm -rf /tmp/x $HOME\n")
    code, out, err = exec_in_service("postfix-mailcow", ["postsuper", "-h", "NOSUCHID"],
                                     engine=engine)
    assert code != 0 or err  # postsuper complains on stderr
    with pytest.raises(TypeError):
        exec_in_service("postfix-mailcow", "postqueue -j", engine=engine)


def test_restart_counts_and_comes_back(engine):
    before = containers.get(engine, "dovecot-mailcow")
    after = containers.act(engine, "dovecot-mailcow", "restart")
    assert after.state == "running"
    assert after.started_at > before.started_at


def test_stopped_container(engine, docker_engine, mailcow_containers):
    stopped = containers.act(engine, "dovecot-mailcow", "stop")
    try:
        assert stopped.state == "exited"
        with pytest.raises(ContainerNotRunning):
            exec_in_service("dovecot-mailcow", ["true"], engine=engine)
        with pytest.raises(ContainerNotRunning):
            containers.stats(engine, "dovecot-mailcow")
        # A stopped container's log is still there.
        assert logs.tail(engine, "dovecot-mailcow", lines=2).lines
        listed = {c.service: c for c in containers.list_containers(engine)}
        assert listed["dovecot-mailcow"].state == "exited"
    finally:
        assert containers.act(engine, "dovecot-mailcow", "start").state == "running"


def test_postfix_stopped_fixture(engine, postfix_stopped):
    with pytest.raises(ContainerNotRunning):
        exec_in_service("postfix-mailcow", ["postqueue", "-j"], engine=engine)


def test_engine_stopped(engine, docker_engine_stopped):
    with pytest.raises(DockerUnavailable) as raised:
        containers.list_containers(engine)
    assert raised.value.message == f"Docker socket not reachable at {docker_engine_stopped.socket}"
    with pytest.raises(DockerUnavailable):
        exec_in_service("postfix-mailcow", ["true"], engine=engine)


def test_engine_back_after_a_stop(engine, mailcow_containers):
    # The previous test stopped the engine; the same Engine reconnects by itself.
    assert {c.name for c in containers.list_containers(engine)} == mailcow_containers.listed


def test_nothing_listens_where_nothing_is(tmp_path):
    missing = Engine(f"unix://{tmp_path}/docker.sock")
    with pytest.raises(DockerUnavailable) as raised:
        containers.list_containers(missing)
    assert str(tmp_path) in raised.value.message
