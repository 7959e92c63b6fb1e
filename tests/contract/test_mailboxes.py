"""Mailboxes: recordings 07-09, 11, 12, 17, 70, 71, 74*, 81, B6, D1-D5, E2, E7."""
from __future__ import annotations

from .answers import GIB, expect_messages, log, mailbox_object, timeless

PASSWORD = "S3cret-Pass1"


def body(domain: str, local_part: str = "bob", **changes) -> dict:
    item = {"local_part": local_part, "domain": domain, "name": "Bob", "quota": "1024",
            "password": PASSWORD, "password2": PASSWORD, "active": "1"}
    item.update(changes)
    return item


def masked(item: dict) -> dict:
    return {**item, **{k: "*" for k in ("password", "password2") if k in item}}


def refused(item: dict, msg) -> list:
    return [{"type": "danger", "log": log("add", "mailbox", masked(item)), "msg": msg}]


def test_add_reports_rate_limit_then_mailbox(api, domain):
    item = {"local_part": "alice", "domain": domain, "name": "Alice Example", "quota": "1024",
            "password": PASSWORD, "password2": PASSWORD, "active": "1", "force_pw_update": "0",
            "tls_enforce_in": "0", "tls_enforce_out": "0"}
    username = f"alice@{domain}"
    assert api.post("add/mailbox", item).json() == [
        {"type": "success",
         "log": ["ratelimit", "edit", "mailbox",
                 {"object": username, "rl_frame": "s", "rl_value": ""}],
         "msg": ["rl_saved", username]},
        {"type": "success", "log": log("add", "mailbox", masked(item)),
         "msg": ["mailbox_added", username]},
    ]


def test_get_shows_quota_in_bytes(api, mailbox):
    assert timeless(api.get_json(f"get/mailbox/{mailbox}")) == mailbox_object(mailbox)


def test_password_rules(api, domain):
    mismatch = body(domain, password="abcdef12", password2="xyz")
    assert api.post("add/mailbox", mismatch).json() == [
        {"type": "danger", "log": ["password_check", None, None], "msg": "password_mismatch"}]
    for item in (body(domain, password="abc", password2="abc", quota="100"),
                 {k: v for k, v in body(domain).items() if not k.startswith("password")}):
        assert api.post("add/mailbox", item).json() == [
            {"type": "danger", "log": ["password_check", None, None],
             "msg": "password_complexity"}]
    assert api.get(f"get/mailbox/bob@{domain}").text == "{}"


def test_unknown_domain_is_access_denied(api):
    item = body("nope-nope.test", password="abcdef12", password2="abcdef12")
    assert api.post("add/mailbox", item).json() == refused(item, "access_denied")


def test_duplicate_and_bad_local_part(api, domain, mailbox):
    item = body(domain, local_part="alice", name="Alice")
    assert api.post("add/mailbox", item).json() == refused(item, ["object_exists", mailbox])
    item = body(domain, local_part="bo b!", quota="100")
    assert api.post("add/mailbox", item).json() == refused(item, "mailbox_invalid")


def test_an_alias_address_cannot_become_a_mailbox(api, domain, mailbox):
    api.write("add/alias", {"address": f"bob@{domain}", "goto": mailbox, "active": "1"})
    item = body(domain)
    assert api.post("add/mailbox", item).json() == refused(item, ["is_alias", f"bob@{domain}"])


def test_quota_limits(api, domain, mailbox):
    item = body(domain, quota="999999")
    assert api.post("add/mailbox", item).json() == refused(item, ["mailbox_quota_exceeded", 10240])
    item = body(domain, quota="10240")
    assert api.post("add/mailbox", item).json() == refused(
        item, ["mailbox_quota_left_exceeded", 9216])


def test_mailbox_limit(api, new_domain):
    name = new_domain()
    api.write("add/domain", {"domain": name, "mailboxes": "1"})
    api.write("add/mailbox", body(name, local_part="first"))
    item = body(name)
    assert api.post("add/mailbox", item).json() == refused(item, ["max_mailbox_exceeded", 1, 1])


def test_edit_then_get(api, domain, mailbox):
    api.write("add/alias", {"address": f"info@{domain}", "goto": mailbox, "active": "1"})
    attr = {"name": "Alice Renamed", "quota": "2048", "active": "1",
            "sender_acl": ["default", f"info@{domain}"], "tags": ["vip"]}
    assert api.post("edit/mailbox", {"items": [mailbox], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "mailbox", {"username": [mailbox], **attr}),
         "msg": ["mailbox_modified", mailbox]}]
    expected = mailbox_object(mailbox, name="Alice Renamed", quota=2 * GIB, tags=["vip"])
    # An edit stores the recovery address, null when none is given (recording 74).
    expected["attributes"]["recovery_email"] = None
    assert timeless(api.get_json(f"get/mailbox/{mailbox}")) == expected


