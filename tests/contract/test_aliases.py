"""Aliases: recordings 10, 13, 16, 73, 75, A1, A2, D6-D9, E0, E1, E6."""
from __future__ import annotations

from .answers import alias_object, log, timeless


def added_id(answer: list, address: str) -> int:
    """The id from ["alias_added", address, "<id>"]; ids are the only volatile part."""
    assert len(answer) == 1 and answer[0]["type"] == "success", answer
    key, echoed, alias_id = answer[0]["msg"]
    assert (key, echoed) == ("alias_added", address) and alias_id.isdigit()
    return int(alias_id)


def test_add_then_list(api, domain, mailbox):
    body = {"address": f"info@{domain}", "goto": mailbox, "active": "1"}
    answer = api.post("add/alias", body).json()
    alias_id = added_id(answer, f"info@{domain}")
    assert answer[0]["log"] == log("add", "alias", body)
    # The mailbox's own alias row stays hidden.
    assert timeless(api.get_json(f"get/alias/all/{domain}")) == [
        alias_object(alias_id, f"info@{domain}", mailbox)]
    assert timeless(api.get_json(f"get/alias/{alias_id}")) == alias_object(
        alias_id, f"info@{domain}", mailbox)


def test_every_mailbox_takes_an_alias_id(api, domain, mailbox):
    first = added_id(api.write("add/alias", {"address": f"a1@{domain}", "goto": mailbox,
                                              "active": "1"}), f"a1@{domain}")
    api.write("add/mailbox", {"local_part": "bob", "domain": domain, "quota": "100",
                              "password": "S3cret-Pass1", "password2": "S3cret-Pass1"})
    second = added_id(api.write("add/alias", {"address": f"a2@{domain}", "goto": mailbox,
                                               "active": "1"}), f"a2@{domain}")
    assert second == first + 2


def test_catch_all_multi_goto_and_spam_trap(api, domain, mailbox):
    catch_all = added_id(api.write("add/alias", {"address": f"@{domain}", "goto": mailbox,
                                                  "active": "1"}), f"@{domain}")
    team = added_id(api.write("add/alias", {"address": f"team@{domain}",
                                             "goto": f"{mailbox},ext@remote.test",
                                             "active": "1"}), f"team@{domain}")
    trap = added_id(api.write("add/alias", {"address": f"spamtrap@{domain}", "goto_spam": "1",
                                             "active": "1"}), f"spamtrap@{domain}")
    assert timeless(api.get_json(f"get/alias/all/{domain}")) == [
        alias_object(catch_all, f"@{domain}", mailbox, is_catch_all=1),
        alias_object(team, f"team@{domain}", f"{mailbox},ext@remote.test"),
        alias_object(trap, f"spamtrap@{domain}", "spam@localhost"),
    ]


def test_refusals(api, domain, mailbox):
    api.write("add/alias", {"address": f"team@{domain}", "goto": mailbox, "active": "1"})
    cases = [
        ({"address": f"x@{domain}", "goto": "not-an-email", "active": "1"}, ["goto_invalid", "@"]),
        ({"address": "x@other-nope.test", "goto": mailbox, "active": "1"},
         ["domain_not_found", "other-nope.test"]),
        ({"address": f"team@{domain}", "goto": mailbox, "active": "1"},
         ["is_alias_or_mailbox", f"team@{domain}"]),
        ({"address": mailbox, "goto": f"team@{domain}", "active": "1"},
         ["is_alias_or_mailbox", mailbox]),
        ({"address": f"y@{domain}", "active": "1"}, "goto_empty"),
        ({"address": "", "goto": mailbox}, "alias_empty"),
    ]
    for body, msg in cases:
        assert api.post("add/alias", body).json() == [
            {"type": "danger", "log": log("add", "alias", body), "msg": msg}], body


def test_edit_then_get(api, domain, mailbox):
    alias_id = added_id(api.write("add/alias", {"address": f"info@{domain}",
                                                 "goto": "ext@remote.test", "active": "1"}),
                        f"info@{domain}")
    attr = {"goto": mailbox, "private_comment": "pc", "public_comment": "pub", "active": "1"}
    assert api.post("edit/alias", {"items": [str(alias_id)], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "alias", {"id": [str(alias_id)], **attr}),
         "msg": ["alias_modified", f"info@{domain}"]}]
    assert timeless(api.get_json(f"get/alias/{alias_id}")) == alias_object(
        alias_id, f"info@{domain}", mailbox, public_comment="pub", private_comment="pc",
        modified="<time>")


def test_edit_of_a_missing_alias(api):
    attr = {"active": "0"}
    assert api.post("edit/alias", {"items": ["999999999"], "attr": attr}).json() == [
        {"type": "danger", "log": log("edit", "alias", {"id": ["999999999"], **attr}),
         "msg": ["alias_invalid", None]}]


def test_delete_and_delete_again(api, domain, mailbox):
    alias_id = added_id(api.write("add/alias", {"address": f"info@{domain}", "goto": mailbox,
                                                 "active": "1"}), f"info@{domain}")
    items = [str(alias_id)]
    assert api.post("delete/alias", items).json() == [
        {"type": "success", "log": log("delete", "alias", {"id": items}),
         "msg": ["alias_removed", f"info@{domain}"]}]
    assert api.post("delete/alias", items).json() == [
        {"type": "danger", "log": log("delete", "alias", {"id": items}), "msg": "access_denied"}]
    assert api.get(f"get/alias/{alias_id}").text == "{}"


def test_deleting_a_mailbox_takes_its_aliases_along(api, domain, mailbox):
    only = added_id(api.write("add/alias", {"address": f"only@{domain}", "goto": mailbox,
                                             "active": "1"}), f"only@{domain}")
    shared = added_id(api.write("add/alias", {"address": f"shared@{domain}",
                                               "goto": f"{mailbox},ext@remote.test",
                                               "active": "1"}), f"shared@{domain}")
    api.post("delete/mailbox", [mailbox])
    assert api.get(f"get/alias/{only}").text == "{}"
    assert api.get_json(f"get/alias/{shared}")["goto"] == "ext@remote.test"
