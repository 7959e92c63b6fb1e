"""The Mailboxes area end to end: the Flask app against the sandbox Mailcow on loopback."""
import csv
import io
import uuid

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import AuditEvent
from panel.permissions import PERMISSIONS
from panel.services.admins import create_admin
from tests.conftest import csrf_token, sign_in
from tests.conftest import mailcow_api as api

HTMX = {"HX-Request": "true"}
PASSWORD = "S3cret-Pass1"


def unique(prefix="mb"):
    return f"{prefix}{uuid.uuid4().hex[:8]}.test"


def add_domain(sandbox, name=None, **attrs):
    name = name or unique()
    body = {"domain": name, "active": "1", "mailboxes": "10", "aliases": "10",
            "defquota": "512", "maxquota": "2048", "quota": "10240", **attrs}
    answer = api(sandbox, "add", "domain", body)
    assert not any(m["type"] == "danger" for m in answer), answer
    return name


def add_mailbox(sandbox, domain, local="user", name="User", **attrs):
    answer = api(sandbox, "add", "mailbox", {
        "local_part": local, "domain": domain, "name": name, "quota": "100",
        "password": PASSWORD, "password2": PASSWORD, "active": "1", **attrs})
    assert not any(m["type"] == "danger" for m in answer), answer
    return f"{local}@{domain}"


def get_mailbox(sandbox, username):
    return api(sandbox, "get", f"mailbox/{username}")


