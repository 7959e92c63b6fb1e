"""CSV import of mailboxes and aliases: dry run, background job, scope, ownership."""
from __future__ import annotations

import re
import time
import uuid

import pytest

from panel.extensions import db
from panel.models import AuditEvent
from panel.permissions import PERMISSIONS
from panel.services.admins import create_admin
from tests.conftest import csrf_token, mailcow_api, sign_in

PASSWORD = "S3cret-Pass1"
JOB_RE = re.compile(r'action="/imports/([^/"]+)/start"')


def _domain(sandbox, prefix="imp") -> str:
    name = f"{prefix}{uuid.uuid4().hex[:8]}.test"
    mailcow_api(sandbox, "add", "domain", {"domain": name, "active": "1", "mailboxes": "2000",
                                           "aliases": "2000", "defquota": "100",
                                           "maxquota": "200", "quota": "500000"})
    return name


def _mailboxes(sandbox, domain) -> set[str]:
    return {m["username"] for m in mailcow_api(sandbox, "get", f"mailbox/all/{domain}")}


def _aliases(sandbox, domain) -> set[str]:
    return {a["address"] for a in mailcow_api(sandbox, "get", "alias/all")
            if a["address"].endswith("@" + domain)}


def _upload(client, kind, text, path=None):
    token = csrf_token(client, f"/{kind}/import")
    from io import BytesIO
    return client.post(path or f"/{kind}/import",
                       data={"csrf_token": token,
                             "file": (BytesIO(text.encode("utf-8")), "import.csv")},
                       content_type="multipart/form-data")


def _run(client, html, timeout=60):
    job = JOB_RE.search(html).group(1)
    token = csrf_token(client, "/mailboxes")
    r = client.post(f"/imports/{job}/start", data={"csrf_token": token})
    assert r.status_code == 303
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/imports/{job}/progress").get_data(as_text=True)
        if "Import finished" in body:
            return job, body
        time.sleep(0.1)
    raise AssertionError("import did not finish")


def test_dry_run_lists_row_errors_and_creates_nothing(client, sandbox):
    domain = _domain(sandbox)
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "taken", "domain": domain,
                                            "name": "T", "quota": "100", "password": PASSWORD,
                                            "password2": PASSWORD, "active": "1"})
    csv_text = ("email;name;password;quota;active\n"
                f"ann@{domain};Ann;{PASSWORD};;1\n"
                f"bad address@{domain};X;{PASSWORD};;1\n"
                f"ann@{domain};Dup;{PASSWORD};;1\n"
                f"taken@{domain};T;{PASSWORD};;1\n"
                f"big@{domain};Big;{PASSWORD};999;1\n"
                f"short@{domain};S;a;;1\n"
                f"x@nowhere-{uuid.uuid4().hex[:6]}.test;N;{PASSWORD};;1\n")
    r = _upload(client, "mailboxes", csv_text)
    html = r.get_data(as_text=True)
    assert r.status_code == 200
    assert "1 rows can be imported, 6 rows have errors" in html
    assert "Row 3:" in html and "not a valid address" in html
    assert "Row 4:" in html and "more than once" in html
    assert "Row 5:" in html and "already exists in Mailcow" in html
    assert "Row 6:" in html and "maximum of 200 MiB" in html
    assert "Row 7:" in html and "shorter than" in html
    assert "Row 8:" in html and "does not exist or is not one of yours" in html
    assert _mailboxes(sandbox, domain) == {f"taken@{domain}"}


def test_missing_columns_is_a_file_error(client):
    r = _upload(client, "mailboxes", "name,quota\nAnn,10\n")
    assert r.status_code == 422
    assert "needs an “email” column" in r.get_data(as_text=True)
    r = _upload(client, "aliases", "address\nx@y.test\n")
    assert r.status_code == 422 and "goto" in r.get_data(as_text=True)


