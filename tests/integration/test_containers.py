"""The Containers pages against a real Docker engine with Mailcow-labelled containers."""
from __future__ import annotations

import re
import time

import pytest
from sqlalchemy import select

from panel import create_app
from panel.extensions import db
from panel.models import AuditEvent
from tests.conftest import app_config, csrf_token, signed_in_as
from tests.infra.docker_engine import wait_ready


@pytest.fixture
def app(tmp_path, sandbox, docker_engine, mailcow_containers):
    """The app pointed at the test engine (this module's `client` signs in to it)."""
    application = create_app(app_config(tmp_path, sandbox, DOCKER_HOST=docker_engine.base_url))
    yield application
    if "docker" in application.extensions:
        application.extensions["docker"].close()
    if "mailcow" in application.extensions:
        application.extensions["mailcow"].close()
    application.extensions["db_engine"].dispose()


def audit_event(app, action, target):
    with app.app_context():
        event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == action,
                                                           AuditEvent.target == target)
                                  .order_by(AuditEvent.id.desc()))
        db.session.expunge_all()
        return event


def until_a_line(response) -> str:
    """What a log stream sends up to and with its first `line` event; then it is closed."""
    received = ""
    chunks = iter(response.response)
    try:
        while "event: line" not in received:
            chunk = next(chunks)
            received += chunk.decode() if isinstance(chunk, bytes) else chunk
    finally:
        response.close()
    return received


def started_at(client, service):
    html = client.get("/containers").get_data(as_text=True)
    row = html.split(f'id="container-{service}"', 1)[1].split("</tr>", 1)[0]
    return re.search(r'<time datetime="([^"]+)"', row).group(1)


# -- the list ------------------------------------------------------------------------------

def test_lists_mailcows_labelled_containers_only(client, docker_engine, mailcow_containers):
    # Earlier tests may have restarted a container: let its health check settle.
    wait_ready(docker_engine.client, mailcow_containers.ids.values())
    response = client.get("/containers")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for name in mailcow_containers.listed:
        assert name in html
    assert mailcow_containers.unrelated not in html
    assert mailcow_containers.other_project not in html
    rspamd = html.split('id="container-rspamd-mailcow"', 1)[1].split("</tr>", 1)[0]
    assert "unhealthy" in rspamd and "running" in rspamd
    dovecot = html.split('id="container-dovecot-mailcow"', 1)[1].split("</tr>", 1)[0]
    assert "healthy" in dovecot and "local/<wbr>mailapp-stand-in:latest" in dovecot
    postfix = html.split('id="container-postfix-mailcow"', 1)[1].split("</tr>", 1)[0]
    assert "local/<wbr>mailapp-postfix:latest" in postfix and "<time datetime=" in postfix
    # The navigation links the page.
    assert 'href="/containers"' in html


def test_htmx_refresh_answers_the_table_only(client, mailcow_containers):
    html = client.get("/containers", headers={"HX-Request": "true"}).get_data(as_text=True)
    assert "<html" not in html and mailcow_containers.postfix in html


