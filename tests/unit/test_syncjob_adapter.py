"""Sync job adapter: parsing recording 15/97, the wire format, the write-only password,
Mailcow's custom-parameter allow-list, and the form's checks."""
import json

import httpx
import pytest

from panel import create_app
from panel.forms.syncjobs import SyncJobAddForm, exclude_problem
from panel.mailcow.client import MailcowClient
from panel.mailcow.errors import NotFound
from panel.mailcow.syncjobs import (
    INACTIVE,
    RUNNING,
    WAITING,
    SyncJobsApi,
    SyncJobSettings,
    custom_params_refusal,
    from_wire,
)

# Recording more/15 (get/syncjobs/all/no_log), as Mailcow printed it.
RECORDED_JOB = {
    "id": 1, "user2": "alice@example.test", "host1": "imap.remote.invalid", "authmech1": "PLAIN",
    "regextrans2": "", "authmd51": 0, "domain2": "", "subfolder2": "/Imported",
    "user1": "old@remote.invalid", "exclude": "(?i)spam|(?i)junk", "maxage": 0,
    "mins_interval": 20, "maxbytespersecond": "0", "port1": 993, "enc1": "SSL",
    "delete2duplicates": 1, "delete1": 0, "delete2": 0, "automap": 1, "skipcrossduplicates": 0,
    "custom_params": "", "timeout1": 600, "timeout2": 600, "subscribeall": 1, "dry": 0,
    "is_running": 0, "last_run": None, "success": None, "exit_status": None,
    "created": "2026-11-21 23:48:31", "modified": None, "active": 1, "log": ""}


def test_parses_the_recorded_job():
    job = from_wire(RECORDED_JOB)
    assert (job.id, job.owner, job.host, job.port, job.encryption, job.user) == \
        (1, "alice@example.test", "imap.remote.invalid", 993, "SSL", "old@remote.invalid")
    assert (job.interval, job.subfolder, job.exclude, job.max_age, job.max_bytes_per_second) == \
        (20, "/Imported", "(?i)spam|(?i)junk", 0, 0)
    assert job.delete_duplicates and job.automap and job.subscribe_all and job.active
    assert not job.dry_run and from_wire({**RECORDED_JOB, "dry": 1}).dry_run
    assert not (job.delete_from_source or job.delete_on_destination
                or job.skip_cross_duplicates or job.is_running)
    assert job.last_run is None and job.success is None and job.exit_status == ""
    assert job.domain == "example.test" and job.server == "imap.remote.invalid:993"
    assert job.status == WAITING
    assert not hasattr(job, "password")


def test_status_and_results():
    running = from_wire({**RECORDED_JOB, "is_running": 1})
    stopped = from_wire({**RECORDED_JOB, "active": 0, "success": 0,
                         "exit_status": "EXIT_AUTHENTICATION_FAILURE_USER1",
                         "last_run": "2026-11-21 23:10:01"})
    assert running.status == RUNNING and stopped.status == INACTIVE
    assert stopped.success is False and stopped.last_run.hour == 23
    assert from_wire({**RECORDED_JOB, "success": "1"}).success is True


def test_wire_sends_password_only_when_given():
    settings = SyncJobSettings(host="imap.x.test", user="u@x.test", password="pw-1")
    body = settings.wire()
    assert body["password1"] == "pw-1" and body["enc1"] == "SSL" and body["port1"] == "993"
    assert body["delete2duplicates"] == "1" and body["delete1"] == "0" and body["dry"] == "0"
    kept = SyncJobSettings(host="imap.x.test", user="u@x.test", password=None)
    assert "password1" not in kept.wire()
    assert "pw-1" not in repr(settings)
    audit = settings.audit()
    assert "password" not in audit and "pw-1" not in json.dumps(audit)
    assert audit["new_remote_login_sent"] is True


def test_of_round_trips_without_the_password():
    job = from_wire(RECORDED_JOB)
    settings = SyncJobSettings.of(job)
    assert settings.password is None and settings.host == job.host
    wire = settings.wire()
    assert wire["exclude"] == "(?i)spam|(?i)junk" and wire["subfolder2"] == "/Imported"


@pytest.mark.parametrize("params, refusal", [
    ("", None),
    ("--dry", None),
    ("--maxsize=52428800 --nofoldersizesatend", None),
    ("--MaxSize=10", None),
    ("--maxsize 100", "bad character SPACE"),
    ("--regexmess=s/x/y/", "bad option regexmess"),
    ("--skipmess=x", "bad option skipmess"),
    ("--pipemess=cat", "bad option pipemess"),
])
def test_custom_params_allow_list(params, refusal):
    assert custom_params_refusal(params) == refusal


@pytest.mark.parametrize("pattern, ok", [
    ("", True), ("(?i)spam|(?i)junk", True), ("^Trash$", True), ("a\\/b", True),
    ("a/b", False), ("(unclosed", False), ("ends\\", False), ("[z-a]", False),
])
def test_exclude_pattern_check(pattern, ok):
    assert (exclude_problem(pattern) is None) is ok


def test_get_reads_all_without_log_then_the_owner_with_log():
    seen = []

    def handler(request):
        seen.append(request.url.path)
        if request.url.path.endswith("/all/no_log"):
            return httpx.Response(200, json=[RECORDED_JOB])
        return httpx.Response(200, json=[{**RECORDED_JOB, "log": "Exiting with return value 0"}])

    api = SyncJobsApi(MailcowClient("http://mc.test", "k", transport=httpx.MockTransport(handler)))
    job = api.get(1, with_log=True)
    assert job.log == "Exiting with return value 0"
    assert seen == ["/api/v1/get/syncjobs/all/no_log",
                    "/api/v1/get/syncjobs/alice@example.test"]
    with pytest.raises(NotFound):
        api.get(2)


def test_no_jobs_is_an_empty_list():
    api = SyncJobsApi(MailcowClient("http://mc.test", "k", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, text="{}"))))
    assert api.all() == [] and api.of_owner("a@b.test") == []


@pytest.fixture
def form_app(tmp_path):
    app = create_app({"MAILAPP_INSTANCE_PATH": str(tmp_path / "i"),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
                      "MAILCOW_URL": "http://127.0.0.1:9", "MAILCOW_API_KEY": "k",
                      "TESTING": True, "WTF_CSRF_ENABLED": False})
    return app


def test_add_form_settings(form_app):
    data = {"owner": " Alice@Example.TEST ", "host": "IMAP.Old.Test", "port": "143",
            "encryption": "TLS", "user": "alice", "password": "pw", "interval": "15",
            "subfolder": "", "exclude": "", "max_age": "0", "max_bytes_per_second": "0",
            "timeout_remote": "600", "timeout_local": "600", "custom_params": "",
            "delete_from_source": "y", "active": "y"}
    with form_app.test_request_context(method="POST", data=data):
        form = SyncJobAddForm()
        assert form.validate(), form.errors
        settings = form.settings()
    assert form.owner.data == "alice@example.test"
    assert (settings.host, settings.port, settings.encryption, settings.interval) == \
        ("imap.old.test", 143, "TLS", 15)
    assert settings.delete_from_source and not settings.delete_duplicates
    with form_app.test_request_context(method="POST", data={**data, "password": ""}):
        form = SyncJobAddForm()
        assert not form.validate() and "password" in form.errors
