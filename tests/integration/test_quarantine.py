"""The Quarantine area end to end: the Flask app against the sandbox Mailcow on loopback."""
from contextlib import contextmanager

import pytest

from panel.mailcow.sandbox.areas import quarantine as sandbox_quarantine
from panel.mailcow.sandbox.store import opened, transaction
from tests.conftest import (HTMX, OUTAGES, assert_outage_banner, csrf_token, new_domain,
                            new_mailbox, signed_in_as)
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api

VIRUS = [{"name": "CLAM_VIRUS", "score": 20.0, "description": "ClamAV found a virus",
          "options": ["Eicar-Test-Signature"]}, {"name": "VIRUS_FOUND", "score": 0.0}]


def add_domain(sandbox):
    name = new_domain(sandbox, "q")
    new_mailbox(sandbox, name, "anna", quota="100", name="Anna")
    return name


def hold(sandbox, rcpt, subject="Cheap pills", score=14.5, symbols=None, attachments=(),
         sender="spam@bad.test", action="reject"):
    with opened(sandbox.db_path) as conn, transaction(conn):
        return sandbox_quarantine.quarantine_mail(conn, rcpt, sender, subject, score, action,
                                                  symbols, body="Buy now, pay later.\n",
                                                  attachments=attachments)


def item(sandbox, item_id):
    return api(sandbox, "get", f"quarantine/{item_id}")


@contextmanager
def service_down(sandbox, name):
    with opened(sandbox.db_path) as conn, transaction(conn):
        sandbox_quarantine.set_service(conn, name, False)
    try:
        yield
    finally:
        with opened(sandbox.db_path) as conn, transaction(conn):
            sandbox_quarantine.set_service(conn, name, True)


@pytest.fixture
def mailbox(sandbox):
    return "anna@" + add_domain(sandbox)


# -- list and preview ------------------------------------------------------------------

def test_list_shows_every_column_and_the_danger_flag(client, sandbox, mailbox):
    clean = hold(sandbox, mailbox, "Weekly deals", 9.3, action="add_header")
    infected = hold(sandbox, mailbox, "Invoice", 25.0, VIRUS, ("invoice.exe",))
    html = client.get(f"/quarantine?q={mailbox}").get_data(as_text=True)
    for text in ("Weekly deals", "Invoice", "9.3", "25.0", "add_header", "reject",
                 "spam@bad.test", mailbox, "Virus", "Rspamd result", "Notified", "Received"):
        assert text in html
    assert f'id="qitem-{clean}"' in html and f'id="qitem-{infected}"' in html
    row = html[html.index(f'id="qitem-{infected}"'):]
    assert "badge bad" in row[:row.index("</tr>")]
    html = client.get(f"/quarantine?q={mailbox}&only=virus").get_data(as_text=True)
    assert f'id="qitem-{infected}"' in html and f'id="qitem-{clean}"' not in html


def test_search_domain_filter_and_paging(client, sandbox, mailbox):
    domain = mailbox.split("@")[1]
    ids = [hold(sandbox, mailbox, f"Batch {n:02d}") for n in range(12)]
    other = "anna@" + add_domain(sandbox)
    foreign = hold(sandbox, other, "Elsewhere")
    response = client.get(f"/quarantine?domain={domain}&per_page=10&sort=id", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "Showing 1 to 10 of 12" in html and f'id="qitem-{foreign}"' not in html
    html = client.get(f"/quarantine?domain={domain}&per_page=10&sort=id&page=2") \
        .get_data(as_text=True)
    assert f'id="qitem-{ids[-1]}"' in html and f'id="qitem-{ids[0]}"' not in html
    html = client.get("/quarantine?q=Batch 07").get_data(as_text=True)
    assert f'id="qitem-{ids[7]}"' in html and f'id="qitem-{ids[6]}"' not in html
    assert "No held message matches" in client.get("/quarantine?q=zzznothing") \
        .get_data(as_text=True)


def test_preview_shows_headers_text_attachments_and_symbols(client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox, "Invoice", 25.0, VIRUS, ("invoice.exe",))
    response = client.get(f"/quarantine/{item_id}")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    for text in ("Subject", "Message-ID", "Buy now, pay later.", "invoice.exe",
                 "application/octet-stream", "CLAM_VIRUS", "20.00", "Eicar-Test-Signature",
                 "192.0.2.55", "Rspamd found a virus", "Release to inbox", "Learn as ham",
                 "Learn as spam and delete"):
        assert text in html, text


def test_unknown_item_is_404(client):
    assert client.get("/quarantine/987654").status_code == 404
    token = csrf_token(client, "/quarantine")
    assert client.post("/quarantine/987654/act", data={"csrf_token": token,
                                                        "action": "release"}).status_code == 404


# -- actions ---------------------------------------------------------------------------

def test_release_delivers_and_audits(app, client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox, "Please release me")
    token = csrf_token(client, f"/quarantine/{item_id}")
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "release"}, headers=HTMX)
    assert response.status_code == 204 and "released" in response.headers["HX-Trigger"]
    assert item(sandbox, item_id) == {}
    recorded = event(app, "quarantine.release", str(item_id))
    assert recorded.outcome == "ok" and recorded.domain == mailbox.split("@")[1]
    assert "Item %s released" % item_id in recorded.detail


