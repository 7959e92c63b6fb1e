"""App passwords, time-limited aliases, spam score and the user ACL: records read from
Mailcow's wire format (recordings 40-43, 76-78, B4, B5) and the requests sent."""
import json
from datetime import datetime, timezone

import httpx
import pytest
from werkzeug.datastructures import MultiDict

from panel.mailcow.app_passwords import AppPasswordsApi
from panel.mailcow.client import MailcowClient
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.mailboxes import MailboxesApi
from panel.mailcow.password_policy import PasswordPolicy
from panel.mailcow.spam_score import SpamScore, SpamScoreApi, parse
from panel.mailcow.time_limited_aliases import TimeLimitedAliasesApi

# Recording 41_get_app_passwd_all.
APP_PASSWD = {"id": 1, "name": "thunderbird", "mailbox": "alice@example.test",
              "domain": "example.test", "password": "{BLF-CRYPT}$2y$10$xyz",
              "created": "2026-11-21 23:48:41", "modified": None, "imap_access": 1,
              "smtp_access": 1, "dav_access": 0, "eas_access": 0, "pop3_access": 0,
              "sieve_access": 0, "active": 1}
# Recording 43_get_time_limited_aliases.
TLA = {"address": "lola.guwoca@example.test", "goto": "alice@example.test",
       "description": "shop", "validity": 1795391321, "created": "2026-11-21 23:48:41",
       "modified": None, "permanent": 0}
OK = [{"type": "success", "log": [], "msg": ["mailbox_modified", "alice@example.test"]}]


class Fake:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        client = MailcowClient("http://mailcow.test", "rw-key", "ro-key",
                               transport=httpx.MockTransport(self.handle))
        self.app_passwords = AppPasswordsApi(client)
        self.tlas = TimeLimitedAliasesApi(client)
        self.spam = SpamScoreApi(client)
        self.mailboxes = MailboxesApi(client)

    def handle(self, request):
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        return httpx.Response(200, json=self.answers.pop(0))


def test_app_passwords_read_without_the_hash():
    fake = Fake([APP_PASSWD])
    [item] = fake.app_passwords.of_mailbox("alice@example.test")
    assert fake.requests[0][1] == "/api/v1/get/app-passwd/all/alice@example.test"
    assert item.id == 1 and item.name == "thunderbird" and item.active
    assert item.protocols == ("imap_access", "smtp_access")
    assert item.created == datetime(2026, 11, 21, 23, 48, 41)
    assert "password" not in vars(item)


def test_no_app_passwords_is_mailcows_empty_object():
    assert Fake({}).app_passwords.of_mailbox("alice@example.test") == []


def test_app_password_add_and_delete_bodies():
    fake = Fake([{"type": "success", "log": [], "msg": "app_passwd_added"}],
                [{"type": "success", "log": [], "msg": ["app_passwd_removed", "1"]}])
    fake.app_passwords.add("alice@example.test", "thunderbird", "AppPassw0rd123",
                           ["imap_access", "smtp_access"])
    fake.app_passwords.delete([1])
    assert fake.requests[0][1:] == ("/api/v1/add/app-passwd", {
        "active": "1", "username": "alice@example.test", "app_name": "thunderbird",
        "app_passwd": "AppPassw0rd123", "app_passwd2": "AppPassw0rd123",
        "protocols": ["imap_access", "smtp_access"]})
    assert fake.requests[1][1:] == ("/api/v1/delete/app-passwd", ["1"])
    with pytest.raises(ValueError):
        fake.app_passwords.add("a@b.c", "x", "y", ["ftp"])


def test_app_password_refusal_is_readable():
    fake = Fake([{"type": "danger", "log": [], "msg": "app_name_empty"}])
    with pytest.raises(MailcowRefused) as caught:
        fake.app_passwords.add("alice@example.test", "", "pw", ["imap_access"])
    assert "needs a name" in caught.value.message


def test_time_limited_aliases_read_and_written():
    fake = Fake([TLA], OK, OK)
    [item] = fake.tlas.of_mailbox("alice@example.test")
    assert item.expires == datetime(2026, 11, 22, 23, 48, 41, tzinfo=timezone.utc)
    assert not item.permanent and item.description == "shop"
    fake.tlas.add("alice@example.test", "example.test", "shop", 24)
    fake.tlas.delete([item.address])
    assert fake.requests[1][1:] == ("/api/v1/add/time_limited_alias", {
        "username": "alice@example.test", "domain": "example.test", "description": "shop",
        "validity": 24, "permanent": False})
    assert fake.requests[2][1:] == ("/api/v1/delete/time_limited_alias",
                                    ["lola.guwoca@example.test"])


