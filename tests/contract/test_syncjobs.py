"""Sync jobs: recordings more/14 (add), 15 (get no_log), 97 (get with log), A4 (delete),
and the refusals of Mailcow's mailbox('add'|'edit', 'syncjob')."""
from __future__ import annotations

import sqlite3

import pytest

from .answers import log, timeless

# Recording 14's body, with the owner swapped for the test mailbox.
BODY = {"host1": "imap.remote.invalid", "port1": "993", "user1": "old@remote.invalid",
        "password1": "secretpw", "enc1": "SSL", "mins_interval": "20",
        "subfolder2": "/Imported", "maxage": "0", "maxbytespersecond": "0", "timeout1": "600",
        "timeout2": "600", "exclude": "(?i)spam|(?i)junk", "custom_params": "",
        "delete2duplicates": "1", "delete1": "0", "delete2": "0", "automap": "1",
        "skipcrossduplicates": "0", "subscribeall": "1", "active": "1"}


def job_object(job_id: int, owner: str, **changes) -> dict:
    """get/syncjobs as recording 15 shows it, keys in Mailcow's order."""
    item = {"id": job_id, "user2": owner, "host1": "imap.remote.invalid", "authmech1": "PLAIN",
            "regextrans2": "", "authmd51": 0, "domain2": "", "subfolder2": "/Imported",
            "user1": "old@remote.invalid", "exclude": "(?i)spam|(?i)junk", "maxage": 0,
            "mins_interval": 20, "maxbytespersecond": "0", "port1": 993, "enc1": "SSL",
            "delete2duplicates": 1, "delete1": 0, "delete2": 0, "automap": 1,
            "skipcrossduplicates": 0, "custom_params": "", "timeout1": 600, "timeout2": 600,
            "subscribeall": 1, "dry": 0, "is_running": 0, "last_run": None, "success": None,
            "exit_status": None, "created": "<time>", "modified": None, "active": 1,
            "log": ""}
    item.update(changes)
    return item


def jobs_of(api, owner: str, extra: str = "/no_log") -> list:
    found = api.get_json(f"get/syncjobs/{owner}{extra}")
    return found if isinstance(found, list) else []


@pytest.fixture
def owner(api, mailbox):
    yield mailbox
    ids = [str(j["id"]) for j in jobs_of(api, mailbox)]
    if ids:
        api.post("delete/syncjob", ids)


def test_add_get_delete_as_recorded(api, owner):
    body = {"username": owner, **BODY}
    # The log echoes the remote password: Mailcow masks `password`, not `password1`.
    assert api.post("add/syncjob", body).json() == [
        {"type": "success", "log": log("add", "syncjob", body),
         "msg": ["mailbox_modified", owner]}]
    jobs = jobs_of(api, owner)
    assert len(jobs) == 1
    job_id = jobs[0]["id"]
    assert timeless(jobs) == [job_object(job_id, owner)]
    assert "password1" not in jobs[0]
    everyone = [j for j in api.get_json("get/syncjobs/all/no_log") if j["user2"] == owner]
    assert timeless(everyone) == [job_object(job_id, owner)]
    # Without no_log the last run's output is there ("" before the first run: recording 97).
    assert timeless(jobs_of(api, owner, "")) == [job_object(job_id, owner)]
    assert api.post("delete/syncjob", [str(job_id)]).json() == [
        {"type": "success", "log": log("delete", "syncjob", {"id": [str(job_id)]}),
         "msg": ["deleted_syncjob", str(job_id)]}]
    assert api.get(f"get/syncjobs/{owner}/no_log").text == "{}"


def test_add_defaults_and_quiet_corrections(api, owner):
    body = {"username": owner, **BODY, "host1": "IMAP.Remote.Invalid", "maxage": "99999",
            "timeout1": "0", "timeout2": "abc", "maxbytespersecond": "-5", "subfolder2": "",
            "active": "0"}
    api.write("add/syncjob", body)
    (job,) = jobs_of(api, owner)
    # The host is lower-cased; out-of-range numbers fall back to Mailcow's defaults.
    assert job["host1"] == "imap.remote.invalid"
    assert (job["maxage"], job["timeout1"], job["timeout2"], job["maxbytespersecond"]) == \
        (0, 600, 600, "0")
    assert job["subfolder2"] == "" and job["active"] == 0