def test_release_refused_when_postfix_is_down_keeps_the_item(app, client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox)
    token = csrf_token(client, f"/quarantine/{item_id}")
    with service_down(sandbox, "postfix"):
        response = client.post(f"/quarantine/{item_id}/act",
                               data={"csrf_token": token, "action": "release"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow cannot connect to Postfix to release the message" in html
    assert item(sandbox, item_id)["id"] == item_id
    assert event(app, "quarantine.release", str(item_id)).outcome == "failed"


def test_learn_spam_asks_first_then_learns_and_deletes(client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox, "Learn me")
    token = csrf_token(client, f"/quarantine/{item_id}")
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "learnspam"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "Learn 1 message as spam and delete it?" in html
    assert "This cannot be undone." in html and item(sandbox, item_id)["id"] == item_id
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "learnspam", "confirm": "1"})
    assert response.status_code == 303 and item(sandbox, item_id) == {}


def test_learn_ham_keeps_the_item_and_rspamd_errors_are_readable(client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox)
    token = csrf_token(client, f"/quarantine/{item_id}")
    with service_down(sandbox, "rspamd"):
        response = client.post(f"/quarantine/{item_id}/act",
                               data={"csrf_token": token, "action": "learnham"})
        assert response.status_code == 422
        assert "Rspamd could not learn the message as ham: Curl: Couldn&#39;t connect" in \
            response.get_data(as_text=True)
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "learnham"})
    assert response.status_code == 303
    assert item(sandbox, item_id)["id"] == item_id  # learning as ham does not release


def test_delete_confirms_naming_the_message(client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox, "Delete me please")
    response = client.get(f"/quarantine/{item_id}/act?action=delete")
    html = response.get_data(as_text=True)
    assert "Delete 1 quarantined message?" in html and "Delete me please" in html
    token = csrf_token(client, f"/quarantine/{item_id}")
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "delete", "confirm": "1"})
    assert response.status_code == 303 and item(sandbox, item_id) == {}


def test_unknown_action_is_404(client, sandbox, mailbox):
    item_id = hold(sandbox, mailbox)
    token = csrf_token(client, f"/quarantine/{item_id}")
    assert client.post(f"/quarantine/{item_id}/act",
                       data={"csrf_token": token, "action": "forward"}).status_code == 404


# -- bulk ------------------------------------------------------------------------------

def test_bulk_release_confirms_with_the_count(client, sandbox, mailbox):
    ids = [hold(sandbox, mailbox, f"Bulk {n}") for n in range(3)]
    token = csrf_token(client, "/quarantine")
    data = {"csrf_token": token, "action": "release", "ids": [str(i) for i in ids]}
    html = client.post("/quarantine/bulk", data=data).get_data(as_text=True)
    assert "Release 3 messages to their inboxes?" in html
    assert all(item(sandbox, i)["id"] == i for i in ids)
    response = client.post("/quarantine/bulk", data={**data, "confirm": "1"})
    assert response.status_code == 303
    assert all(item(sandbox, i) == {} for i in ids)
    assert "3 messages released" in client.get("/quarantine").get_data(as_text=True)


