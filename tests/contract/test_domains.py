"""Domains: recordings 02-06, 18, 72, A0, B7, C4, C6, D0, E3, E4, E8; limits from the source."""
from __future__ import annotations

from .answers import GIB, domain_object, expect_messages, log, timeless


def add_body(name: str) -> dict:
    return {"domain": name, "description": "test domain", "aliases": "400", "mailboxes": "10",
            "defquota": "3072", "maxquota": "10240", "quota": "10240", "active": "1",
            "rl_value": "10", "rl_frame": "s", "backupmx": "0", "relay_all_recipients": "0",
            "restart_sogo": "0"}


def test_add_reports_rate_limit_dkim_key_and_domain(api, new_domain):
    name = new_domain()
    body = add_body(name)
    assert api.post("add/domain", body).json() == [
        {"type": "success",
         "log": ["ratelimit", "edit", "domain", {"rl_value": 10, "rl_frame": "s", "object": name}],
         "msg": ["rl_saved", name]},
        {"type": "success",
         "log": ["dkim", "add", {"key_size": 2048, "dkim_selector": "dkim", "domains": name}],
         "msg": ["dkim_added", name]},
        {"type": "success", "log": log("add", "domain", body), "msg": ["domain_added", name]},
    ]


def test_get_one_and_all_show_the_domain_in_bytes(api, new_domain):
    name = new_domain()
    api.write("add/domain", add_body(name))
    expected = domain_object(name, rl={"value": "10", "frame": "s"})
    assert timeless(api.get_json(f"get/domain/{name}")) == expected
    assert timeless([d for d in api.get_json("get/domain/all") if d["domain_name"] == name]) == [
        expected]
    # Upper case and a stray space are normalised like Mailcow does.
    assert api.get_json(f"get/domain/%20{name.upper()}")["domain_name"] == name


def test_duplicate_domain(api, domain):
    body = {"domain": domain, "active": "1"}
    assert api.post("add/domain", body).json() == [
        {"type": "danger", "log": log("add", "domain", body), "msg": ["domain_exists", domain]}]


def test_invalid_and_missing_domain_names(api):
    body = {"domain": "not a domain!", "active": "1"}
    assert api.post("add/domain", body).json() == [
        {"type": "danger", "log": log("add", "domain", body), "msg": "domain_invalid"}]
    assert api.post("add/domain", {}).json() == [
        {"type": "danger", "log": log("add", "domain", []), "msg": "domain_invalid"}]


def test_quota_rules_on_add(api, new_domain):
    name = new_domain()
    cases = [
        ({"defquota": "5000", "maxquota": "1000", "quota": "10240"},
         "mailbox_defquota_exceeds_mailbox_maxquota"),
        ({"defquota": "1000", "maxquota": "20000", "quota": "10240"},
         "mailbox_quota_exceeds_domain_quota"),
        ({"defquota": "0", "maxquota": "1000", "quota": "10240"}, "defquota_empty"),
    ]
    for quotas, msg in cases:
        body = {"domain": name, **quotas, "mailboxes": "10", "aliases": "10", "active": "1"}
        assert api.post("add/domain", body).json() == [
            {"type": "danger", "log": log("add", "domain", body), "msg": msg}]
    assert api.get(f"get/domain/{name}").text == "{}"


def test_edit_then_get(api, domain):
    body = {"items": [domain], "attr": {"description": "edited", "mailboxes": "20",
                                        "tags": ["t1"]}}
    assert api.post("edit/domain", body).json() == [
        {"type": "success",
         "log": log("edit", "domain", {"domain": [domain], "description": "edited",
                                       "mailboxes": "20", "tags": ["t1"]}),
         "msg": ["domain_modified", domain]}]
    assert timeless(api.get_json(f"get/domain/{domain}")) == domain_object(
        domain, description="edited", max_num_mboxes_for_domain=20, mboxes_left=20,
        modified="<time>", tags=["t1"])


