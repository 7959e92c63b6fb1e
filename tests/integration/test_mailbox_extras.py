"""Mailbox extras end to end: app passwords, time-limited aliases, spam score, user ACL,
tagged-mail handling, custom attributes — the Flask app against the sandbox Mailcow."""
import re
import sqlite3

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import AuditEvent
from panel.permissions import PERMISSIONS
from tests.conftest import csrf_token, signed_in_as
from tests.conftest import mailcow_api as api
from tests.integration.test_mailboxes import HTMX, add_domain, add_mailbox, edit_form, \
    get_mailbox

APP_SECRET = "Typed-AppPass-42"


def app_passwords(sandbox, username):
    found = api(sandbox, "get", f"app-passwd/all/{username}")
    return found if isinstance(found, list) else []


def tlas(sandbox, username):
    found = api(sandbox, "get", f"time_limited_aliases/{username}")
    return found if isinstance(found, list) else []


def events(app, action):
    with app.app_context():
        return list(db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                       .order_by(AuditEvent.id)))


def sandbox_row(sandbox, sql, *params):
    with sqlite3.connect(sandbox.db_path) as conn:
        return conn.execute(sql, params).fetchall()


@pytest.fixture
def box(sandbox):
    domain = add_domain(sandbox)
    return add_mailbox(sandbox, domain, "ext")


def selected(html, value):
    return re.search(r'<option selected value="%s">' % re.escape(value), html) is not None


def checked(html, value):
    return re.search(r'<input checked[^>]*value="%s"' % re.escape(value), html) is not None


def token(client, username):
    return csrf_token(client, f"/mailboxes/{username}")


# -- app passwords ---------------------------------------------------------------------