def test_stats_on_demand(client):
    response = client.get("/containers/postfix-mailcow/stats", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert re.search(r"CPU \d+\.\d %", html), html
    assert re.search(r"\d+(\.\d+)? (KiB|MiB|GiB) / \d+(\.\d+)? (MiB|GiB|TiB)", html), html


def test_unknown_or_malformed_service_is_404(client):
    assert client.get("/containers/nonexistent-mailcow/stats").status_code == 404
    assert client.get("/containers/nonexistent-mailcow/logs").status_code == 404
    assert client.get("/containers/nonexistent-mailcow/restart").status_code == 404
    assert client.get("/containers/Bad..Name!/logs").status_code == 404
    assert client.get("/containers/postfix-mailcow/explode").status_code == 404


def test_domain_admin_gets_404(app, client, sandbox):
    c = signed_in_as(app, "da-cont", ["example.org"], ["logs"])
    for path in ("/containers", "/containers/postfix-mailcow/logs",
                 "/containers/postfix-mailcow/stats", "/containers/postfix-mailcow/restart",
                 "/containers/postfix-mailcow/logs/download",
                 "/containers/postfix-mailcow/logs/stream"):
        assert c.get(path).status_code == 404, path
    assert c.post("/containers/dovecot-mailcow/stop",
                  data={"csrf_token": csrf_token(c, "/domains")}).status_code == 404
    assert 'href="/containers"' not in c.get("/domains").get_data(as_text=True)


# -- actions -------------------------------------------------------------------------------

def test_restart_asks_first_and_names_what_mail_loses(client):
    html = client.get("/containers/postfix-mailcow/restart").get_data(as_text=True)
    assert "Restart postfix-mailcow?" in html
    assert "This interrupts mail." in html and "Postfix" in html
    html = client.get("/containers/dovecot-mailcow/stop").get_data(as_text=True)
    assert "Stop dovecot-mailcow?" in html and "Dovecot" in html and "IMAP" in html
    html = client.get("/containers/rspamd-mailcow/restart").get_data(as_text=True)
    assert "Restart rspamd-mailcow?" in html and "This interrupts mail." not in html


def test_restart_restarts_and_is_audited(app, client):
    before = started_at(client, "dovecot-mailcow")
    token = csrf_token(client, "/containers/dovecot-mailcow/restart")
    response = client.post("/containers/dovecot-mailcow/restart", data={"csrf_token": token})
    assert response.status_code == 303
    assert started_at(client, "dovecot-mailcow") > before
    event = audit_event(app, "container.restart", "dovecot-mailcow")
    assert event is not None and event.outcome == "ok" and event.actor == "root"


def test_restart_without_csrf_changes_nothing(client):
    before = started_at(client, "dovecot-mailcow")
    assert client.post("/containers/dovecot-mailcow/restart", data={}).status_code == 400
    assert started_at(client, "dovecot-mailcow") == before


def test_stopped_container_paths(app, client, docker_engine, mailcow_containers):
    token = csrf_token(client, "/containers/rspamd-mailcow/stop")
    assert client.post("/containers/rspamd-mailcow/stop",
                       data={"csrf_token": token}).status_code == 303
    try:
        html = client.get("/containers").get_data(as_text=True)
        row = html.split('id="container-rspamd-mailcow"', 1)[1].split("</tr>", 1)[0]
        assert "exited" in row and "/containers/rspamd-mailcow/start" in row
        assert "Not running" in client.get("/containers/rspamd-mailcow/stats").get_data(
            as_text=True)
        logs_html = client.get("/containers/rspamd-mailcow/logs").get_data(as_text=True)
        assert "rspamd: tick" in logs_html  # a stopped container's log is still readable
        assert "cannot be followed" in logs_html and "data-follow-url" not in logs_html
        stream = client.get("/containers/rspamd-mailcow/logs/stream")
        assert "event: stopped" in stream.get_data(as_text=True)
        assert audit_event(app, "container.stop", "rspamd-mailcow").outcome == "ok"
    finally:
        token = csrf_token(client, "/containers/rspamd-mailcow/start")
        assert client.post("/containers/rspamd-mailcow/start",
                           data={"csrf_token": token}).status_code == 303
    assert docker_engine.client.containers.get(mailcow_containers.rspamd).status == "running"


# -- logs ----------------------------------------------------------------------------------

def test_logs_page_shows_the_last_lines_with_timestamps(client):
    time.sleep(1)
    html = client.get("/containers/dovecot-mailcow/logs?lines=50").get_data(as_text=True)
    lines = re.findall(r'<li><time datetime="([^"]+)">([^<]+)</time> <span>([^<]*)</span>', html)
    assert 1 <= len(lines) <= 50
    assert all(stamp.endswith("Z") and "dovecot: " in text for stamp, _, text in lines)
    assert "data-follow-url" in html  # running: it can be followed
    assert 'name="service"' in html and "rspamd-mailcow" in html  # the container picker


def test_logs_filter_and_summary(client):
    html = client.get("/containers/dovecot-mailcow/logs?q=warning").get_data(as_text=True)
    texts = re.findall(r"</time> <span>([^<]*)</span>", html)
    assert texts and all("warning" in t for t in texts)
    assert "matching lines of" in html
    html = client.get("/containers/dovecot-mailcow/logs?q=no-such-words").get_data(as_text=True)
    assert "No line contains" in html


def test_logs_time_window(client):
    html = client.get("/containers/dovecot-mailcow/logs?since=2001-01-01+00:00"
                      "&until=2001-01-02+00:00").get_data(as_text=True)
    assert "The log is empty for this period." in html
    assert "data-follow-url" not in html  # an end time cannot be followed
    html = client.get("/containers/dovecot-mailcow/logs?period=1h").get_data(as_text=True)
    assert "dovecot: tick" in html


def test_logs_bad_input_is_422_beside_the_field(client):
    response = client.get("/containers/dovecot-mailcow/logs?since=yesterday")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="since-error"' in html and "Enter a UTC time" in html
    response = client.get("/containers/dovecot-mailcow/logs?since=2024-05-02+10:00"
                          "&until=2024-05-01+10:00")
    assert response.status_code == 422 and 'id="until-error"' in response.get_data(as_text=True)
    response = client.get("/containers/dovecot-mailcow/logs?lines=123456789")
    assert response.status_code == 422 and 'id="lines-error"' in response.get_data(as_text=True)


def test_picker_goes_to_the_chosen_containers_logs(client):
    response = client.get("/containers/logs?service=rspamd-mailcow&q=tick")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/containers/rspamd-mailcow/logs?")
    response = client.get("/containers/logs")
    assert response.headers["Location"] == "/containers/postfix-mailcow/logs"


def test_download_is_streamed_and_filtered(client, mailcow_containers):
    response = client.get("/containers/dovecot-mailcow/logs/download?q=warning")
    assert response.status_code == 200
    assert not response.is_sequence  # streamed, not built in memory
    assert response.mimetype == "text/plain"
    assert f'filename="{mailcow_containers.dovecot}-' in response.headers["Content-Disposition"]
    body = response.get_data(as_text=True).splitlines()
    assert body and all(" dovecot: warning: tick " in line for line in body)
    assert all(re.match(r"\d{4}-\d\d-\d\dT[\d:.]+Z ", line) for line in body)


def test_follow_stream_sends_new_lines(client):
    page = client.get("/containers/dovecot-mailcow/logs?lines=50").get_data(as_text=True)
    after = int(re.search(r'data-after="(\d+)"', page).group(1))
    response = client.get(f"/containers/dovecot-mailcow/logs/stream?after={after}",
                          buffered=False)
    assert response.mimetype == "text/event-stream"
    received = until_a_line(response)
    ids = [int(i) for i in re.findall(r"^id: (\d+)$", received, re.M)]
    assert ids and all(i > after for i in ids)
    assert 'dovecot: tick' in received and '"stamp": "' in received


def test_follow_resumes_after_last_event_id(client):
    page = client.get("/containers/dovecot-mailcow/logs?lines=50").get_data(as_text=True)
    stamps = re.findall(r'<time datetime="([^"]+)"', page)
    assert len(stamps) >= 3, page
    from panel.docker.logs import stamp_ns
    middle = stamp_ns(stamps[-3])
    response = client.get("/containers/dovecot-mailcow/logs/stream",
                          headers={"Last-Event-ID": str(middle)}, buffered=False)
    received = until_a_line(response)
    ids = [int(i) for i in re.findall(r"^id: (\d+)$", received, re.M)]
    # The two lines after the resume point come first, nothing before it.
    assert ids and min(ids) > middle and stamp_ns(stamps[-2]) in ids


# -- the engine is gone ----------------------------------------------------------------

def test_engine_stopped(client, docker_engine_stopped):
    message = f"Docker socket not reachable at {docker_engine_stopped.socket}"
    for path in ("/containers", "/containers/postfix-mailcow/logs", "/containers/logs",
                 "/containers/postfix-mailcow/restart"):
        response = client.get(path)
        assert response.status_code == 200, path  # a page that reports the outage
        assert message in response.get_data(as_text=True), path
    stats = client.get("/containers/postfix-mailcow/stats")
    assert message in stats.get_data(as_text=True)
    download = client.get("/containers/postfix-mailcow/logs/download")
    assert download.status_code == 503 and message in download.get_data(as_text=True)
    assert message in client.get("/containers/postfix-mailcow/logs/stream").get_data(as_text=True)
    # The rest of MailApp keeps working.
    assert client.get("/domains").status_code == 200
    assert client.get("/mailboxes").status_code == 200


def test_no_engine_configured_where_it_listens(tmp_path, sandbox):
    application = create_app(app_config(tmp_path, sandbox,
                                        DOCKER_HOST=f"unix://{tmp_path}/none/docker.sock"))
    c = signed_in_as(application, "root")
    response = c.get("/containers")
    assert response.status_code == 200
    assert f"Docker socket not reachable at {tmp_path}/none/docker.sock" in \
        response.get_data(as_text=True)
    application.extensions["db_engine"].dispose()


def test_too_many_live_views_wait_their_turn(client):
    from panel.views import containers as view

    taken = 0
    while view._followers.acquire(blocking=False):
        taken += 1
    try:
        body = client.get("/containers/dovecot-mailcow/logs/stream").get_data(as_text=True)
        assert "retry: 10000" in body and "event: busy" in body and "event: line" not in body
    finally:
        for _ in range(taken):
            view._followers.release()
    assert taken == view.MAX_FOLLOWERS  # no stream of an earlier test was left holding one


def test_follow_with_a_filter_sends_only_matching_lines(client):
    response = client.get("/containers/dovecot-mailcow/logs/stream?q=warning", buffered=False)
    received = until_a_line(response)
    data = re.findall(r"^data: (.*)$", received, re.M)
    assert data and all("warning: tick" in d for d in data)