def test_real_import_creates_reports_failures_and_audits(client, app, sandbox, faults):
    domain = _domain(sandbox)
    csv_text = ("\ufefflocal_part,domain,name,password,quota,active\n"
                f"one,{domain},One,generate,,yes\n"
                f"two,{domain},Two,{PASSWORD},150,0\n")
    html = _upload(client, "mailboxes", csv_text).get_data(as_text=True)
    assert "2 rows can be imported" in html
    # Someone else takes "two" between the dry run and the import: Mailcow refuses it.
    mailcow_api(sandbox, "add", "mailbox", {"local_part": "two", "domain": domain,
                                            "name": "T", "quota": "100", "password": PASSWORD,
                                            "password2": PASSWORD, "active": "1"})
    job, body = _run(client, html)
    assert "2 / 2 done: 1 created, 1 failed." in body
    assert f"two@{domain}" in body.split('id="import-failed"')[1]
    assert f"one@{domain}" in _mailboxes(sandbox, domain)
    one = mailcow_api(sandbox, "get", f"mailbox/one@{domain}")
    assert one["quota"] in (100 * 1024 * 1024, str(100 * 1024 * 1024))
    download = client.get(f"/imports/{job}/passwords.csv")
    assert download.status_code == 200
    lines = download.get_data(as_text=True).splitlines()
    assert lines[0] == "email,password" and len(lines) == 2
    assert lines[1].startswith(f"one@{domain},") and len(lines[1].split(",")[1]) >= 16
    with app.app_context():
        actions = [(e.action, e.target, e.outcome, e.actor) for e in
                   db.session.query(AuditEvent).all()]
    assert ("mailbox.create", f"one@{domain}", "ok", "root") in actions
    assert ("mailbox.create", f"two@{domain}", "failed", "root") in actions
    assert any(a[0] == "import.mailboxes" for a in actions)


def test_alias_import(client, sandbox):
    domain = _domain(sandbox)
    html = _upload(client, "aliases",
                   f"address,goto\ninfo@{domain},\"a@example.org, b@example.org\"\n"
                   f"bad@{domain},not-an-address\n").get_data(as_text=True)
    assert "1 rows can be imported, 1 rows have errors" in html
    assert "Not a valid destination: not-an-address" in html
    _job, body = _run(client, html)
    assert "1 / 1 done: 1 created, 0 failed." in body
    assert _aliases(sandbox, domain) == {f"info@{domain}"}


@pytest.fixture
def scoped(app, sandbox):
    a, b = _domain(sandbox, "scopa"), _domain(sandbox, "scopb")
    with app.app_context():
        create_admin("importer", "correct-horse-battery", domains=[a],
                     permissions=list(PERMISSIONS))
    c = app.test_client()
    assert sign_in(c, "importer").status_code == 302
    return c, a, b


def test_domain_admin_cannot_import_into_another_domain(scoped, sandbox):
    c, a, b = scoped
    html = _upload(c, "mailboxes", f"email,password\nme@{a},{PASSWORD}\n"
                                   f"me@{b},{PASSWORD}\n").get_data(as_text=True)
    assert "Row 3:" in html and "does not exist or is not one of yours" in html
    _job, body = _run(c, html)
    assert "1 / 1 done: 1 created, 0 failed." in body
    assert _mailboxes(sandbox, a) == {f"me@{a}"}
    assert _mailboxes(sandbox, b) == set()
    html = _upload(c, "aliases", f"address,goto\nx@{b},me@{a}\n").get_data(as_text=True)
    assert "does not exist or is not one of yours" in html and JOB_RE.search(html) is None
    assert _aliases(sandbox, b) == set()


def test_another_users_job_is_404(scoped, client, sandbox):
    c, a, _b = scoped
    html = _upload(client, "mailboxes", f"email,password\nroot-made@{a},{PASSWORD}\n"
                   ).get_data(as_text=True)
    job = JOB_RE.search(html).group(1)
    token = csrf_token(c, "/mailboxes")
    for url in (f"/imports/{job}", f"/imports/{job}/progress", f"/imports/{job}/passwords.csv"):
        assert c.get(url).status_code == 404
    assert c.post(f"/imports/{job}/start", data={"csrf_token": token}).status_code == 404
    assert _mailboxes(sandbox, a) == set()


def test_progress_partial_polls_while_running(client, sandbox, app):
    from panel.services.import_jobs import registry

    domain = _domain(sandbox)
    html = _upload(client, "aliases", f"address,goto\nz@{domain},a@example.org\n"
                   ).get_data(as_text=True)
    job_id = JOB_RE.search(html).group(1)
    job = next(j for j in registry(app)._jobs.values() if j.id == job_id)
    job.state = "running"   # as if the worker were busy
    body = client.get(f"/imports/{job_id}/progress").get_data(as_text=True)
    assert 'hx-trigger="every 1s"' in body and "0 / 1 done" in body
    page = client.get(f"/imports/{job_id}").get_data(as_text=True)
    assert "<html" in page.lower() and 'id="import-progress"' in page