def test_spam_score_parsed_and_sent():
    assert parse("8,15") == SpamScore(8, 15) and parse("5, 15.5") == SpamScore(5, 15.5)
    fake = Fake({"score": "8,15"}, OK, {})
    assert fake.spam.get("alice@example.test") == SpamScore(8, 15)
    fake.spam.set("alice@example.test", SpamScore(7.5, 20))
    assert fake.requests[1][1:] == ("/api/v1/edit/spam-score", {
        "items": ["alice@example.test"], "attr": {"spam_score": "7.5,20"}})
    with pytest.raises(NotFound):
        fake.spam.get("ghost@example.test")


def test_user_acl_tagged_mail_and_custom_attributes_bodies():
    fake = Fake(OK, OK, OK)
    fake.mailboxes.set_user_acl("alice@example.test", ["quarantine", "spam_alias"])
    fake.mailboxes.set_tagged_mail("alice@example.test", "subfolder")
    fake.mailboxes.set_custom_attributes("alice@example.test", {"role": "cow"})
    assert fake.requests[0][1:] == ("/api/v1/edit/user-acl", {
        "items": ["alice@example.test"], "attr": {"user_acl": ["spam_alias", "quarantine"]}})
    assert fake.requests[1][1:] == ("/api/v1/edit/delimiter_action", {
        "items": ["alice@example.test"], "attr": {"tagged_mail_handler": "subfolder"}})
    assert fake.requests[2][1:] == ("/api/v1/edit/mailbox/custom-attribute", {
        "items": ["alice@example.test"], "attr": {"attribute": ["role"], "value": ["cow"]}})
    with pytest.raises(ValueError):
        fake.mailboxes.set_tagged_mail("alice@example.test", "trash")


# -- forms -------------------------------------------------------------------------------

@pytest.fixture
def ctx():
    from flask import Flask
    from flask_babel import Babel

    app = Flask(__name__)
    app.config.update(SECRET_KEY="x", WTF_CSRF_ENABLED=False)
    Babel(app)
    with app.test_request_context(method="POST"):
        yield


def test_app_password_form(ctx):
    from panel.forms.mailboxes import AppPasswordForm

    form = AppPasswordForm(MultiDict([("app_name", "Phone"), ("generate", "y"),
                                      ("protocols", "imap_access")]))
    assert form.validate(), form.errors
    form = AppPasswordForm(MultiDict([("app_name", "Phone"), ("app_passwd", "abc"),
                                      ("app_passwd2", "abc"), ("protocols", "imap_access")]))
    form.policy = PasswordPolicy(length=8)
    assert not form.validate() and "app_passwd" in form.errors
    form = AppPasswordForm(MultiDict([("app_name", "Phone"), ("generate", "y"),
                                      ("protocols", "ftp")]))
    assert not form.validate() and "protocols" in form.errors


def test_custom_attributes_parsed_and_checked(ctx):
    from panel.forms.mailboxes import MailboxEditForm, parse_attributes

    assert parse_attributes("a = 1\n\n b=two words \n") == [("a", "1"), ("b", "two words")]
    form = MailboxEditForm(MultiDict([("custom_attributes", "a=1\nA=2")]))
    form.validate()
    assert "custom_attributes" in form.errors
    form = MailboxEditForm(MultiDict([("custom_attributes", "dept=sales\nrole = cow")]))
    form.validate()
    assert "custom_attributes" not in form.errors
    assert form.attributes() == {"dept": "sales", "role": "cow"}


def test_spam_score_form_needs_high_above_low(ctx):
    from panel.forms.mailboxes import SpamScoreForm

    assert SpamScoreForm(MultiDict([("low", "5"), ("high", "15")])).validate()
    form = SpamScoreForm(MultiDict([("low", "15"), ("high", "15")]))
    assert not form.validate() and "high" in form.errors


def test_app_password_set_active_names_the_owner():
    fake = Fake([{"type": "success", "log": [], "msg": ["object_modified", "3"]}])
    fake.app_passwords.set_active("alice@example.test", 3, False)
    assert fake.requests[0][1:] == ("/api/v1/edit/app-passwd", {
        "items": ["3"], "attr": {"username": "alice@example.test", "active": "0"}})