@pytest.mark.parametrize("changes, msg", [
    ({"port1": "0"}, "access_denied"),
    ({"port1": "70000"}, "access_denied"),
    ({"mins_interval": "0"}, "access_denied"),
    ({"mins_interval": "43801"}, "access_denied"),
    ({"enc1": "STARTTLS"}, "access_denied"),
    ({"exclude": "(unclosed"}, "access_denied"),
    ({"exclude": "a/b"}, "access_denied"),
    ({"custom_params": "--maxsize 100"}, "bad character SPACE"),
    ({"custom_params": "--dry --regexmess=s/a/b/"}, "bad option regexmess"),
])
def test_add_refusals(api, owner, changes, msg):
    body = {"username": owner, **BODY, **changes}
    assert api.post("add/syncjob", body).json() == [
        {"type": "danger", "log": log("add", "syncjob", body), "msg": msg}]
    assert jobs_of(api, owner) == []


def test_add_owner_and_duplicate_refusals(api, owner, domain):
    nobody = {**BODY, "username": f"nobody@{domain}"}
    assert api.post("add/syncjob", nobody).json()[0]["msg"] == "access_denied"
    unnamed = {**BODY, "username": "not-an-address"}
    assert api.post("add/syncjob", unnamed).json()[0]["msg"] == "no_user_defined"
    api.write("add/syncjob", {"username": owner, **BODY})
    again = {"username": owner, **BODY, "password1": "other"}
    assert api.post("add/syncjob", again).json() == [
        {"type": "danger", "log": log("add", "syncjob", again),
         "msg": ["object_exists", "imap.remote.invalid / old@remote.invalid"]}]
    # Allowed imapsync options pass, written with "=".
    api.write("add/syncjob", {"username": owner, **BODY, "user1": "second@remote.invalid",
                              "custom_params": "--maxsize=1000 --nofoldersizesatend"})
    assert len(jobs_of(api, owner)) == 2


def test_edit_keeps_password_and_unsent_values(api, owner, sandbox_only):
    api.write("add/syncjob", {"username": owner, **BODY})
    (job,) = jobs_of(api, owner)
    attr = {"mins_interval": "45", "password1": "", "active": "0", "exclude": ""}
    assert api.post("edit/syncjob", {"items": [str(job["id"])], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "syncjob", {"id": [str(job["id"])], **attr}),
         "msg": ["mailbox_modified", owner]}]
    (after,) = jobs_of(api, owner)
    assert (after["mins_interval"], after["active"], after["exclude"]) == (45, 0, "")
    assert after["host1"] == job["host1"] and after["subfolder2"] == "/Imported"
    # An empty password keeps the stored one (which no read returns).
    with sqlite3.connect(sandbox_only.app.db_path) as conn:
        stored = conn.execute("SELECT password1 FROM imapsync WHERE id = ?",
                              (job["id"],)).fetchone()
    assert stored == ("secretpw",)


def test_edit_refusals_and_unknown_ids(api, owner):
    api.write("add/syncjob", {"username": owner, **BODY})
    (job,) = jobs_of(api, owner)
    item = str(job["id"])
    cases = [({"port1": "99999"}, "access_denied"),
             ({"host1": "not a host"}, "access_denied"),  # edit checks the host name
             ({"enc1": "NONE"}, "access_denied"),
             ({"custom_params": "--pipemess=cat"}, "bad option pipemess")]
    for attr, msg in cases:
        answer = api.post("edit/syncjob", {"items": [item], "attr": attr}).json()
        assert [m["msg"] for m in answer] == [msg], attr
    answer = api.post("edit/syncjob", {"items": ["999999"], "attr": {"active": "1"}}).json()
    assert [m["msg"] for m in answer] == ["access_denied"]
    assert timeless(jobs_of(api, owner)) == [job_object(job["id"], owner)]


def test_reset_last_run_and_delete_unknown(api, owner):
    api.write("add/syncjob", {"username": owner, **BODY})
    (job,) = jobs_of(api, owner)
    api.write("edit/syncjob", {"items": [str(job["id"])], "attr": {"last_run": "",
                                                                   "success": ""}})
    assert jobs_of(api, owner)[0]["last_run"] is None
    answer = api.post("delete/syncjob", ["999999"]).json()
    assert [m["msg"] for m in answer] == ["access_denied"]
