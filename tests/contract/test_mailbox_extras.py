"""Mailbox extras as Mailcow answers them: app passwords (recordings 40, 41, B4),
time-limited aliases (42, 43, B5), spam score (77, 78), user ACL (76), tagged-mail
handling and the alias `internal` flag (73, 75 and Mailcow's alias edit)."""
from __future__ import annotations

import re
import time

from .answers import TIME, log

APP = {"active": "1", "app_name": "thunderbird", "app_passwd": "AppPassw0rd123",
       "app_passwd2": "AppPassw0rd123", "protocols": ["imap_access", "smtp_access"]}


def _app_passwords(api, mailbox):
    found = api.get_json(f"get/app-passwd/all/{mailbox}")
    return found if isinstance(found, list) else []


def test_add_app_password_as_recorded(api, mailbox):
    answer = api.post("add/app-passwd", {**APP, "username": mailbox}).json()
    assert answer == [{"type": "success", "log": ["app_passwd", "add", {
        "active": "1", "username": mailbox, "app_name": "thunderbird", "app_passwd": "*",
        "app_passwd2": "*", "protocols": ["imap_access", "smtp_access"]}],
        "msg": "app_passwd_added"}]
    [item] = _app_passwords(api, mailbox)
    assert list(item) == ["id", "name", "mailbox", "domain", "password", "created",
                          "modified", "imap_access", "smtp_access", "dav_access",
                          "eas_access", "pop3_access", "sieve_access", "active"]
    assert item["name"] == "thunderbird" and item["mailbox"] == mailbox
    assert item["domain"] == mailbox.split("@")[1] and isinstance(item["id"], int)
    assert TIME.match(item["created"]) and item["modified"] is None
    assert "AppPassw0rd123" not in item["password"] and item["password"].startswith("{")
    assert (item["imap_access"], item["smtp_access"], item["dav_access"], item["eas_access"],
            item["pop3_access"], item["sieve_access"], item["active"]) == (1, 1, 0, 0, 0, 0, 1)


def test_no_app_passwords_is_an_empty_object(api, mailbox):
    assert api.get(f"get/app-passwd/all/{mailbox}").json() == {}


def test_app_password_refusals(api, mailbox, domain):
    def danger(body):
        answer = api.post("add/app-passwd", body).json()
        return [m["msg"] for m in answer if m["type"] == "danger"]

    assert danger({**APP, "username": mailbox, "app_passwd2": "Other-Passw0rd"}) == \
        ["password_mismatch"]
    assert danger({**APP, "username": mailbox, "app_name": "  "}) == ["app_name_empty"]
    assert danger({**APP, "username": f"ghost@{domain}"}) == ["access_denied"]
    assert danger({**APP}) == ["access_denied"]  # an API key has no mailbox of its own
    assert _app_passwords(api, mailbox) == []


def test_delete_app_password_as_recorded(api, mailbox):
    api.write("add/app-passwd", {**APP, "username": mailbox})
    [item] = _app_passwords(api, mailbox)
    key = str(item["id"])
    answer = api.post("delete/app-passwd", [key]).json()
    assert answer == [{"type": "success", "log": ["app_passwd", "delete", {"id": [key]}],
                       "msg": ["app_passwd_removed", key]}]
    assert _app_passwords(api, mailbox) == []
    again = api.post("delete/app-passwd", [key]).json()
    assert again == [{"type": "danger", "log": ["app_passwd", "delete", {"id": [key]}],
                      "msg": "app_passwd_id_invalid"}]


def test_time_limited_alias_as_recorded(api, mailbox, domain):
    body = {"username": mailbox, "domain": domain, "description": "shop", "validity": 24,
            "permanent": False}
    before = int(time.time())
    answer = api.post("add/time_limited_alias", body).json()
    assert answer == [{"type": "success", "log": log("add", "time_limited_alias", body),
                       "msg": ["mailbox_modified", mailbox]}]
    [item] = api.get_json(f"get/time_limited_aliases/{mailbox}")
    assert list(item) == ["address", "goto", "description", "validity", "created",
                          "modified", "permanent"]
    assert re.fullmatch(r"[a-z]{3,9}\.[a-z]{3,9}@" + re.escape(domain), item["address"])
    assert item["goto"] == mailbox and item["description"] == "shop"
    assert before + 24 * 3600 <= item["validity"] <= int(time.time()) + 24 * 3600
    assert item["permanent"] == 0 and item["modified"] is None and TIME.match(item["created"])
    answer = api.post("delete/time_limited_alias", [item["address"]]).json()
    assert answer == [{"type": "success",
                       "log": log("delete", "time_limited_alias",
                                  {"address": [item["address"]]}),
                       "msg": ["mailbox_modified", mailbox]}]
    assert not api.get_json(f"get/time_limited_aliases/{mailbox}")