def test_edit_beyond_the_quota_left(api, mailbox):
    attr = {"quota": "999999"}
    assert api.post("edit/mailbox", {"items": [mailbox], "attr": attr}).json() == [
        {"type": "danger", "log": log("edit", "mailbox", {"username": [mailbox], **attr}),
         "msg": ["mailbox_quota_left_exceeded", 10240]}]


def test_edit_password_checks_it(api, mailbox):
    attr = {"password": "abc", "password2": "abc"}
    assert api.post("edit/mailbox", {"items": [mailbox], "attr": attr}).json() == [
        {"type": "danger", "log": ["password_check", None, None], "msg": "password_complexity"}]


def test_edit_unknown_and_invalid_usernames(api, domain):
    attr = {"name": "x"}
    answer = api.post("edit/mailbox", {"items": ["nobody@" + domain, "not-an-address"],
                                       "attr": attr}).json()
    items = {"username": ["nobody@" + domain, "not-an-address"], **attr}
    assert answer == [
        {"type": "danger", "log": log("edit", "mailbox", items), "msg": "access_denied"},
        {"type": "danger", "log": log("edit", "mailbox", items),
         "msg": ["username_invalid", "not-an-address"]},
    ]


def test_custom_attributes(api, mailbox):
    attr = {"attribute": ["role"], "value": ["cow"]}
    answer = api.post("edit/mailbox/custom-attribute", {"items": [mailbox], "attr": attr}).json()
    assert answer == [{"type": "success",
                       "log": log("edit", "mailbox_custom_attribute",
                                  {"mailboxes": [mailbox], **attr}),
                       "msg": ["mailbox_modified", mailbox]}]
    assert api.get_json(f"get/mailbox/{mailbox}")["custom_attributes"] == {"role": "cow"}


def test_delete_a_tag(api, mailbox):
    api.write("edit/mailbox", {"items": [mailbox], "attr": {"tags": ["vip", "board"]}})
    assert api.post(f"delete/mailbox/tag/{mailbox}", ["vip"]).json() == [
        {"type": "success",
         "log": log("delete", "tags_mailbox", {"tags": ["vip"], "username": mailbox}),
         "msg": ["mailbox_modified", mailbox]}]
    assert api.get_json(f"get/mailbox/{mailbox}")["tags"] == ["board"]


def test_lists_by_domain_reduced_and_tag(api, domain, mailbox):
    api.write("edit/mailbox", {"items": [mailbox], "attr": {"tags": ["ct-tagged"]}})
    full = api.get_json(f"get/mailbox/{mailbox}")
    assert api.get_json(f"get/mailbox/all/{domain}") == [full]
    reduced = api.get_json(f"get/mailbox/reduced/{domain}")
    dropped = ("max_new_quota", "spam_aliases", "pushover_active", "rl", "rl_scope",
               "is_relayed", "sender_acl")
    assert reduced == [{k: v for k, v in full.items() if k not in dropped}]
    assert [m["username"] for m in api.get_json("get/mailbox/all?tags=ct-tagged")] == [mailbox]


def test_rate_limit_of_a_mailbox(api, mailbox):
    assert api.post("edit/rl-mbox", {"items": [mailbox],
                                     "attr": {"rl_value": "20", "rl_frame": "h"}}).json() == [
        {"type": "success",
         "log": ["ratelimit", "edit", "mailbox",
                 {"object": [mailbox], "rl_value": "20", "rl_frame": "h"}],
         "msg": ["rl_saved", mailbox]}]
    assert api.get_json(f"get/rl-mbox/{mailbox}") == {"value": "20", "frame": "h"}
    found = api.get_json(f"get/mailbox/{mailbox}")
    assert (found["rl"], found["rl_scope"]) == ({"value": "20", "frame": "h"}, "mailbox")


def test_delete(api, mailbox):
    expected = [
        {"type": "warning", "log": log("delete", "mailbox", {"username": [mailbox]}),
         "msg": "Could not move maildir to garbage collector: "},
        {"type": "success", "log": log("delete", "mailbox", {"username": [mailbox]}),
         "msg": ["mailbox_removed", mailbox]},
    ]
    expect_messages(api, api.post("delete/mailbox", [mailbox]).json(), expected)
    assert api.get(f"get/mailbox/{mailbox}").text == "{}"
    assert api.post("delete/mailbox", [mailbox]).json() == [
        {"type": "danger", "log": log("delete", "mailbox", {"username": [mailbox]}),
         "msg": "access_denied"}]