def test_bulk_lists_the_items_that_failed(client, sandbox, mailbox):
    good = hold(sandbox, mailbox, "Fine one")
    # The recipient's mailbox is gone: Mailcow refuses to release to it.
    orphan = hold(sandbox, "ghost@" + mailbox.split("@")[1], "Orphaned one")
    token = csrf_token(client, "/quarantine")
    response = client.post("/quarantine/bulk", data={
        "csrf_token": token, "action": "release", "ids": [str(good), str(orphan)],
        "confirm": "1"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Not every message was handled" in html
    failed = html[html.index("quarantine-failed"):]
    assert "Orphaned one" in failed[:failed.index("</ul>")]
    assert "Access denied" in failed[:failed.index("</ul>")]
    assert item(sandbox, good) == {} and item(sandbox, orphan)["id"] == orphan


def test_bulk_without_selection_warns(client):
    token = csrf_token(client, "/quarantine")
    response = client.post("/quarantine/bulk", data={"csrf_token": token, "action": "delete"})
    assert response.status_code == 303
    assert "Select at least one message" in client.get("/quarantine").get_data(as_text=True)


# -- Mailcow failing -------------------------------------------------------------------

@pytest.mark.parametrize("kind, seconds, expected", OUTAGES)
def test_backend_failure_is_a_banner(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, seconds=seconds)
    assert_outage_banner(client, "/quarantine", expected)


def test_action_during_outage_changes_nothing(app, client, sandbox, faults, mailbox):
    item_id = hold(sandbox, mailbox)
    token = csrf_token(client, f"/quarantine/{item_id}")
    faults.inject_fault("http500", path_prefix="/api/v1/edit/")
    response = client.post(f"/quarantine/{item_id}/act",
                           data={"csrf_token": token, "action": "release"})
    assert response.status_code == 502 and "Mailcow is not answering" in \
        response.get_data(as_text=True)
    faults.clear_faults()
    assert item(sandbox, item_id)["id"] == item_id
    assert event(app, "quarantine.release", str(item_id)).outcome == "failed"


# -- settings --------------------------------------------------------------------------

def stored(sandbox):
    with opened(sandbox.db_path) as conn:
        return sandbox_quarantine.stored_settings(conn)


def settings_form(client, **fields):
    data = {"csrf_token": csrf_token(client, "/quarantine/settings"), "retention_size": "20",
            "max_size": "15", "max_score": "", "max_age": "30", "release_format": "raw",
            "sender": "quarantine@example.org", "subject": "Held mail", "bcc": "",
            "redirect": "", "html_tmpl": ""}
    data.update(fields)
    return data


def test_settings_save_to_mailcow_and_show_what_was_saved(app, client, sandbox):
    html = client.get("/quarantine/settings").get_data(as_text=True)
    assert "not what Mailcow uses now" in html
    response = client.post("/quarantine/settings", data=settings_form(
        client, max_score="12.5", release_format="attachment",
        exclude_domains=["example.net"]))
    assert response.status_code == 303
    keys = stored(sandbox)
    assert keys["Q_RETENTION_SIZE"] == "20" and keys["Q_MAX_SIZE"] == "15"
    assert keys["Q_MAX_SCORE"] == "12.5" and keys["Q_MAX_AGE"] == "30"
    assert keys["Q_RELEASE_FORMAT"] == "attachment" and keys["Q_SENDER"] == \
        "quarantine@example.org"
    assert keys["Q_EXCLUDE_DOMAINS"] == '["example.net"]'
    html = client.get("/quarantine/settings").get_data(as_text=True)
    assert "values last saved from MailApp" in html and 'value="12.5"' in html
    assert event(app, "quarantine.settings", "quarantine").outcome == "ok"
    # Back to the release format the other tests' releases expect.
    client.post("/quarantine/settings", data=settings_form(client))


def test_bad_settings_are_refused_beside_the_field(client, sandbox):
    before = stored(sandbox)
    response = client.post("/quarantine/settings", data=settings_form(
        client, retention_size="-1", max_size="abc", sender="not-an-address",
        max_score="-3"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in html
    assert html.count('class="field-error"') >= 4
    assert "Enter a valid email address" in html
    assert stored(sandbox) == before


def test_disabled_quarantine_is_announced_with_a_link(client, sandbox):
    client.post("/quarantine/settings", data=settings_form(client, retention_size="0"))
    html = client.get("/quarantine").get_data(as_text=True)
    assert "Quarantine is switched off." in html
    notice = html[html.index("quarantine-disabled"):]
    assert 'href="/quarantine/settings"' in notice[:notice.index("</p>")]
    client.post("/quarantine/settings", data=settings_form(client))
    assert "Quarantine is switched off." not in client.get("/quarantine").get_data(as_text=True)


def test_settings_refused_by_a_read_only_key(read_only_client, sandbox):
    c = read_only_client
    before = stored(sandbox)
    response = c.post("/quarantine/settings", data=settings_form(c, retention_size="3"))
    assert response.status_code == 502 and "read-only" in response.get_data(as_text=True)
    assert stored(sandbox) == before


# -- scope -----------------------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine, theirs = hold(sandbox, f"anna@{a}", "For A"), hold(sandbox, f"anna@{b}", "For B")
    return signed_in_as(app, "da-q", [a], ["quarantine"]), a, b, mine, theirs


def test_domain_admin_sees_only_their_domains(scoped):
    c, a, b, mine, theirs = scoped
    html = c.get("/quarantine").get_data(as_text=True)
    assert f'id="qitem-{mine}"' in html and f'id="qitem-{theirs}"' not in html and b not in html
    assert "Quarantine settings" not in html
    assert c.get(f"/quarantine?domain={b}").status_code == 404
    assert c.get(f"/quarantine/{mine}").status_code == 200


def test_domain_admin_gets_404_on_b_and_b_is_unchanged(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    before = item(sandbox, theirs)
    token = csrf_token(c, "/quarantine")
    assert c.get(f"/quarantine/{theirs}").status_code == 404
    assert c.get(f"/quarantine/{theirs}/act?action=delete").status_code == 404
    for action in ("release", "learnham", "learnspam", "delete"):
        assert c.post(f"/quarantine/{theirs}/act", data={
            "csrf_token": token, "action": action, "confirm": "1"}).status_code == 404
        assert c.post("/quarantine/bulk", data={
            "csrf_token": token, "action": action, "ids": [str(mine), str(theirs)],
            "confirm": "1"}).status_code == 404
    assert c.get("/quarantine/settings").status_code == 404
    assert c.post("/quarantine/settings", data={"csrf_token": token, "retention_size": "0",
                                                "max_size": "0"}).status_code == 404
    assert item(sandbox, theirs) == before and item(sandbox, mine)["id"] == mine


def test_domain_admin_sees_mail_for_their_alias_domains_only(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    for target in (a, b):
        api(sandbox, "add", "alias-domain", {"alias_domain": f"alias-{target}",
                                             "target_domain": target, "active": "1"})
    ours = hold(sandbox, f"anna@alias-{a}", "Via our alias domain")
    other = hold(sandbox, f"anna@alias-{b}", "Via their alias domain")
    html = c.get("/quarantine").get_data(as_text=True)
    assert f'id="qitem-{ours}"' in html and f'id="qitem-{other}"' not in html
    assert c.get(f"/quarantine/{ours}").status_code == 200
    assert c.get(f"/quarantine/{other}").status_code == 404
    # The domain filter covers the domain's alias domains too.
    html = c.get(f"/quarantine?domain={a}").get_data(as_text=True)
    assert f'id="qitem-{ours}"' in html and f'id="qitem-{mine}"' in html
    assert f'id="qitem-{other}"' not in html


def test_domain_admin_releases_in_their_domain(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    token = csrf_token(c, "/quarantine")
    response = c.post(f"/quarantine/{mine}/act", data={"csrf_token": token,
                                                        "action": "release"})
    assert response.status_code == 303 and item(sandbox, mine) == {}


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    a = add_domain(sandbox)
    mine = hold(sandbox, f"anna@{a}")
    c = signed_in_as(app, "da-noq", [a], ["aliases"])
    assert c.get("/quarantine").status_code == 404
    assert c.get(f"/quarantine/{mine}").status_code == 404