def test_time_limited_alias_refusals(api, mailbox, domain):
    def msgs(**changes):
        body = {"username": mailbox, "domain": domain, "description": "x", "validity": 24,
                **changes}
        return [m["msg"] for m in api.post("add/time_limited_alias", body).json()]

    assert msgs(validity=0) == ["validity_missing"]
    assert msgs(validity=87601) == ["validity_missing"]
    assert msgs(domain="elsewhere.test") == ["domain_invalid"]
    assert msgs(username=f"ghost@{domain}") == ["access_denied"]
    assert not api.get_json(f"get/time_limited_aliases/{mailbox}")


def test_spam_score_as_recorded(api, mailbox):
    assert api.get_json(f"get/spam-score/{mailbox}") == {"score": "5,15"}
    answer = api.post("edit/spam-score",
                      {"items": [mailbox], "attr": {"spam_score": "8,15"}}).json()
    assert answer == [{"type": "success",
                       "log": log("edit", "spam_score",
                                  {"username": [mailbox], "spam_score": "8,15"}),
                       "msg": ["mailbox_modified", mailbox]}]
    assert api.get_json(f"get/spam-score/{mailbox}") == {"score": "8,15"}


def test_spam_score_needs_two_numbers(api, mailbox):
    for value in ("8", "x,15", "8,"):
        answer = api.post("edit/spam-score",
                          {"items": [mailbox], "attr": {"spam_score": value}}).json()
        assert [m["msg"] for m in answer] == ["access_denied"]
    assert api.get_json(f"get/spam-score/{mailbox}") == {"score": "5,15"}


def test_user_acl_as_recorded(api, mailbox):
    acl = ["spam_alias", "tls_policy", "spam_score", "quarantine"]
    answer = api.post("edit/user-acl", {"items": [mailbox], "attr": {"user_acl": acl}}).json()
    assert answer == [{"type": "success",
                       "log": ["acl", "edit", "user", {"username": [mailbox], "user_acl": acl}],
                       "msg": ["acl_saved", mailbox]}]


def test_user_acl_unknown_mailbox(api, domain):
    ghost = f"ghost@{domain}"
    answer = api.post("edit/user-acl", {"items": [ghost], "attr": {"user_acl": []}}).json()
    assert [m["msg"] for m in answer] == ["access_denied"]


def test_delimiter_action(api, mailbox, domain):
    for handler in ("subfolder", "subject", "none"):
        answer = api.post("edit/delimiter_action",
                          {"items": [mailbox], "attr": {"tagged_mail_handler": handler}}).json()
        assert answer == [{"type": "success",
                           "log": log("edit", "delimiter_action",
                                      {"username": [mailbox], "tagged_mail_handler": handler}),
                           "msg": ["mailbox_modified", mailbox]}]
    ghost = f"ghost@{domain}"
    answer = api.post("edit/delimiter_action",
                      {"items": [ghost], "attr": {"tagged_mail_handler": "subject"}}).json()
    assert [m["msg"] for m in answer] == ["access_denied"]


def test_alias_edit_changes_internal(api, mailbox, domain):
    api.write("add/alias", {"address": f"info@{domain}", "goto": mailbox, "active": "1"})
    alias = next(a for a in api.get_json(f"get/alias/all/{domain}")
                 if a["address"] == f"info@{domain}")
    assert alias["internal"] == 0
    api.write("edit/alias", {"items": [str(alias["id"])], "attr": {"internal": "1"}})
    assert api.get_json(f"get/alias/{alias['id']}")["internal"] == 1
    api.write("edit/alias", {"items": [str(alias["id"])], "attr": {"goto": mailbox}})
    assert api.get_json(f"get/alias/{alias['id']}")["internal"] == 1
    api.write("edit/alias", {"items": [str(alias["id"])], "attr": {"internal": "0"}})
    assert api.get_json(f"get/alias/{alias['id']}")["internal"] == 0


def test_edit_app_password_active_and_protocols(api, mailbox):
    api.write("add/app-passwd", {**APP, "username": mailbox})
    [item] = _app_passwords(api, mailbox)
    key = str(item["id"])
    body = {"items": [key], "attr": {"username": mailbox, "active": "0"}}
    answer = api.post("edit/app-passwd", body).json()
    assert answer == [{"type": "success",
                       "log": ["app_passwd", "edit", {"id": [key], "username": mailbox,
                                                      "active": "0"}],
                       "msg": ["object_modified", key]}]
    [item] = _app_passwords(api, mailbox)
    assert item["active"] == 0 and item["imap_access"] == 1 and item["mailbox"] == mailbox
    api.write("edit/app-passwd", {"items": [key], "attr": {"username": mailbox,
                                                           "protocols": ["pop3_access"]}})
    [item] = _app_passwords(api, mailbox)
    assert (item["imap_access"], item["pop3_access"], item["active"]) == (0, 1, 0)
    answer = api.post("edit/app-passwd", {"items": ["999999"], "attr": {"active": "1"}}).json()
    assert [m["msg"] for m in answer] == [["app_passwd_id_invalid", "999999"]]
