"""Mailbox forms and the password policy: the checks made before Mailcow is asked."""
import pytest
from werkzeug.datastructures import MultiDict

from panel.forms.mailboxes import MailboxAddForm, MailboxEditForm, PasswordForm, \
    parse_senders, policy_text
from panel.mailcow.mailboxes import from_wire
from panel.mailcow.password_policy import PasswordPolicy, from_wire as policy_from_wire

STRICT = PasswordPolicy(length=10, chars=True, special_chars=True, lowerupper=True,
                        numbers=True)


@pytest.fixture
def ctx(tmp_path):
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    Babel(app)
    with app.test_request_context(method="POST"):
        yield


def add_form(**fields):
    data = {"local_part": "Jane.Doe", "domain": "example.org", "name": "Jane",
            "password": "S3cret-Pass1", "password2": "S3cret-Pass1", "quota_mib": "100",
            "active_state": "1", "rate_limit_value": "0", "rate_limit_frame": "s",
            "quarantine_notification": "hourly", "quarantine_category": "reject",
            "imap_access": "y"}
    data.update(fields)
    form = MailboxAddForm(formdata=MultiDict({k: v for k, v in data.items() if v is not None}))
    form.domain.choices = [("example.org", "example.org")]
    return form


def test_policy_reads_mailcow_strings_and_finds_broken_rules():
    policy = policy_from_wire({"length": "8", "chars": "1", "special_chars": "0",
                               "lowerupper": "1", "numbers": "1"})
    assert policy == PasswordPolicy(8, True, False, True, True)
    assert policy.problems("abc") == ["length", "lowerupper", "numbers"]
    assert policy.problems("Abcdefg1") == []
    assert STRICT.problems("Abcdefgh1!") == []
    assert "(?=.*[0-9])" in STRICT.html_pattern
    assert PasswordPolicy().html_pattern == ""
    assert policy_text(PasswordPolicy()) == "At least 6 characters."


def test_add_form_accepts_a_good_mailbox_and_builds_settings(ctx):
    form = add_form(active_state="2", tags="a, b, a", tls_enforce_out="y")
    form.apply_policy(PasswordPolicy())
    form.limit_quota(2048, allow_unlimited=False)
    assert form.validate(), form.errors
    assert form.local_part.data == "jane.doe"
    settings = form.settings()
    assert settings.active_state == 2 and settings.active is False
    assert settings.wire()["active"] == "2"
    assert settings.tags == ["a", "b"] and settings.tls_enforce_out is True
    assert settings.imap_access is True and settings.pop3_access is False


@pytest.mark.parametrize("fields, field", [
    ({"local_part": "bo b!"}, "local_part"),
    ({"password2": "other"}, "password2"),
    ({"quota_mib": "4096"}, "quota_mib"),
    ({"quota_mib": "0"}, "quota_mib"),
    ({"password": "short", "password2": "short"}, "password"),
    ({"tags": "<x>"}, "tags"),
    ({"domain": "other.org"}, "domain"),
])
def test_add_form_errors(ctx, fields, field):
    form = add_form(**fields)
    form.apply_policy(PasswordPolicy(length=8))
    form.limit_quota(2048, allow_unlimited=False)
    assert not form.validate()
    assert field in form.errors


def test_strict_policy_is_enforced_and_rendered(ctx):
    form = add_form(password="Abcdefghij", password2="Abcdefghij")
    form.apply_policy(STRICT)
    assert not form.validate() and "password" in form.errors
    html = form.password()
    assert 'minlength="10"' in html and "pattern=" in html


def test_unlimited_quota_for_global_admins_only(ctx):
    form = add_form(quota_mib="0")
    form.limit_quota(2048, allow_unlimited=True)
    assert form.validate(), form.errors


def test_sender_addresses(ctx):
    assert parse_senders("a@x.org, @y.org\n*\na@x.org") == ["a@x.org", "@y.org", "*"]
    ok = MailboxEditForm(formdata=MultiDict({"quota_mib": "1", "active_state": "1",
                                             "rate_limit_frame": "s",
                                             "sender_acl": "a@x.org\n@y.org"}))
    assert ok.validate(), ok.errors
    bad = MailboxEditForm(formdata=MultiDict({"quota_mib": "1", "active_state": "1",
                                              "rate_limit_frame": "s",
                                              "sender_acl": "not-an-address"}))
    assert not bad.validate() and "sender_acl" in bad.errors


def test_edit_form_fills_from_a_mailbox(ctx):
    mailbox = from_wire({"username": "a@x.org", "active_int": 2, "quota": 200 * 1024 * 1024,
                         "attributes": {"pop3_access": "0"}, "tags": ["t"],
                         "rl": {"value": "5", "frame": "m"}, "rl_scope": "mailbox",
                         "sender_acl": ["@y.org"]})
    form = MailboxEditForm(formdata=None)
    form.fill(mailbox)
    assert mailbox.active_state == 2 and not mailbox.active
    assert form.active_state.data == "2" and form.quota_mib.data == 200
    assert form.pop3_access.data is False and form.imap_access.data is True
    assert form.rate_limit_value.data == 5 and form.rate_limit_frame.data == "m"
    assert form.sender_acl.data == "@y.org" and form.tags.data == "t"


def test_password_form(ctx):
    form = PasswordForm(formdata=MultiDict({"password": "S3cret-Pass1",
                                            "password2": "S3cret-Pass1"}))
    form.apply_policy(PasswordPolicy())
    assert form.validate(), form.errors
