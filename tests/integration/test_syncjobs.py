"""The Sync jobs area end to end: the Flask app against the sandbox Mailcow on loopback."""
import logging
import sqlite3

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import AuditEvent
from tests.conftest import (HTMX, csrf_token, field_error, form_data, new_domain, new_mailbox,
                            signed_in_as)
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def add_domain(sandbox):
    return new_domain(sandbox, "sync")


def add_mailbox(sandbox, domain, local="owner"):
    return new_mailbox(sandbox, domain, local)


def add_job(sandbox, owner, user="old@remote.test", host="imap.remote.test", **extra):
    body = {"username": owner, "host1": host, "port1": "993", "user1": user,
            "password1": "Remote-Secret-1", "enc1": "SSL", "mins_interval": "20",
            "subfolder2": "/Imported", "exclude": "(?i)spam", "delete2duplicates": "1",
            "active": "1", **extra}
    answer = api(sandbox, "add", "syncjob", body)
    assert answer[0]["type"] == "success", answer
    return next(j for j in jobs_of(sandbox, owner) if j["user1"] == user)


def jobs_of(sandbox, owner):
    found = api(sandbox, "get", f"syncjobs/{owner}/no_log")
    return found if isinstance(found, list) else []


def stored_password(sandbox, job_id):
    with sqlite3.connect(sandbox.db_path) as conn:
        return conn.execute("SELECT password1 FROM imapsync WHERE id = ?",
                            (job_id,)).fetchone()[0]


def form(client, path, **fields):
    return form_data(client, path, {
        "host": "imap.remote.test", "port": "993", "encryption": "SSL", "user": "old@remote.test",
        "password": "Remote-Secret-1", "interval": "20", "subfolder": "External",
        "exclude": "(?i)spam|(?i)junk", "max_age": "0", "max_bytes_per_second": "0",
        "timeout_remote": "600", "timeout_local": "600", "custom_params": "",
        "delete_duplicates": "y", "automap": "y", "subscribe_all": "y", "active": "y"}, fields)


@pytest.fixture
def owner(sandbox):
    return add_mailbox(sandbox, add_domain(sandbox))


# -- list and log ----------------------------------------------------------------------

def test_list_shows_columns_warning_and_demo_run_results(client, sandbox):
    html = client.get("/syncjobs").get_data(as_text=True)
    for header in ("ID", "Owner", "Server", "Last run", "Last run result", "Log", "Active",
                   "Status", "Action"):
        assert f">{header}" in html
    assert "stores the remote password of every sync job in plain text" in html
    # The seeded jobs: one succeeded, one was refused at login and switched off.
    assert "alice.smith@example.org" in html and "imap.oldhost.example:993" in html
    assert "Success" in html and "Completed" in html
    assert "Failed" in html and "Remote login failed (wrong user or password)" in html
    assert "Not run yet" in html and "Waiting" in html and "Stopped" in html


def test_search_domain_filter_sort_and_paging(client, sandbox):
    domain = add_domain(sandbox)
    owner = add_mailbox(sandbox, domain)
    for n in range(12):
        add_job(sandbox, owner, user=f"user{n:02d}@remote.test")
    html = client.get(f"/syncjobs?domain={domain}&per_page=10").get_data(as_text=True)
    assert "Showing 1 to 10 of 12" in html and f"domain={domain}" in html
    html = client.get(f"/syncjobs?domain={domain}&per_page=10&page=2").get_data(as_text=True)
    assert "Showing 11 to 12 of 12" in html
    html = client.get("/syncjobs?q=user07@remote", headers=HTMX).get_data(as_text=True)
    assert "<html" not in html and "user07@remote.test" in html and "user08" not in html
    html = client.get(f"/syncjobs?domain={domain}&sort=id&dir=desc").get_data(as_text=True)
    assert html.index("user11@remote.test") < html.index("user00@remote.test")
    assert "No sync job matches" in client.get("/syncjobs?q=nothing-like-it").get_data(
        as_text=True)


def test_log_shows_the_last_run_output(client, sandbox):
    job = next(j for j in api(sandbox, "get", "syncjobs/all/no_log")
               if j["user2"] == "frank.wilson@example.net")
    html = client.get(f"/syncjobs/{job['id']}/log").get_data(as_text=True)
    assert "Last run output" in html and 'class="run-log"' in html
    assert "Exiting with return value 161 (EXIT_AUTHENTICATION_FAILURE_USER1" in html
    assert "switched this job off" in html
    fresh = next(j for j in api(sandbox, "get", "syncjobs/all/no_log")
                 if j["user2"] == "carol.garcia@example.org")
    html = client.get(f"/syncjobs/{fresh['id']}/log").get_data(as_text=True)
    assert "has not run since it was added" in html