def add_form(client, domain, **fields):
    data = {"csrf_token": csrf_token(client, f"/mailboxes/new?domain={domain}"),
            "local_part": "jane", "domain": domain, "name": "Jane Doe", "password": PASSWORD,
            "password2": PASSWORD, "quota_mib": "256", "active_state": "1",
            "imap_access": "y", "pop3_access": "y", "smtp_access": "y", "sieve_access": "y",
            "sogo_access": "y", "eas_access": "y", "dav_access": "y",
            "rate_limit_value": "0", "rate_limit_frame": "s", "tags": "",
            "quarantine_notification": "hourly", "quarantine_category": "reject"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def edit_form(client, username, **fields):
    page = f"/mailboxes/{username}/edit"
    data = {"csrf_token": csrf_token(client, page), "name": "Edited", "quota_mib": "100",
            "active_state": "1", "imap_access": "y", "pop3_access": "y", "smtp_access": "y",
            "sieve_access": "y", "sogo_access": "y", "eas_access": "y", "dav_access": "y",
            "rate_limit_value": "0", "rate_limit_frame": "s", "tags": "", "sender_acl": "",
            "quarantine_notification": "hourly", "quarantine_category": "reject"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def events(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


# -- list ------------------------------------------------------------------------------

def test_list_shows_columns_and_filters_by_domain(client, sandbox):
    one, two = add_domain(sandbox), add_domain(sandbox)
    a = add_mailbox(sandbox, one, "anna", "Anna Listed", tags=["vip"])
    b = add_mailbox(sandbox, two, "bert")
    html = client.get(f"/mailboxes?domain={one}").get_data(as_text=True)
    assert a in html and b not in html
    assert "Anna Listed" in html and "vip" in html and "100 MiB" in html
    assert f'<option value="{one}" selected' in html  # the domain filter keeps its state
    full = client.get(f"/mailboxes?q={b}").get_data(as_text=True)
    assert b in full and a not in full


def test_htmx_gets_only_the_table_and_links_keep_the_domain(client, sandbox):
    one = add_domain(sandbox)
    for i in range(3):
        add_mailbox(sandbox, one, f"p{i}")
    response = client.get(f"/mailboxes?domain={one}&per_page=10&sort=name", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert f"p0@{one}" in html and f"domain={one}" in html
    assert "Showing 1 to 3 of 3" in html


def test_unknown_domain_filter_is_404_for_a_domain_admin(app, sandbox):
    mine, other = add_domain(sandbox), add_domain(sandbox)
    theirs = add_mailbox(sandbox, other, "hidden")
    add_mailbox(sandbox, mine, "shown")
    with app.app_context():
        create_admin("da-list", "correct-horse-battery", domains=[mine],
                     permissions=list(PERMISSIONS))
    c = app.test_client()
    assert sign_in(c, "da-list").status_code == 302
    html = c.get("/mailboxes").get_data(as_text=True)
    assert f"shown@{mine}" in html and theirs not in html and other not in html
    assert c.get(f"/mailboxes?domain={other}").status_code == 404
    assert c.get(f"/mailboxes/{theirs}").status_code == 404
    assert c.get(f"/mailboxes/export.csv?domain={other}").status_code == 404
    token = csrf_token(c, "/mailboxes")
    response = c.post("/mailboxes/bulk", data={"csrf_token": token, "action": "deactivate",
                                               "selected": [theirs]})
    assert response.status_code == 404
    assert get_mailbox(sandbox, theirs)["active"] == 1


# -- add -------------------------------------------------------------------------------

def test_add_creates_the_mailbox_and_audits_without_password(app, client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/mailboxes/new", data=add_form(
        client, domain, tags="team, ops", active_state="2", smtp_access=None,
        tls_enforce_in="y", quarantine_notification="daily"))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/mailboxes/jane@{domain}?added=1")
    m = get_mailbox(sandbox, f"jane@{domain}")
    assert m["name"] == "Jane Doe" and m["quota"] == 256 * 1024 * 1024
    assert m["active"] == 2 and sorted(m["tags"]) == ["ops", "team"]
    assert m["attributes"]["smtp_access"] == "0" and m["attributes"]["imap_access"] == "1"
    assert m["attributes"]["tls_enforce_in"] == "1"
    assert m["attributes"]["quarantine_notification"] == "daily"
    event = events(app, "mailbox.create")[-1]
    assert event.target == f"jane@{domain}" and PASSWORD not in str(event.changes)
    assert not any("password" in k for k in event.changes)


def test_add_field_errors_answer_422_and_create_nothing(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/mailboxes/new", data=add_form(
        client, domain, local_part="bo b!", password2="other", quota_mib="4096"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "field-error" in html and "The two passwords differ." in html
    assert "At most 2048 MiB" in html
    assert get_mailbox(sandbox, f"bo b!@{domain}") == {}


def test_add_enforces_the_password_policy(client, sandbox):
    domain = add_domain(sandbox)
    response = client.post("/mailboxes/new", data=add_form(client, domain, password="abc",
                                                           password2="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "At least 6 characters" in html
    assert 'minlength="6"' in client.get(f"/mailboxes/new?domain={domain}").get_data(
        as_text=True)
    assert get_mailbox(sandbox, f"jane@{domain}") == {}


def test_mailcow_refusal_is_a_banner(client, sandbox):
    domain = add_domain(sandbox)
    add_mailbox(sandbox, domain, "jane")
    response = client.post("/mailboxes/new", data=add_form(client, domain))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow refused the change." in html


# -- detail, edit, password, active, delete ---------------------------------------------

def test_detail_shows_settings_aliases_and_client_settings(client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "dora")
    api(sandbox, "add", "alias", {"address": f"info@{domain}", "goto": username, "active": "1"})
    html = client.get(f"/mailboxes/{username}").get_data(as_text=True)
    assert f"info@{domain}" in html
    assert "mail.sandbox.test" in html and "993" in html and "587" in html
    assert "https://mail.sandbox.test/SOGo/" in html


def test_edit_saves_settings_tags_senders_and_rate_limit(app, client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "ed", tags=["old"])
    api(sandbox, "add", "alias", {"address": f"sales@{domain}", "goto": f"x@{domain}",
                                  "active": "1"})
    response = client.post(f"/mailboxes/{username}/edit", data=edit_form(
        client, username, quota_mib="300", tags="new", pop3_access=None,
        sender_acl=f"sales@{domain}\n@{domain}", rate_limit_value="20", rate_limit_frame="h"))
    assert response.status_code == 303, response.get_data(as_text=True)
    m = get_mailbox(sandbox, username)
    assert m["name"] == "Edited" and m["quota"] == 300 * 1024 * 1024
    assert m["tags"] == ["new"] and m["attributes"]["pop3_access"] == "0"
    assert sorted(m["sender_acl"]) == sorted([f"sales@{domain}", f"@{domain}"])
    assert m["rl"] == {"value": "20", "frame": "h"}
    changes = events(app, "mailbox.update")[-1].changes
    assert changes["quota_mib"] == [100, 300]


def test_edit_sets_tls_policy_and_quarantine_through_their_own_routes(app, client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "tls")
    html = client.get(f"/mailboxes/{username}/edit").get_data(as_text=True)
    assert 'name="tls_enforce_in"' in html and 'name="quarantine_category"' in html
    response = client.post(f"/mailboxes/{username}/edit", data=edit_form(
        client, username, tls_enforce_in="y", tls_enforce_out="y",
        quarantine_notification="weekly", quarantine_category="all"))
    assert response.status_code == 303, response.get_data(as_text=True)
    attrs = get_mailbox(sandbox, username)["attributes"]
    assert (attrs["tls_enforce_in"], attrs["tls_enforce_out"]) == ("1", "1")
    assert attrs["quarantine_notification"] == "weekly"
    assert attrs["quarantine_category"] == "all"
    changes = events(app, "mailbox.update")[-1].changes
    assert changes["tls_enforce_in"] == [False, True]
    assert changes["quarantine_notification"] == ["hourly", "weekly"]


def test_domain_admin_without_tls_permission_keeps_the_tls_policy(app, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "keep", tls_enforce_out="1")
    with app.app_context():
        create_admin("da-notls", "correct-horse-battery", domains=[domain],
                     permissions=["mailboxes", "mailbox_quota"])
    c = app.test_client()
    assert sign_in(c, "da-notls").status_code == 302
    response = c.post(f"/mailboxes/{username}/edit", data=edit_form(
        c, username, tls_enforce_in="y", tls_enforce_out=None, name="Kept"))
    assert response.status_code == 303, response.get_data(as_text=True)
    m = get_mailbox(sandbox, username)
    assert m["name"] == "Kept"
    assert (m["attributes"]["tls_enforce_in"], m["attributes"]["tls_enforce_out"]) == ("0", "1")


def test_edit_quota_above_the_domain_limit_is_a_field_error(client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "big")
    response = client.post(f"/mailboxes/{username}/edit",
                           data=edit_form(client, username, quota_mib="999999"))
    assert response.status_code == 422
    assert get_mailbox(sandbox, username)["quota"] == 100 * 1024 * 1024


def test_change_password_checks_policy_and_audits_no_secret(app, client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "pw")
    page = f"/mailboxes/{username}/password"
    bad = client.post(page, data={"csrf_token": csrf_token(client, page), "password": "x",
                                  "password2": "x"})
    assert bad.status_code == 422
    before = get_mailbox(sandbox, username)["attributes"]["passwd_update"]
    good = client.post(page, data={"csrf_token": csrf_token(client, page),
                                   "password": "N3w-Secret!", "password2": "N3w-Secret!",
                                   "force_pw_update": "y"})
    assert good.status_code == 303
    m = get_mailbox(sandbox, username)
    assert m["attributes"]["force_pw_update"] == "1"
    assert m["attributes"]["passwd_update"] >= before
    event = events(app, "mailbox.password")[-1]
    assert "N3w-Secret!" not in str(event.changes)


def test_disable_and_enable(client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "tog")
    token = csrf_token(client, f"/mailboxes/{username}")
    response = client.post(f"/mailboxes/{username}/active", data={"csrf_token": token,
                                                                   "state": "0"}, headers=HTMX)
    assert response.status_code == 204 and "HX-Location" in response.headers
    assert get_mailbox(sandbox, username)["active"] == 0
    client.post(f"/mailboxes/{username}/active", data={"csrf_token": token, "state": "1"})
    assert get_mailbox(sandbox, username)["active"] == 1


def test_delete_confirms_stored_mail_is_removed(app, client, sandbox):
    domain = add_domain(sandbox)
    username = add_mailbox(sandbox, domain, "gone")
    page = client.get(f"/mailboxes/{username}/delete").get_data(as_text=True)
    assert "All stored mail is removed" in page
    assert "its sync jobs, sieve filters, app passwords" in page
    response = client.post(f"/mailboxes/{username}/delete",
                           data={"csrf_token": csrf_token(client, f"/mailboxes/{username}/delete")})
    assert response.status_code == 303
    assert get_mailbox(sandbox, username) == {}
    assert events(app, "mailbox.delete")[-1].target == username


# -- bulk --------------------------------------------------------------------------------

def test_bulk_deactivate_activate_and_delete(client, sandbox):
    domain = add_domain(sandbox)
    names = [add_mailbox(sandbox, domain, f"b{i}") for i in range(3)]
    token = csrf_token(client, "/mailboxes")
    r = client.post("/mailboxes/bulk", data={"csrf_token": token, "action": "deactivate",
                                             "selected": names, "back": f"/mailboxes?domain={domain}"})
    assert r.status_code == 303 and r.headers["Location"].endswith(f"/mailboxes?domain={domain}")
    assert all(get_mailbox(sandbox, n)["active"] == 0 for n in names)
    client.post("/mailboxes/bulk", data={"csrf_token": token, "action": "activate",
                                         "selected": names})
    assert all(get_mailbox(sandbox, n)["active"] == 1 for n in names)
    confirm = client.post("/mailboxes/bulk", data={"csrf_token": token, "action": "delete",
                                                   "selected": names})
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and "Delete 3 mailboxes?" in html
    assert all(get_mailbox(sandbox, n) for n in names)  # nothing gone before confirming
    done = client.post("/mailboxes/bulk", data={"csrf_token": token, "action": "delete",
                                                "selected": names, "confirm": "1"})
    assert done.status_code == 303
    assert all(get_mailbox(sandbox, n) == {} for n in names)


def test_bulk_lists_partial_failures(client, sandbox):
    domain = add_domain(sandbox)
    real = add_mailbox(sandbox, domain, "real")
    token = csrf_token(client, "/mailboxes")
    r = client.post("/mailboxes/bulk", data={"csrf_token": token, "action": "deactivate",
                                             "selected": [real, f"ghost@{domain}"]})
    html = r.get_data(as_text=True)
    assert r.status_code == 422
    assert f"ghost@{domain}" in html and "1 mailbox deactivated." in html
    assert get_mailbox(sandbox, real)["active"] == 0


def test_bulk_needs_a_selection(client):
    token = csrf_token(client, "/mailboxes")
    assert client.post("/mailboxes/bulk", data={"csrf_token": token,
                                                "action": "delete"}).status_code == 422


# -- export -------------------------------------------------------------------------------

def test_export_streams_every_page_of_the_filter_without_passwords(client, sandbox, monkeypatch):
    from panel.services import mailboxes as service

    monkeypatch.setattr(service, "EXPORT_PAGE", 2)  # force several search pages
    domain = add_domain(sandbox)
    names = [add_mailbox(sandbox, domain, f"x{i}", name="=HYPERLINK(1)") for i in range(5)]
    response = client.get(f"/mailboxes/export.csv?domain={domain}")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(text)))
    assert sorted(r["username"] for r in rows) == sorted(names)
    assert rows[0]["name"] == "'=HYPERLINK(1)" and rows[0]["quota_mib"] == "100"
    assert "password" not in text.lower() and PASSWORD not in text


@pytest.mark.parametrize("path", ["/mailboxes/nobody@nowhere.test", "/mailboxes/x/edit"])
def test_missing_mailbox_is_404(client, path):
    assert client.get(path).status_code == 404
