"""Home: the page renders at once, each figure arrives on its own, and a figure that
cannot be read shows a dash and why — with no Docker engine, and with a real one."""
from __future__ import annotations

import re

import pytest

from panel import create_app
from panel.extensions import db
from panel.services.admins import create_admin
from tests.conftest import app_config, sign_in
from tests.infra.nsd import nsd_available, serve_zones, zone_text

PARTIALS = ("/overview/system", "/overview/services", "/overview/storage", "/overview/counts",
            "/overview/queue")


def make_app(tmp_path, sandbox, **extra):
    app = create_app(app_config(tmp_path, sandbox, **extra))
    with app.app_context():
        create_admin("root", "correct-horse-battery")
        create_admin("scoped", "correct-horse-battery", domains=["example.org"],
                     permissions=["logs", "mailboxes"])
        db.session.remove()
    return app


def signed_in(app, username="root"):
    client = app.test_client()
    assert sign_in(client, username).status_code == 302
    return client


def text(client, path):
    response = client.get(path, headers={"HX-Request": "true"})
    assert response.status_code == 200, (path, response.status_code)
    return response.get_data(as_text=True)


@pytest.fixture
def no_docker_app(tmp_path, sandbox):
    app = make_app(tmp_path, sandbox, DOCKER_HOST=f"unix://{tmp_path}/no-docker.sock",
                   MAILAPP_DNS_RESOLVER="127.0.0.1:1")
    yield app
    app.extensions["db_engine"].dispose()


def test_page_renders_at_once_with_lazy_sections(no_docker_app):
    body = signed_in(no_docker_app).get("/").get_data(as_text=True)
    assert "<h1>Home</h1>" in body
    for path in PARTIALS:
        assert f'hx-get="{path}"' in body and 'hx-trigger="load"' in body


def test_without_docker_each_figure_says_why(no_docker_app, tmp_path):
    client = signed_in(no_docker_app)
    system = text(client, "/overview/system")
    assert "mail.sandbox.test" in system
    assert "2026-07a" in system  # Mailcow's version still comes from Mailcow
    assert f"Docker socket not reachable at {tmp_path}/no-docker.sock" in system
    assert "timed out after 2 s" in system or "could not answer" in system  # the IPs
    assert "Traceback" not in system
    for path in ("/overview/services", "/overview/storage"):
        assert "Docker socket not reachable" in text(client, path), path
    assert "not reachable" in text(client, "/overview/queue")


def test_counts_come_from_mailcow_and_respect_scope(no_docker_app, sandbox):
    from tests.conftest import mailcow_api

    domains = mailcow_api(sandbox, "get", "domain/all")
    everything = text(signed_in(no_docker_app), "/overview/counts")
    assert re.search(rf">{len(domains):,}</a>", everything)
    scoped = signed_in(no_docker_app, "scoped")
    mine = text(scoped, "/overview/counts")
    assert re.search(r'href="/domains">1</a>', mine)
    mailboxes = [m for m in mailcow_api(sandbox, "get", "mailbox/all/example.org")]
    assert f'href="/mailboxes">{len(mailboxes)}</a>' in mine


def test_domain_admin_gets_no_system_figures(no_docker_app):
    scoped = signed_in(no_docker_app, "scoped")
    body = scoped.get("/").get_data(as_text=True)
    assert "/overview/system" not in body and "/overview/services" not in body
    for path in ("/overview/system", "/overview/services", "/overview/storage"):
        assert scoped.get(path).status_code == 404


def test_mailcow_down_shows_its_reason(no_docker_app, faults):
    client = signed_in(no_docker_app)
    faults.inject_fault("http500", path_prefix="/api/v1/get/status/version", count=1)
    system = text(client, "/overview/system")
    assert "Traceback" not in system and "mail.sandbox.test" in system
    assert re.search(r"<dt>Mailcow version</dt>\s*<dd><span class=\"unknown\">—</span>", system)
    faults.inject_fault("http500", path_prefix="/api/v1/search/domain", count=1)
    counts = text(client, "/overview/counts")
    assert re.search(r"<dt>Domains</dt>\s*<dd><span class=\"unknown\">—</span>", counts)


@pytest.fixture
def docker_app(tmp_path, sandbox, docker_engine, mailcow_containers):
    if not nsd_available():
        pytest.skip("nsd is not installed (scripts/test.sh installs it)")
    work = tmp_path / "dns"
    work.mkdir()
    zone = zone_text("sandbox.test", "mail IN A 192.0.2.25\nmail IN AAAA 2001:db8::25\n")
    with serve_zones(work, {"sandbox.test": zone}, "mail.sandbox.test") as port:
        app = make_app(tmp_path, sandbox, DOCKER_HOST=docker_engine.base_url,
                       MAILAPP_DNS_RESOLVER=f"127.0.0.1:{port}")
        yield app
        app.extensions["db_engine"].dispose()


def test_with_a_docker_engine_the_host_figures_are_real(docker_app, docker_engine):
    info = docker_engine.client.info()
    system = text(signed_in(docker_app), "/overview/system")
    assert info["Architecture"] in system
    assert re.search(rf"<dt>CPU cores</dt>\s*<dd>{info['NCPU']}</dd>", system)
    assert "192.0.2.25, 2001:db8::25" in system  # the mail host's A and AAAA
    assert re.search(r"<dt>Uptime</dt>\s*<dd>(\d+ (d|h|min) ?)+|\d+ s", system)
    assert re.search(r"<dt>CPU usage</dt>\s*<dd>\d+\.\d %", system)
    assert re.search(r"<progress value=\"\d+\" max=\"100\" aria-label=\"Memory used\">", system)
    assert "Read from the Docker engine" in system


def test_services_show_up_down_and_unhealthy(docker_app, mailcow_containers):
    services = text(signed_in(docker_app), "/overview/services")
    assert "postfix-mailcow" in services and "dovecot-mailcow" in services
    assert re.search(r'badge warn">unhealthy</span> rspamd-mailcow', services)
    assert "unrelated" not in services and "otherproject" not in services


def test_storage_from_df_in_the_dovecot_container(docker_app, docker_engine, mailcow_containers):
    dovecot = docker_engine.client.containers.get(mailcow_containers.dovecot)
    dovecot.exec_run(["rm", "-rf", "/var/vmail"])
    client = signed_in(docker_app)
    assert "No such file or directory" in text(client, "/overview/storage")
    dovecot.exec_run(["mkdir", "-p", "/var/vmail"])
    storage = text(client, "/overview/storage")
    assert re.search(r"used \(\d+ %\) at /", storage)


def test_queue_counts_on_home(docker_app):
    queue = text(signed_in(docker_app), "/overview/queue")
    assert 'href="/queue?queue=deferred"' in queue
