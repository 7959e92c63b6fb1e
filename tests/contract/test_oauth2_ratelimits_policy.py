"""OAuth2 clients (recordings 34, 35, B3), rate limits (44, 45, 46), the password policy
(82, 82b) and the notification-mail settings, as Mailcow answers them."""
from __future__ import annotations

import re
import sqlite3

import pytest

from panel.mailcow.sandbox.areas import mail_templates as sandbox_templates

HEX = re.compile(r"^[0-9a-f]+$")


def _client_of(api, redirect_uri):
    found = api.get_json("get/oauth2-client/all")
    mine = [c for c in found if isinstance(found, list) and c["redirect_uri"] == redirect_uri]
    assert len(mine) == 1, found
    return mine[0]


@pytest.fixture
def oauth_uri(api, new_domain):
    uri = f"https://{new_domain('oa')}/callback"
    yield uri
    found = api.get_json("get/oauth2-client/all")
    ids = [str(c["id"]) for c in found if isinstance(found, list) and c["redirect_uri"] == uri]
    if ids:
        api.post("delete/oauth2-client", ids)


def test_add_get_delete_oauth2_client_as_recorded(api, oauth_uri):
    body = {"redirect_uri": oauth_uri}
    assert api.post("add/oauth2-client", body).json() == [
        {"type": "success", "log": ["oauth2", "add", "client", body],
         "msg": "Added client access"}]
    made = _client_of(api, oauth_uri)
    assert list(made) == ["id", "client_id", "client_secret", "redirect_uri", "grant_types",
                          "scope", "user_id"]
    assert isinstance(made["id"], int)
    assert HEX.match(made["client_id"]) and len(made["client_id"]) == 12
    assert HEX.match(made["client_secret"]) and len(made["client_secret"]) == 24
    assert (made["grant_types"], made["scope"], made["user_id"]) == (None, "profile", None)
    assert api.get_json(f"get/oauth2-client/{made['id']}") == made
    # Recording 35 prints slashes escaped, pretty.
    assert "https:\\/\\/" in api.get(f"get/oauth2-client/{made['id']}").text

    assert api.post("delete/oauth2-client", [str(made["id"])]).json() == [
        {"type": "success", "log": ["oauth2", "delete", "client", {"id": [str(made["id"])]}],
         "msg": ["items_deleted", str(made["id"])]}]
    assert api.get(f"get/oauth2-client/{made['id']}").text == "{}"


def test_renew_secret_revoke_tokens_and_redirect_edit(api, oauth_uri):
    api.write("add/oauth2-client", {"redirect_uri": oauth_uri})
    made = _client_of(api, oauth_uri)
    item = str(made["id"])
    renew = {"items": [item], "attr": {"renew_secret": "1"}}
    assert api.post("edit/oauth2-client", renew).json() == [
        {"type": "success",
         "log": ["oauth2", "edit", "client", {"id": [item], "renew_secret": "1"}],
         "msg": ["object_modified", item]}]
    renewed = api.get_json(f"get/oauth2-client/{item}")
    assert renewed["client_secret"] != made["client_secret"]
    assert renewed["client_id"] == made["client_id"]

    assert api.post("edit/oauth2-client", {"items": [item], "attr": {"revoke_tokens": "1"}}
                    ).json()[0]["msg"] == ["object_modified", item]
    assert api.get_json(f"get/oauth2-client/{item}")["client_secret"] == \
        renewed["client_secret"]

    other = oauth_uri + "/other"
    api.write("edit/oauth2-client", {"items": [item], "attr": {"redirect_uri": other}})
    assert api.get_json(f"get/oauth2-client/{item}")["redirect_uri"] == other
    # An empty redirect URI keeps the old one.
    api.write("edit/oauth2-client", {"items": [item], "attr": {"redirect_uri": ""}})
    assert api.get_json(f"get/oauth2-client/{item}")["redirect_uri"] == other
    api.post("delete/oauth2-client", [item])


def test_oauth2_refusals(api):
    answer = api.post("edit/oauth2-client", {"items": ["99999999"],
                                             "attr": {"revoke_tokens": "1"}}).json()
    assert answer == [{"type": "danger",
                       "log": ["oauth2", "edit", "client",
                               {"id": ["99999999"], "revoke_tokens": "1"}],
                       "msg": "access_denied"}]
    answer = api.post("delete/oauth2-client", ["abc"]).json()
    assert [m["type"] for m in answer] == ["danger", "success"]
    assert answer[0]["msg"] == "access_denied" and answer[1]["msg"] == ["items_deleted", "abc"]
    assert api.post("add/oauth2-client", {"redirect_uri": "https://x.test/"},
                    key="ro").status_code == 403


