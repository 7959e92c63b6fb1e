"""Alias domains: recordings 10, 11, C2 (more/); the refusals follow Mailcow's source."""
from __future__ import annotations

from .answers import log, timeless


def test_add_list_and_delete(api, domain, new_domain):
    alias_domain = new_domain("alias")
    body = {"alias_domain": alias_domain, "target_domain": domain, "active": "1"}
    assert api.post("add/alias-domain", body).json() == [
        {"type": "success", "log": log("add", "alias_domain", body),
         "msg": ["aliasd_added", alias_domain]}]
    expected = {"alias_domain": alias_domain, "parent_is_backupmx": 0, "target_domain": domain,
                "active": 1, "active_int": 1, "rl": False, "created": "<time>", "modified": None}
    listed = [a for a in api.get_json("get/alias-domain/all") if a["target_domain"] == domain]
    assert timeless(listed) == [expected]
    assert timeless(api.get_json(f"get/alias-domain/{alias_domain}")) == expected
    # The alias domain's name answers with the target domain's details.
    assert api.get_json(f"get/domain/{alias_domain}")["domain_name"] == domain
    assert api.post("delete/alias-domain", [alias_domain]).json() == [
        {"type": "success", "log": log("delete", "alias_domain", {"alias_domain": [alias_domain]}),
         "msg": ["alias_domain_removed", alias_domain]}]
    assert api.get(f"get/alias-domain/{alias_domain}").text == "{}"


def test_refusals(api, domain, new_domain):
    free = new_domain("alias")
    cases = [
        ({"alias_domain": free, "target_domain": "nope-nope.test", "active": "1"},
         "access_denied"),
        ({"alias_domain": domain, "target_domain": domain, "active": "1"},
         ["aliasd_targetd_identical", domain]),
        ({"alias_domain": free, "target_domain": "bad domain!", "active": "1"},
         "target_domain_invalid"),
    ]
    other = new_domain()
    api.write("add/domain", {"domain": other})
    cases.append(({"alias_domain": other, "target_domain": domain, "active": "1"},
                  ["alias_domain_invalid", other]))
    for body, msg in cases:
        assert api.post("add/alias-domain", body).json() == [
            {"type": "danger", "log": log("add", "alias_domain", body), "msg": msg}], body


def test_a_name_in_use_as_alias_domain_cannot_become_a_domain(api, domain, new_domain):
    alias_domain = new_domain("alias")
    api.write("add/alias-domain", {"alias_domain": alias_domain, "target_domain": domain})
    body = {"domain": alias_domain}
    assert api.post("add/domain", body).json() == [
        {"type": "danger", "log": log("add", "domain", body),
         "msg": ["domain_exists", alias_domain]}]


def test_aliases_in_an_alias_domain_count_for_the_target(api, domain, mailbox, new_domain):
    alias_domain = new_domain("alias")
    api.write("add/alias-domain", {"alias_domain": alias_domain, "target_domain": domain})
    body = {"address": f"alice@{alias_domain}", "goto": mailbox, "active": "1"}
    # alice@<alias domain> already reaches the mailbox through the alias domain.
    assert api.post("add/alias", body).json() == [
        {"type": "danger", "log": log("add", "alias", body),
         "msg": ["is_alias_or_mailbox", f"alice@{alias_domain}"]}]
    api.write("add/alias", {"address": f"sales@{alias_domain}", "goto": mailbox, "active": "1"})
    found = api.get_json(f"get/alias/all/{alias_domain}")
    assert [(a["address"], a["in_primary_domain"]) for a in found] == [
        (f"sales@{alias_domain}", domain)]
    assert api.get_json(f"get/domain/{domain}")["aliases_in_domain"] == 1