def test_generated_app_password_is_shown_once_and_never_audited(app, client, sandbox, box):
    response = client.post(f"/mailboxes/{box}/app-passwords", headers=HTMX, data={
        "csrf_token": token(client, box), "app_name": "Thunderbird", "generate": "y",
        "protocols": ["imap_access", "smtp_access"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 201, html
    assert response.headers["Cache-Control"] == "no-store"
    assert "<html" not in html and 'id="new-app-password"' in html
    secret = html.split('id="new-app-password">', 1)[1].split("<", 1)[0]
    assert len(secret) >= 16
    [item] = app_passwords(sandbox, box)
    assert item["name"] == "Thunderbird" and (item["imap_access"], item["smtp_access"],
                                              item["pop3_access"]) == (1, 1, 0)
    page = client.get(f"/mailboxes/{box}").get_data(as_text=True)
    assert "Thunderbird" in page and secret not in page
    [event] = [e for e in events(app, "mailbox.app_password.create") if e.target == box]
    assert secret not in str(event.changes) and secret not in (event.detail or "")
    assert event.changes["protocols"] == ["imap_access", "smtp_access"]


def test_typed_app_password_full_page(app, client, sandbox, box):
    response = client.post(f"/mailboxes/{box}/app-passwords", data={
        "csrf_token": token(client, box), "app_name": "Phone", "app_passwd": APP_SECRET,
        "app_passwd2": APP_SECRET, "protocols": ["eas_access"]})
    html = response.get_data(as_text=True)
    assert response.status_code == 201 and "<html" in html and APP_SECRET in html
    [item] = app_passwords(sandbox, box)
    assert item["eas_access"] == 1 and item["imap_access"] == 0
    assert APP_SECRET not in str([(e.changes, e.detail) for e in
                                  events(app, "mailbox.app_password.create")])


@pytest.mark.parametrize("fields, field_id, message", [
    ({"app_name": ""}, "app_name", "This field is required"),
    ({"generate": None, "app_passwd": "", "app_passwd2": ""}, "app_passwd",
     "let MailApp generate one"),
    ({"generate": None, "app_passwd": APP_SECRET, "app_passwd2": "Other-Pass-42"},
     "app_passwd2", "differ"),
    ({"generate": None, "app_passwd": "abc", "app_passwd2": "abc"}, "app_passwd", "policy"),
    ({"protocols": None}, "protocols", "at least one protocol"),
])
def test_app_password_bad_input_beside_the_field(client, sandbox, box, fields, field_id,
                                                 message):
    data = {"csrf_token": token(client, box), "app_name": "X", "generate": "y",
            "protocols": ["imap_access"], **fields}
    response = client.post(f"/mailboxes/{box}/app-passwords", headers=HTMX,
                           data={k: v for k, v in data.items() if v is not None})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in html and "field-error" in html
    if field_id != "protocols":
        assert f'id="{field_id}-error"' in html
    assert app_passwords(sandbox, box) == []


def test_delete_app_password(app, client, sandbox, box):
    api(sandbox, "add", "app-passwd", {"username": box, "app_name": "Old", "active": "1",
                                       "app_passwd": APP_SECRET, "app_passwd2": APP_SECRET,
                                       "protocols": ["imap_access"]})
    [item] = app_passwords(sandbox, box)
    response = client.post(f"/mailboxes/{box}/app-passwords/{item['id']}/delete",
                           headers=HTMX, data={"csrf_token": token(client, box)})
    assert response.status_code == 200 and "deleted" in response.headers["HX-Trigger"]
    assert app_passwords(sandbox, box) == []
    assert [e.target for e in events(app, "mailbox.app_password.delete")][-1] == box


def test_app_password_of_another_mailbox_is_404(client, sandbox, box):
    other = add_mailbox(sandbox, box.split("@")[1], "other")
    api(sandbox, "add", "app-passwd", {"username": other, "app_name": "Theirs", "active": "1",
                                       "app_passwd": APP_SECRET, "app_passwd2": APP_SECRET,
                                       "protocols": ["imap_access"]})
    [item] = app_passwords(sandbox, other)
    response = client.post(f"/mailboxes/{box}/app-passwords/{item['id']}/delete",
                           data={"csrf_token": token(client, box)})
    assert response.status_code == 404
    assert len(app_passwords(sandbox, other)) == 1


def test_mailcow_refusal_is_a_banner(client, sandbox, box, monkeypatch):
    # Mailcow's own policy check refuses what MailApp's form let through.
    from panel.mailcow.password_policy import PasswordPolicy
    monkeypatch.setattr(PasswordPolicy, "problems", lambda self, pw: [])
    api(sandbox, "edit", "passwordpolicy", {"attr": {"length": "30"}, "items": []})
    try:
        response = client.post(f"/mailboxes/{box}/app-passwords", headers=HTMX, data={
            "csrf_token": token(client, box), "app_name": "X", "app_passwd": APP_SECRET,
            "app_passwd2": APP_SECRET, "protocols": ["imap_access"]})
    finally:
        api(sandbox, "edit", "passwordpolicy", {"attr": {"length": "6"}, "items": []})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow refused the change." in html and "password policy" in html
    assert APP_SECRET not in html
    assert app_passwords(sandbox, box) == []


def test_mailcow_outage_is_a_banner(client, faults, sandbox, box):
    data = {"csrf_token": token(client, box), "app_name": "X", "generate": "y",
            "protocols": ["imap_access"]}
    faults.inject_fault("http500", path_prefix="/api/v1/add/")
    response = client.post(f"/mailboxes/{box}/app-passwords", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and "Traceback" not in html


# -- time-limited aliases -------------------------------------------------------------

def test_add_and_delete_time_limited_alias(app, client, sandbox, box):
    domain = box.split("@")[1]
    response = client.post(f"/mailboxes/{box}/time-limited-aliases", headers=HTMX, data={
        "csrf_token": token(client, box), "domain": domain, "description": "shop",
        "validity": "24"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    [item] = tlas(sandbox, box)
    assert item["description"] == "shop" and item["address"] in html
    page = client.get(f"/mailboxes/{box}").get_data(as_text=True)
    assert item["address"] in page and "Expires (UTC)" in page
    response = client.post(f"/mailboxes/{box}/time-limited-aliases/{item['address']}/delete",
                           headers=HTMX, data={"csrf_token": token(client, box)})
    assert response.status_code == 200 and tlas(sandbox, box) == []
    actions = [e.action for e in events(app, "mailbox.time_limited_alias.delete")]
    assert actions


def test_time_limited_alias_bad_input(client, sandbox, box):
    response = client.post(f"/mailboxes/{box}/time-limited-aliases", headers=HTMX, data={
        "csrf_token": token(client, box), "domain": "elsewhere.test", "validity": "24"})
    assert response.status_code == 422
    assert 'id="domain-error"' in response.get_data(as_text=True)
    assert tlas(sandbox, box) == []


def test_time_limited_alias_of_another_mailbox_is_404(client, sandbox, box):
    other = add_mailbox(sandbox, box.split("@")[1], "other2")
    api(sandbox, "add", "time_limited_alias", {"username": other, "domain": box.split("@")[1],
                                               "description": "x", "validity": 24})
    [item] = tlas(sandbox, other)
    response = client.post(f"/mailboxes/{box}/time-limited-aliases/{item['address']}/delete",
                           data={"csrf_token": token(client, box)})
    assert response.status_code == 404 and len(tlas(sandbox, other)) == 1


# -- spam score --------------------------------------------------------------------------

def test_spam_score_shown_and_saved(app, client, sandbox, box):
    page = client.get(f"/mailboxes/{box}").get_data(as_text=True)
    assert "junk folder above 5, rejected above 15" in page
    response = client.post(f"/mailboxes/{box}/spam-score", headers=HTMX, data={
        "csrf_token": token(client, box), "low": "7.5", "high": "20"})
    assert response.status_code == 200
    assert api(sandbox, "get", f"spam-score/{box}") == {"score": "7.5,20"}
    [event] = [e for e in events(app, "mailbox.spam_score") if e.target == box]
    assert event.changes["spam_score"] == [[5, 15], [7.5, 20]]


@pytest.mark.parametrize("low, high, field_id", [("9", "8", "high"), ("", "15", "low"),
                                                 ("-1", "15", "low")])
def test_spam_score_bad_input(client, sandbox, box, low, high, field_id):
    response = client.post(f"/mailboxes/{box}/spam-score", headers=HTMX, data={
        "csrf_token": token(client, box), "low": low, "high": high})
    assert response.status_code == 422
    assert f'id="{field_id}-error"' in response.get_data(as_text=True)
    assert api(sandbox, "get", f"spam-score/{box}") == {"score": "5,15"}


# -- mailbox form: user ACL, tagged mail, custom attributes ----------------------------

def test_edit_saves_acl_tagged_mail_and_attributes_and_shows_them(app, client, sandbox, box):
    page = client.get(f"/mailboxes/{box}/edit").get_data(as_text=True)
    assert "defaults for a new mailbox are ticked" in page
    assert selected(page, "none") and checked(page, "spam_alias")
    assert 'value="syncjobs"' in page and not checked(page, "syncjobs")
    data = edit_form(client, box, tagged_mail="subject",
                     user_acl=["spam_alias", "quarantine"],
                     custom_attributes="department = sales\nrole=cow")
    response = client.post(f"/mailboxes/{box}/edit", data=data)
    assert response.status_code == 303, response.get_data(as_text=True)
    acl = sandbox_row(sandbox, "SELECT spam_alias, quarantine, tls_policy, app_passwds"
                      " FROM user_acl WHERE username = ?", box)
    assert acl == [(1, 1, 0, 0)]
    assert sandbox_row(sandbox, "SELECT name FROM redis_hash WHERE field = ?", box) == \
        [("RCPT_WANTS_SUBJECT_TAG",)]
    assert get_mailbox(sandbox, box)["custom_attributes"] == {"department": "sales",
                                                              "role": "cow"}
    page = client.get(f"/mailboxes/{box}/edit").get_data(as_text=True)
    assert selected(page, "subject") and "department = sales" in page
    assert checked(page, "spam_alias") and checked(page, "quarantine")
    assert not checked(page, "tls_policy") and "As last saved through MailApp" in page
    detail = client.get(f"/mailboxes/{box}").get_data(as_text=True)
    assert "Add the tag to the subject" in detail and "department = sales" in detail
    assert [e.changes["user_acl"][1] for e in events(app, "mailbox.user_acl")
            if e.target == box] == [["spam_alias", "quarantine"]]


def test_custom_attribute_bad_input(client, sandbox, box):
    data = edit_form(client, box, custom_attributes="bad name = x")
    response = client.post(f"/mailboxes/{box}/edit", data=data)
    assert response.status_code == 422
    assert 'id="custom_attributes-error"' in response.get_data(as_text=True)
    assert get_mailbox(sandbox, box)["name"] != "Edited"


def test_add_mailbox_sets_tagged_mail(client, sandbox):
    from tests.integration.test_mailboxes import add_form
    domain = add_domain(sandbox)
    response = client.post("/mailboxes/new", data=add_form(
        client, domain, tagged_mail="subfolder",
        user_acl=["spam_alias", "app_passwds"]))
    assert response.status_code == 303, response.get_data(as_text=True)
    username = f"jane@{domain}"
    assert sandbox_row(sandbox, "SELECT name FROM redis_hash WHERE field = ?", username) == \
        [("RCPT_WANTS_SUBFOLDER_TAG",)]
    assert sandbox_row(sandbox, "SELECT syncjobs, app_passwds FROM user_acl"
                       " WHERE username = ?", username) == [(0, 1)]


# -- domain administrators -----------------------------------------------------------

def test_domain_admin_outside_scope_or_without_permission_gets_404(app, sandbox, box):
    mine = add_domain(sandbox)
    own = add_mailbox(sandbox, mine, "own")
    full = signed_in_as(app, "da-extras", [mine], list(PERMISSIONS))
    tok = csrf_token(full, f"/mailboxes/{own}")
    for path, data in ((f"/mailboxes/{box}/app-passwords",
                        {"app_name": "X", "generate": "y", "protocols": ["imap_access"]}),
                       (f"/mailboxes/{box}/spam-score", {"low": "1", "high": "2"}),
                       (f"/mailboxes/{box}/time-limited-aliases",
                        {"domain": box.split("@")[1], "validity": "24"})):
        assert full.post(path, data={"csrf_token": tok, **data}).status_code == 404
    assert app_passwords(sandbox, box) == [] and tlas(sandbox, box) == []
    assert api(sandbox, "get", f"spam-score/{box}") == {"score": "5,15"}
    # Inside their domain it works…
    response = full.post(f"/mailboxes/{own}/spam-score", headers=HTMX,
                         data={"csrf_token": tok, "low": "6", "high": "16"})
    assert response.status_code == 200
    # …but not without the permission, and the sections are not shown.
    limited = signed_in_as(app, "da-noextras", [mine], ["mailboxes"])
    tok = csrf_token(limited, f"/mailboxes/{own}")
    page = limited.get(f"/mailboxes/{own}").get_data(as_text=True)
    assert 'id="app-passwords"' not in page and 'id="spam-score"' not in page
    assert limited.post(f"/mailboxes/{own}/app-passwords", data={
        "csrf_token": tok, "app_name": "X", "generate": "y",
        "protocols": ["imap_access"]}).status_code == 404
    assert limited.post(f"/mailboxes/{own}/spam-score", data={
        "csrf_token": tok, "low": "1", "high": "2"}).status_code == 404
    assert app_passwords(sandbox, own) == []
    assert api(sandbox, "get", f"spam-score/{own}") == {"score": "6,16"}


# -- aliases: the internal flag ---------------------------------------------------------

def test_alias_edit_switches_internal_on_and_off(client, sandbox):
    from tests.integration.test_aliases import add_alias, form, get_alias
    domain = add_domain(sandbox)
    alias_id = add_alias(sandbox, f"int@{domain}")
    path = f"/aliases/{alias_id}/edit"
    response = client.post(path, data=form(client, path, address=f"int@{domain}",
                                           goto="dest@remote.test", internal="y"))
    assert response.status_code == 303
    assert get_alias(sandbox, alias_id)["internal"] == 1
    assert re.search(r'<input checked[^>]*id="internal"',
                     client.get(path).get_data(as_text=True))
    response = client.post(path, data=form(client, path, address=f"int@{domain}",
                                           goto="dest@remote.test"))
    assert response.status_code == 303
    assert get_alias(sandbox, alias_id)["internal"] == 0


def test_disable_and_enable_app_password(app, client, sandbox, box):
    api(sandbox, "add", "app-passwd", {"username": box, "app_name": "Tab", "active": "1",
                                       "app_passwd": APP_SECRET, "app_passwd2": APP_SECRET,
                                       "protocols": ["imap_access"]})
    [item] = app_passwords(sandbox, box)
    path = f"/mailboxes/{box}/app-passwords/{item['id']}/active"
    response = client.post(path, headers=HTMX, data={"csrf_token": token(client, box),
                                                     "active": "0"})
    assert response.status_code == 200 and "Enable" in response.get_data(as_text=True)
    assert app_passwords(sandbox, box)[0]["active"] == 0
    response = client.post(path, data={"csrf_token": token(client, box), "active": "1"})
    assert response.status_code == 303 and app_passwords(sandbox, box)[0]["active"] == 1
    assert [e.changes["active"] for e in events(app, "mailbox.app_password.active")
            if e.target == box] == [[True, False], [False, True]]
    other = add_mailbox(sandbox, box.split("@")[1], "other3")
    response = client.post(f"/mailboxes/{other}/app-passwords/{item['id']}/active",
                           data={"csrf_token": token(client, box), "active": "0"})
    assert response.status_code == 404 and app_passwords(sandbox, box)[0]["active"] == 1