def test_rate_limits_as_recorded(api, domain, mailbox):
    assert api.post("edit/rl-domain", {"items": [domain],
                                       "attr": {"rl_value": "10", "rl_frame": "s"}}).json() == [
        {"type": "success",
         "log": ["ratelimit", "edit", "domain",
                 {"object": [domain], "rl_value": "10", "rl_frame": "s"}],
         "msg": ["rl_saved", domain]}]
    listed = [r for r in api.get_json("get/rl-domain/all") if r["domain"] == domain]
    assert listed == [{"value": "10", "frame": "s", "domain": domain}]
    api.write("edit/rl-mbox", {"items": [mailbox], "attr": {"rl_value": "20", "rl_frame": "h"}})
    assert api.get_json(f"get/rl-mbox/{mailbox}") == {"value": "20", "frame": "h"}
    mine = [r for r in api.get_json("get/rl-mbox/all") if r.get("mailbox") == mailbox]
    assert mine == [{"value": "20", "frame": "h", "mailbox": mailbox}]
    # An empty value removes the limit.
    api.write("edit/rl-mbox", {"items": [mailbox], "attr": {"rl_value": "", "rl_frame": "s"}})
    assert api.get(f"get/rl-mbox/{mailbox}").text == "{}"
    api.write("edit/rl-domain", {"items": [domain], "attr": {"rl_value": "", "rl_frame": "s"}})
    assert not [r for r in (api.get_json("get/rl-domain/all") or []) if r["domain"] == domain]


def test_rate_limit_refusals(api, domain):
    bad_frame = api.post("edit/rl-domain", {"items": [domain],
                                            "attr": {"rl_value": "5", "rl_frame": "w"}}).json()
    assert [m["msg"] for m in bad_frame] == ["rl_timeframe"]
    unknown = api.post("edit/rl-mbox", {"items": [f"nobody@{domain}"],
                                        "attr": {"rl_value": "5", "rl_frame": "m"}}).json()
    assert [m["msg"] for m in unknown] == ["access_denied"]


@pytest.fixture
def policy(api):
    before = api.get_json("get/passwordpolicy")
    yield before
    api.post("edit/passwordpolicy", {"items": ["none"], "attr": before})


def test_password_policy_read_and_save(api, policy):
    assert list(policy) == ["length", "chars", "special_chars", "lowerupper", "numbers"]
    attr = {"length": "10", "chars": "1", "special_chars": "0", "lowerupper": "1",
            "numbers": "1"}
    answer = api.post("edit/passwordpolicy", {"items": ["none"], "attr": attr}).json()
    assert [m["type"] for m in answer] == ["success"]
    assert answer[0]["msg"] == "password_policy_saved"
    assert api.get_json("get/passwordpolicy") == attr
    html = api.get_json("get/passwordpolicy/html")
    assert "Minimum password length is 10" in html and "lowercase and uppercase" in html
    # Below 3 the length is kept.
    api.write("edit/passwordpolicy", {"items": ["none"], "attr": {**attr, "length": "2"}})
    assert api.get_json("get/passwordpolicy")["length"] == "10"


def test_notification_mail_settings_save(api):
    quota = {"sender": "quota@example.test", "subject": "Quota {{percent}}",
             "html_tmpl": "<p>{{username}} is at {{percent}} %</p>"}
    assert api.post("edit/quota_notification", {"items": ["none"], "attr": quota}).json() == [
        {"type": "success", "log": ["quota_notification", "edit", quota],
         "msg": "saved_settings"}]
    reset = {"from": "reset@example.test", "subject": "Reset", "html_tmpl": "<a>{{link}}</a>",
             "text_tmpl": "{{link}}"}
    assert api.post("edit/reset-password-notification",
                    {"items": ["none"], "attr": reset}).json() == [
        {"type": "success", "log": ["reset_password", "edit_notification", reset],
         "msg": "saved_settings"}]
    # Mailcow has no route that reads them back.
    assert api.get("get/quota_notification").status_code == 404


def test_notification_settings_are_stored_as_mailcow_stores_them(sandbox_only):
    api = sandbox_only
    api.write("edit/quota_notification", {"items": ["none"], "attr": {
        "sender": "not an address", "subject": "Q", "html_tmpl": "<b>{{percent}}</b>"}})
    api.write("edit/reset-password-notification", {"items": ["none"], "attr": {
        "from": "r\u00e9set@example.test", "subject": "0", "text_tmpl": "", "html_tmpl": None}})
    conn = sqlite3.connect(api.app.db_path)
    conn.row_factory = sqlite3.Row
    try:
        stored = sandbox_templates.stored(conn)
    finally:
        conn.close()
    # An invalid sender becomes "", non-ASCII bytes are dropped, "0" counts as empty.
    assert stored["QW_SENDER"] == "" and stored["QW_SUBJ"] == "Q"
    assert stored["QW_HTML"] == "<b>{{percent}}</b>"
    assert stored["PW_RESET_FROM"] == "rset@example.test"
    assert stored["PW_RESET_SUBJ"] == "" and stored["PW_RESET_HTML"] == ""
