"""OAuth2, rate-limit, password-policy and mail-template adapters: parsing Mailcow's
answers and the requests sent; plus the forms' own checks."""
import json
import logging

import httpx
import pytest

from panel.forms.oauth2 import redirect_uri_problem
from panel.mailcow.client import MailcowClient
from panel.mailcow.errors import MailcowError, MailcowRefused, NotFound
from panel.mailcow.mail_templates import (
    MailTemplatesApi,
    PasswordResetNotification,
    QuotaNotification,
)
from panel.mailcow.oauth2 import OAuth2Api, from_wire
from panel.mailcow.password_policy import PasswordPolicy, PasswordPolicyApi
from panel.mailcow.ratelimits import RateLimit, RateLimitsApi

# Recording 35_get_oauth2_client_all.
CLIENT = {"id": 1, "client_id": "bbddeb374bf1", "client_secret": "05a1f5608d4b97da5186e316",
          "redirect_uri": "https://app.example.test/callback", "grant_types": None,
          "scope": "profile", "user_id": None}
ADDED = [{"type": "success", "log": ["oauth2", "add", "client",
                                     {"redirect_uri": "https://app.example.test/callback"}],
          "msg": "Added client access"}]


class Fake:
    """A MailcowClient over an httpx.MockTransport answering from a queue."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.client = MailcowClient("http://mailcow.test", "rw-key", "ro-key",
                                    transport=httpx.MockTransport(self.handle))

    def handle(self, request):
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        return httpx.Response(200, json=self.answers.pop(0))


def test_client_records_never_hold_the_secret():
    c = from_wire(CLIENT)
    assert (c.id, c.client_id, c.redirect_uri, c.scope) == \
        (1, "bbddeb374bf1", "https://app.example.test/callback", "profile")
    assert not hasattr(c, "client_secret")
    assert CLIENT["client_secret"] not in repr(c) + str(vars(c) if hasattr(c, "__dict__")
                                                         else "")


def test_add_finds_the_new_client_and_hands_its_secret_over_once(caplog):
    other = {**CLIENT, "id": 2, "client_id": "aaaaaaaaaaaa", "client_secret": "x" * 24}
    fake = Fake([other], ADDED, [other, {**CLIENT, "id": 3}])
    with caplog.at_level(logging.DEBUG):
        issued = OAuth2Api(fake.client).add("https://app.example.test/callback")
    assert issued.client.id == 3 and issued.secret == CLIENT["client_secret"]
    assert CLIENT["client_secret"] not in repr(issued)
    assert CLIENT["client_secret"] not in caplog.text
    assert fake.requests[1] == ("POST", "/api/v1/add/oauth2-client",
                                {"redirect_uri": "https://app.example.test/callback"})


def test_add_without_a_new_client_is_an_error():
    fake = Fake({}, ADDED, {})
    with pytest.raises(MailcowError, match="not in Mailcow's client list"):
        OAuth2Api(fake.client).add("https://app.example.test/callback")


def test_all_empty_and_missing_client():
    assert OAuth2Api(Fake({}).client).all() == []
    with pytest.raises(NotFound):
        OAuth2Api(Fake({}).client).get(7)


def test_edit_and_delete_requests():
    ok = [{"type": "success", "log": [], "msg": ["object_modified", "1"]}]
    fake = Fake(ok, CLIENT, ok, ok, [{"type": "success", "log": [],
                                      "msg": ["items_deleted", "1"]}])
    api = OAuth2Api(fake.client)
    assert api.renew_secret(1).secret == CLIENT["client_secret"]
    api.revoke_tokens(1)
    api.set_redirect_uri(1, "https://new.example.test/cb")
    api.delete([1])
    assert [r[1:] for r in fake.requests if r[0] == "POST"] == [
        ("/api/v1/edit/oauth2-client", {"items": ["1"], "attr": {"renew_secret": "1"}}),
        ("/api/v1/edit/oauth2-client", {"items": ["1"], "attr": {"revoke_tokens": "1"}}),
        ("/api/v1/edit/oauth2-client", {"items": ["1"],
                                         "attr": {"redirect_uri": "https://new.example.test/cb"}}),
        ("/api/v1/delete/oauth2-client", ["1"]),
    ]


def test_refusal_is_worded():
    fake = Fake([{"type": "danger", "log": [], "msg": "access_denied"}])
    with pytest.raises(MailcowRefused, match="Access denied"):
        OAuth2Api(fake.client).revoke_tokens(5)


# -- rate limits -------------------------------------------------------------------------

def test_rate_limit_lists_recordings_45_46():
    fake = Fake([{"value": "10", "frame": "s", "domain": "example.test"},
                 {"value": "", "frame": "s", "domain": "skip.test"}],
                [{"value": "20", "frame": "h", "mailbox": "alice@example.test"}],
                {}, {"value": "20", "frame": "h"}, {})
    api = RateLimitsApi(fake.client)
    assert api.domains() == [RateLimit("domain", "example.test", 10, "s")]
    [mine] = api.mailboxes()
    assert mine == RateLimit("mailbox", "alice@example.test", 20, "h")
    assert mine.domain == "example.test"
    assert api.mailboxes() == []
    assert api.get("mailbox", "alice@example.test") == mine
    assert api.get("domain", "none.test") is None


def test_rate_limit_set_and_remove_requests():
    ok = [{"type": "success", "log": [], "msg": ["rl_saved", "x"]}]
    fake = Fake(ok, ok)
    api = RateLimitsApi(fake.client)
    api.set("mailbox", "alice@example.test", 20, "h")
    api.remove("domain", "example.test")
    assert [r[1:] for r in fake.requests] == [
        ("/api/v1/edit/rl-mbox", {"items": ["alice@example.test"],
                                  "attr": {"rl_value": "20", "rl_frame": "h"}}),
        ("/api/v1/edit/rl-domain", {"items": ["example.test"],
                                    "attr": {"rl_value": "", "rl_frame": "s"}}),
    ]
    with pytest.raises(ValueError):
        api.set("domain", "example.test", 0, "h")
    with pytest.raises(ValueError):
        api.set("domain", "example.test", 5, "w")


# -- password policy and mail templates ---------------------------------------------------

def test_password_policy_save_sends_strings():
    fake = Fake([{"type": "success", "log": [], "msg": "password_policy_saved"}])
    PasswordPolicyApi(fake.client).save(PasswordPolicy(12, True, False, True, True))
    assert fake.requests[0][1:] == ("/api/v1/edit/passwordpolicy", {
        "items": ["none"], "attr": {"length": "12", "chars": "1", "special_chars": "0",
                                    "lowerupper": "1", "numbers": "1"}})
    with pytest.raises(ValueError):
        PasswordPolicyApi(fake.client).save(PasswordPolicy(2))


def test_mail_template_requests():
    ok = [{"type": "success", "log": [], "msg": "saved_settings"}]
    fake = Fake(ok, ok)
    api = MailTemplatesApi(fake.client)
    api.save_quota_notification(QuotaNotification("q@example.test", "Quota", "<p/>"))
    api.save_password_reset(PasswordResetNotification("r@example.test", "Reset", "<a/>", "t"))
    assert [r[1:] for r in fake.requests] == [
        ("/api/v1/edit/quota_notification", {"items": ["none"], "attr": {
            "sender": "q@example.test", "subject": "Quota", "html_tmpl": "<p/>"}}),
        ("/api/v1/edit/reset-password-notification", {"items": ["none"], "attr": {
            "from": "r@example.test", "subject": "Reset", "html_tmpl": "<a/>",
            "text_tmpl": "t"}}),
    ]
    assert not PasswordResetNotification("r@example.test", "").usable


# -- the redirect URI check ------------------------------------------------------------

@pytest.mark.parametrize("value, ok", [
    ("https://app.example.org/cb", True),
    ("https://app.example.org:8443/cb?a=1", True),
    ("http://localhost:3000/cb", True),
    ("http://[::1]/cb", True),
    ("com.example.app:/oauth2redirect", True),
    ("http://app.example.org/cb", False),
    ("https:///cb", False),
    ("https://app.example.org/cb#x", False),
    ("https://app.example.org/a b", False),
    ("javascript:alert(1)", False),
    ("data:text/html,hi", False),
    ("/relative/path", False),
    ("https://[bad/", False),
])
def test_redirect_uri_problem(app, value, ok):
    with app.test_request_context():
        assert (redirect_uri_problem(value) is None) is ok