def test_unknown_job_is_404(client):
    for path in ("/syncjobs/999999/edit", "/syncjobs/999999/log", "/syncjobs/999999/delete"):
        assert client.get(path).status_code == 404


# -- add -------------------------------------------------------------------------------

def test_add_sends_every_option(client, sandbox, app, owner):
    data = form(client, "/syncjobs/new", owner=owner, host="IMAP.Remote.Test", port="143",
                encryption="TLS", interval="45", subfolder="Old mail", exclude="(?i)trash",
                max_age="30", max_bytes_per_second="500000", timeout_remote="300",
                timeout_local="900", custom_params="--nofoldersizes --maxsize=1000",
                delete_duplicates=None, delete_from_source="y", delete_on_destination="y",
                automap=None, skip_cross_duplicates="y", subscribe_all=None, dry_run="y",
                active=None)
    data["custom_params"] = "--nofoldersizesatend --maxsize=1000"
    response = client.post("/syncjobs/new", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    (job,) = jobs_of(sandbox, owner)
    assert (job["host1"], job["port1"], job["enc1"], job["user1"]) == \
        ("imap.remote.test", 143, "TLS", "old@remote.test")
    assert (job["mins_interval"], job["subfolder2"], job["exclude"], job["maxage"]) == \
        (45, "Old mail", "(?i)trash", 30)
    assert (job["maxbytespersecond"], job["timeout1"], job["timeout2"]) == ("500000", 300, 900)
    assert job["custom_params"] == "--nofoldersizesatend --maxsize=1000"
    assert (job["delete2duplicates"], job["delete1"], job["delete2"], job["automap"],
            job["skipcrossduplicates"], job["subscribeall"], job["active"]) == \
        (0, 1, 1, 0, 1, 0, 0)
    assert job["dry"] == 1
    assert stored_password(sandbox, job["id"]) == "Remote-Secret-1"
    assert "dry run" in client.get(f"/syncjobs?q={owner}").get_data(as_text=True)
    audit = event(app, "syncjob.create")
    assert audit.outcome == "ok" and audit.target == f"{owner} ← old@remote.test@imap.remote.test"
    assert audit.changes["new_remote_login_sent"] is True and "password" not in audit.changes


def test_add_over_htmx_answers_redirect_and_toast(client, sandbox, owner):
    response = client.post("/syncjobs/new", data=form(client, "/syncjobs/new", owner=owner),
                           headers=HTMX)
    assert response.status_code == 204
    assert response.headers["HX-Location"].startswith("/syncjobs?q=")
    assert "Sync job for" in response.headers["HX-Trigger"]


@pytest.mark.parametrize("fields, field, message", [
    ({"host": ""}, "host", "This field is required."),
    ({"host": "not a host!"}, "host", "Enter a host name"),
    ({"port": "0"}, "port", "between 1 and 65535"),
    ({"user": ""}, "user", "This field is required."),
    ({"password": ""}, "password", "Enter the password of the remote mailbox."),
    ({"interval": "43801"}, "interval", "between 1 and 43800"),
    ({"exclude": "(?i)spam|(junk"}, "exclude", "Not a valid regular expression"),
    ({"exclude": "Spam/Old"}, "exclude", "Escape a slash"),
    ({"max_age": "-1"}, "max_age", "between 0 and 32000"),
    ({"timeout_remote": "0"}, "timeout_remote", "between 1 and 32000"),
    ({"custom_params": "--maxsize 100"}, "custom_params", "without spaces"),
    ({"custom_params": "--regexmess=s/a/b/"}, "custom_params",
     "does not allow the imapsync option --regexmess"),
    ({"owner": "not-an-address"}, "owner", "full address of a mailbox"),
])
def test_add_form_errors_sit_beside_fields(client, sandbox, owner, fields, field, message):
    data = form(client, "/syncjobs/new", **{"owner": owner, **fields})
    response = client.post("/syncjobs/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in field_error(html, field)
    assert jobs_of(sandbox, owner) == []
    assert "Remote-Secret-1" not in html


def test_add_for_a_missing_mailbox_is_refused_beside_the_owner(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/syncjobs/new", data=form(client, "/syncjobs/new",
                                                      owner=f"ghost@{domain}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f"There is no mailbox ghost@{domain}" in html


def test_mailcow_refusal_shows_as_banner(client, sandbox, app, owner):
    add_job(sandbox, owner)
    response = client.post("/syncjobs/new", data=form(client, "/syncjobs/new", owner=owner))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow refused the change." in html
    assert "imap.remote.test / old@remote.test already exists" in html
    assert len(jobs_of(sandbox, owner)) == 1
    assert event(app, "syncjob.create").outcome == "failed"


def test_mailcow_timeout_and_error_show_a_banner(client, sandbox, faults, owner):
    data = form(client, "/syncjobs/new", owner=owner)
    faults.inject_fault("delay", path_prefix="/api/v1/add/syncjob", seconds=3, count=1)
    response = client.post("/syncjobs/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and "Mailcow is not answering" in html
    assert "Traceback" not in html and "Remote-Secret-1" not in html
    faults.inject_fault("http500", path_prefix="/api/v1/get/syncjobs", count=1)
    response = client.get("/syncjobs")
    assert response.status_code == 502 and "server error" in response.get_data(as_text=True)


# -- edit and delete -------------------------------------------------------------------

def test_edit_prefills_keeps_the_password_when_left_blank(client, sandbox, app, owner):
    job = add_job(sandbox, owner)
    html = client.get(f"/syncjobs/{job['id']}/edit").get_data(as_text=True)
    assert 'value="imap.remote.test"' in html and 'value="old@remote.test"' in html
    assert "Remote-Secret-1" not in html and "Leave empty to keep the saved password" in html
    data = form(client, f"/syncjobs/{job['id']}/edit", password="", interval="90",
                active=None)
    response = client.post(f"/syncjobs/{job['id']}/edit", data=data)
    assert response.status_code == 303
    (now,) = jobs_of(sandbox, owner)
    assert now["mins_interval"] == 90 and now["active"] == 0
    assert stored_password(sandbox, job["id"]) == "Remote-Secret-1"
    audit = event(app, "syncjob.update")
    assert audit.changes["interval"] == [20, 90] and "new_remote_login_sent" not in audit.changes
    # A new password replaces the old one.
    data = form(client, f"/syncjobs/{job['id']}/edit", password="Another-Secret-2")
    assert client.post(f"/syncjobs/{job['id']}/edit", data=data).status_code == 303
    assert stored_password(sandbox, job["id"]) == "Another-Secret-2"
    assert event(app, "syncjob.update").changes["new_remote_login_sent"] == [False, True]


def test_edit_form_error_changes_nothing(client, sandbox, owner):
    job = add_job(sandbox, owner)
    data = form(client, f"/syncjobs/{job['id']}/edit", port="99999", password="")
    response = client.post(f"/syncjobs/{job['id']}/edit", data=data)
    assert response.status_code == 422 and 'id="port-error"' in response.get_data(as_text=True)
    assert jobs_of(sandbox, owner) == [job]


def test_delete_asks_first_then_deletes(client, sandbox, app, owner):
    job = add_job(sandbox, owner)
    html = client.get(f"/syncjobs/{job['id']}/delete").get_data(as_text=True)
    assert "saved remote password" in html and "This cannot be undone." in html
    assert jobs_of(sandbox, owner) == [job]
    token = csrf_token(client, f"/syncjobs/{job['id']}/delete")
    response = client.post(f"/syncjobs/{job['id']}/delete", data={"csrf_token": token})
    assert response.status_code == 303 and jobs_of(sandbox, owner) == []
    assert event(app, "syncjob.delete").outcome == "ok"


def test_bulk_actions_one_call_each(client, sandbox, owner, count_writes):
    ids = [add_job(sandbox, owner, user=f"u{n}@remote.test")["id"] for n in range(3)]
    token = csrf_token(client, "/syncjobs")
    response = client.post("/syncjobs/bulk", data={"csrf_token": token, "action": "deactivate",
                                                   "ids": ids})
    assert response.status_code == 303
    assert all(j["active"] == 0 for j in jobs_of(sandbox, owner))
    api(sandbox, "edit", "syncjob", {"items": [str(ids[0])],
                                     "attr": {"last_run": "", "success": ""}})
    response = client.post("/syncjobs/bulk", data={"csrf_token": token, "action": "run",
                                                   "ids": ids[:2]})
    assert response.status_code == 303
    html = client.post("/syncjobs/bulk", data={"csrf_token": token, "action": "delete",
                                               "ids": ids}).get_data(as_text=True)
    assert "Delete 3 sync jobs?" in html and len(jobs_of(sandbox, owner)) == 3
    response = client.post("/syncjobs/bulk", data={"csrf_token": token, "action": "delete",
                                                   "ids": ids, "confirm": "1"})
    assert response.status_code == 303 and jobs_of(sandbox, owner) == []
    assert [(v, p) for v, p, _ in count_writes] == [("edit", "syncjob"), ("edit", "syncjob"),
                                                   ("delete", "syncjob")]
    response = client.post("/syncjobs/bulk", data={"csrf_token": token, "action": "delete"})
    assert response.status_code == 303


# -- secrets ---------------------------------------------------------------------------

def test_the_remote_password_never_leaves_mailcow(client, sandbox, app, owner, caplog):
    """After saving, the password is in no page, no audit record and no log line."""
    caplog.set_level(logging.DEBUG)
    secret, newer = "Pw-Sync-7f3a9c1e", "Pw-Sync-b2d48e60"
    data = form(client, "/syncjobs/new", owner=owner, password=secret)
    pages = [client.post("/syncjobs/new", data=data, follow_redirects=True)]
    (job,) = jobs_of(sandbox, owner)
    edit_data = form(client, f"/syncjobs/{job['id']}/edit", password=newer)
    pages.append(client.post(f"/syncjobs/{job['id']}/edit", data=edit_data,
                             follow_redirects=True))
    # A refused edit re-renders the form: the typed password is not echoed back either.
    bad = form(client, f"/syncjobs/{job['id']}/edit", password=secret, port="0")
    pages.append(client.post(f"/syncjobs/{job['id']}/edit", data=bad))
    refused = form(client, "/syncjobs/new", owner=owner, password=secret)
    pages.append(client.post("/syncjobs/new", data=refused))  # duplicate: Mailcow refuses
    for path in ("/syncjobs", f"/syncjobs?q={owner}", f"/syncjobs/{job['id']}/edit",
                 f"/syncjobs/{job['id']}/log", f"/syncjobs/{job['id']}/delete",
                 "/syncjobs/new", "/audit", "/audit?action=syncjob.create"):
        pages.append(client.get(path))
        pages.append(client.get(path, headers=HTMX))
    assert stored_password(sandbox, job["id"]) == newer  # it did reach Mailcow
    for page in pages:
        body = page.get_data(as_text=True)
        assert secret not in body and newer not in body
    with app.app_context():
        events = db.session.scalars(select(AuditEvent)).all()
        assert any(e.action == "syncjob.create" for e in events)
        for e in events:
            text = f"{e.target} {e.changes} {e.detail}"
            assert secret not in text and newer not in text
    for record in caplog.records:
        line = record.getMessage() + str(record.args or "")
        assert secret not in line and newer not in line


# -- scope -----------------------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine = add_job(sandbox, add_mailbox(sandbox, a))
    theirs = add_job(sandbox, add_mailbox(sandbox, b))
    return signed_in_as(app, "da-sync", [a], ["syncjobs"]), a, b, mine, theirs


def test_domain_admin_sees_only_their_jobs(scoped):
    c, a, b, mine, theirs = scoped
    html = c.get("/syncjobs").get_data(as_text=True)
    assert f"owner@{a}" in html and b not in html
    assert "alice.smith@example.org" not in html
    assert c.get(f"/syncjobs?domain={b}").status_code == 404


def test_domain_admin_gets_404_on_b_and_b_is_unchanged(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    token = csrf_token(c, "/syncjobs")
    for path in ("edit", "log", "delete"):
        assert c.get(f"/syncjobs/{theirs['id']}/{path}").status_code == 404
    assert c.post(f"/syncjobs/{theirs['id']}/delete", data={"csrf_token": token}).status_code \
        == 404
    data = form(c, "/syncjobs/new", password="")
    data["csrf_token"] = token
    assert c.post(f"/syncjobs/{theirs['id']}/edit", data=data).status_code == 404
    assert c.post("/syncjobs/new", data=form(c, "/syncjobs/new",
                                             owner=f"owner@{b}")).status_code == 404
    assert c.get(f"/syncjobs/new?owner=owner@{b}").status_code == 404
    response = c.post("/syncjobs/bulk", data={"csrf_token": token, "action": "delete",
                                              "ids": [mine["id"], theirs["id"]], "confirm": "1"})
    assert response.status_code == 404
    assert jobs_of(sandbox, f"owner@{b}") == [theirs]
    assert jobs_of(sandbox, f"owner@{a}") == [mine]


def test_domain_admin_works_in_their_domain(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    response = c.post("/syncjobs/new", data=form(c, "/syncjobs/new", owner=f"owner@{a}",
                                                 user="second@remote.test"))
    assert response.status_code == 303
    assert len(jobs_of(sandbox, f"owner@{a}")) == 2


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    c = signed_in_as(app, "da-nosync", [add_domain(sandbox)], ["aliases"])
    assert c.get("/syncjobs").status_code == 404
    assert c.get("/syncjobs/new").status_code == 404
