"""The Password policy and Mail templates pages end to end against the sandbox Mailcow."""
import sqlite3

import pytest

from panel.mailcow.sandbox.areas import mail_templates as sandbox_templates
from tests.conftest import HTMX, csrf_token, last_event, signed_in_as
from tests.conftest import mailcow_api as api


@pytest.fixture
def policy(sandbox):
    """The sandbox's policy, put back after the test (the sandbox is shared)."""
    before = api(sandbox, "get", "passwordpolicy")
    yield before
    api(sandbox, "edit", "passwordpolicy", {"items": ["none"], "attr": before})


def stored(sandbox):
    conn = sqlite3.connect(sandbox.db_path)
    conn.row_factory = sqlite3.Row
    try:
        return sandbox_templates.stored(conn)
    finally:
        conn.close()


# -- password policy -------------------------------------------------------------------

def test_policy_page_shows_what_is_in_force(client, policy):
    html = client.get("/password-policy").get_data(as_text=True)
    assert f"At least {policy['length']} characters" in html
    assert f'value="{policy["length"]}"' in html


def test_policy_saves_and_is_audited(client, sandbox, app, policy):
    token = csrf_token(client, "/password-policy")
    response = client.post("/password-policy", data={"csrf_token": token, "length": "12",
                                                     "chars": "y", "numbers": "y"})
    assert response.status_code == 303
    assert api(sandbox, "get", "passwordpolicy") == {
        "length": "12", "chars": "1", "special_chars": "0", "lowerupper": "0", "numbers": "1"}
    event = last_event(app, "password_policy.update")
    assert event.outcome == "ok" and event.changes["length"] == [int(policy["length"]), 12]
    page = client.get("/password-policy").get_data(as_text=True)
    assert "At least 12 characters" in page and "At least one digit" in page


@pytest.mark.parametrize("length, message", [
    ("2", "Enter a length from 3 to 128"), ("", "Enter the minimum number of characters."),
    ("x", "Not a valid integer value."), ("500", "Enter a length from 3 to 128"),
])
def test_bad_length_sits_beside_the_field(client, sandbox, policy, length, message):
    token = csrf_token(client, "/password-policy")
    response = client.post("/password-policy", data={"csrf_token": token, "length": length,
                                                     "numbers": "y"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="length-error"' in html and message in html
    assert api(sandbox, "get", "passwordpolicy") == policy


def test_policy_outage_is_a_banner(client, faults):
    faults.inject_fault("delay", seconds=3)
    response = client.get("/password-policy")
    assert response.status_code == 502
    assert "Mailcow did not answer within 2 seconds" in response.get_data(as_text=True)


def test_policy_refusal_is_a_banner(client, app, policy, monkeypatch):
    from panel.mailcow.errors import MailcowRefused
    from panel.mailcow.password_policy import PasswordPolicyApi

    def refuse(self, new):
        raise MailcowRefused(["Access denied, or the object does not exist"],
                             ["access_denied"])

    monkeypatch.setattr(PasswordPolicyApi, "save", refuse)
    token = csrf_token(client, "/password-policy")
    response = client.post("/password-policy", data={"csrf_token": token, "length": "9"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mailcow refused the change." in html
    assert last_event(app, "password_policy.update").outcome == "failed"


# -- mail templates ----------------------------------------------------------------------

def test_templates_page_lists_variables_and_defaults(client):
    html = client.get("/mail-templates").get_data(as_text=True)
    for variable in ("{{username}}", "{{percent}}", "{{link}}", "{{username2}}", "{{date}}",
                     "{{token_lifetime}}", "{{hostname}}"):
        assert variable in html
    assert "quota-warning@localhost" in html and "Not saved through MailApp yet." in html
    assert "cannot read them back" not in html and "can save these settings but not read" in html


def test_quota_notification_saves_and_is_kept(client, sandbox, app):
    token = csrf_token(client, "/mail-templates")
    template = "<p>Hi {{username}}, {{percent}} % used</p>"
    response = client.post("/mail-templates/quota", data={
        "csrf_token": token, "quota-sender": "quota@example.test",
        "quota-subject": "Mailbox almost full", "quota-html": template})
    assert response.status_code == 303
    now = stored(sandbox)
    assert (now["QW_SENDER"], now["QW_SUBJ"], now["QW_HTML"]) == \
        ("quota@example.test", "Mailbox almost full", template)
    page = client.get("/mail-templates").get_data(as_text=True)
    assert 'value="Mailbox almost full"' in page and "Last saved through MailApp by root" in page
    event = last_event(app, "mail_template.quota_notification")
    assert event.outcome == "ok" and event.changes["html"] == "changed"


def test_password_reset_mail_saves(client, sandbox, app):
    token = csrf_token(client, "/mail-templates")
    response = client.post("/mail-templates/password-reset", data={
        "csrf_token": token, "reset-sender": "noreply@example.test",
        "reset-subject": "Reset for {{username}}", "reset-text": "{{link}}",
        "reset-html": ""}, headers=HTMX)
    assert response.status_code == 204
    now = stored(sandbox)
    assert (now["PW_RESET_FROM"], now["PW_RESET_SUBJ"], now["PW_RESET_TEXT"],
            now["PW_RESET_HTML"]) == ("noreply@example.test", "Reset for {{username}}",
                                      "{{link}}", "")
    # Without a subject recovery is off, and the page says so.
    client.post("/mail-templates/password-reset", data={
        "csrf_token": token, "reset-sender": "noreply@example.test", "reset-subject": ""})
    assert "Password recovery is off" in client.get("/mail-templates").get_data(as_text=True)
    assert last_event(app, "mail_template.password_reset").outcome == "ok"


@pytest.mark.parametrize("path, prefix", [("/mail-templates/quota", "quota"),
                                          ("/mail-templates/password-reset", "reset")])
@pytest.mark.parametrize("sender", ["not an address", "ünï@example.test", "a@b"])
def test_bad_sender_sits_beside_the_field(client, sandbox, path, prefix, sender):
    before = stored(sandbox)
    token = csrf_token(client, "/mail-templates")
    response = client.post(path, data={"csrf_token": token, f"{prefix}-sender": sender,
                                       f"{prefix}-subject": "S"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{prefix}-sender-error"' in html and "Enter a valid address" in html
    assert stored(sandbox) == before


def test_template_outage_is_a_banner_and_keeps_the_old_copy(client, faults, sandbox):
    token = csrf_token(client, "/mail-templates")
    before = stored(sandbox)
    faults.inject_fault("http500", path_prefix="/api/v1/edit/")
    response = client.post("/mail-templates/quota", data={
        "csrf_token": token, "quota-sender": "", "quota-subject": "During outage"})
    assert response.status_code == 502
    faults.clear_faults()
    assert stored(sandbox) == before
    assert "During outage" not in client.get("/mail-templates").get_data(as_text=True)


def test_domain_admin_reaches_neither_page(app, sandbox, admin):
    c = signed_in_as(app, "da-pw", ["example.test"], ["mailboxes"])
    token = csrf_token(c, "/mailboxes")
    for path in ("/password-policy", "/mail-templates"):
        assert c.get(path).status_code == 404
    assert c.post("/password-policy", data={"csrf_token": token, "length": "3"}
                  ).status_code == 404
    assert c.post("/mail-templates/quota", data={"csrf_token": token}).status_code == 404