def test_edit_cannot_shrink_below_what_is_in_use(api, domain, mailbox):
    api.write("add/mailbox", {"local_part": "bob", "domain": domain, "quota": "1024",
                              "password": "S3cret-Pass1", "password2": "S3cret-Pass1"})
    for alias in ("one", "two"):
        api.write("add/alias", {"address": f"{alias}@{domain}", "goto": mailbox, "active": "1"})
    cases = [
        ({"mailboxes": "1"}, ["mailboxes_in_use", 2]),
        ({"aliases": "1"}, ["aliases_in_use", 2]),
        ({"defquota": "256", "maxquota": "512"}, ["max_quota_in_use", "1024"]),
        ({"defquota": "1024", "maxquota": "1024", "quota": "1536"},
         ["domain_quota_m_in_use", "2048"]),
        ({"maxquota": "20480"}, "mailbox_quota_exceeds_domain_quota"),
    ]
    for attr, msg in cases:
        answer = api.post("edit/domain", {"items": [domain], "attr": attr}).json()
        assert answer == [{"type": "danger", "log": log("edit", "domain", {"domain": [domain],
                                                                            **attr}),
                           "msg": msg}], attr
    assert api.get_json(f"get/domain/{domain}")["max_num_mboxes_for_domain"] == 10


def test_usage_counts(api, domain, mailbox):
    api.write("add/alias", {"address": f"info@{domain}", "goto": mailbox, "active": "1"})
    found = api.get_json(f"get/domain/{domain}")
    assert (found["mboxes_in_domain"], found["mboxes_left"]) == (1, 9)
    assert (found["aliases_in_domain"], found["aliases_left"]) == (1, 399)
    assert found["quota_used_in_domain"] == str(GIB)
    assert found["max_new_mailbox_quota"] == 9 * GIB


def test_delete_refuses_a_domain_with_mailboxes(api, domain, mailbox):
    assert api.post("delete/domain", [domain]).json() == [
        {"type": "danger", "log": log("delete", "domain", {"domain": [domain]}),
         "msg": ["domain_not_empty", domain]}]


def test_delete_and_delete_again(api, domain):
    expected = [
        {"type": "warning", "log": log("delete", "domain", {"domain": [domain]}),
         "msg": "Could not move mail storage to garbage collector: "},
        {"type": "success", "log": log("delete", "domain", {"domain": [domain]}),
         "msg": ["domain_removed", domain]},
    ]
    expect_messages(api, api.post("delete/domain", [domain]).json(), expected)
    assert api.get(f"get/domain/{domain}").text == "{}"
    # Deleting what is gone still reports success (recording C6).
    expect_messages(api, api.post("delete/domain", [domain]).json(), expected)


def test_delete_a_tag(api, domain):
    api.write("edit/domain", {"items": [domain], "attr": {"tags": ["t1", "t2"]}})
    assert api.post(f"delete/domain/tag/{domain}", ["t1"]).json() == [
        {"type": "success", "log": log("delete", "tags_domain", {"tags": ["t1"], "domain": domain}),
         "msg": ["domain_modified", domain]}]
    assert api.get_json(f"get/domain/{domain}")["tags"] == ["t2"]


def test_filter_by_tag(api, domain, new_domain):
    api.write("edit/domain", {"items": [domain], "attr": {"tags": ["tagged-ct"]}})
    found = [d["domain_name"] for d in api.get_json("get/domain/all?tags=tagged-ct")]
    assert found == [domain]


def test_readding_keeps_the_old_dkim_key(api, new_domain):
    """Recording 02: the key outlives the domain, so re-adding only says it is there."""
    name = new_domain()
    api.write("add/domain", {"domain": name})
    key = api.get_json(f"get/dkim/{name}")["pubkey"]
    api.post("delete/domain", [name])
    body = {"domain": name}
    assert api.post("add/domain", body).json() == [
        {"type": "success", "log": log("add", "domain", body), "msg": "domain_add_dkim_available"},
        {"type": "success", "log": log("add", "domain", body), "msg": ["domain_added", name]},
    ]
    assert api.get_json(f"get/dkim/{name}")["pubkey"] == key
