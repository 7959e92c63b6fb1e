"""Resources: recordings 12 (add), 13 (get all), C0 (delete), and Mailcow's refusals."""
from __future__ import annotations

import pytest

from .answers import log

ROOM = {"active": "1", "description": "Room 1", "kind": "location", "multiple_bookings": "0",
        "multiple_bookings_custom": "", "multiple_bookings_select": "0"}


def resource_object(name: str, domain: str, **changes) -> dict:
    """get/resource/{name} as recording 13 shows it, keys in Mailcow's order."""
    return {"name": name, "kind": "location", "multiple_bookings": 0, "description": "Room 1",
            "active": 1, "active_int": 1, "domain": domain, "local_part": name.split("@")[0],
            **changes}


@pytest.fixture
def resources(api, domain):
    """The test domain; its resources are deleted first, as Mailcow keeps a domain that
    still has any (they are rows of its mailbox table)."""
    yield domain
    found = api.get_json("get/resource/all")
    names = [r["name"] for r in found if isinstance(found, list) and r["domain"] == domain]
    if names:
        api.post("delete/resource", names)


def test_add_get_delete_as_recorded(api, resources):
    domain = resources
    body = {**ROOM, "domain": domain}
    name = f"Room1@{domain}"
    assert api.post("add/resource", body).json() == [
        {"type": "success", "log": log("add", "resource", body),
         "msg": ["resource_added", name]}]
    listed = [r for r in api.get_json("get/resource/all") if r["domain"] == domain]
    assert listed == [resource_object(name, domain)]
    assert api.get_json(f"get/resource/{name}") == resource_object(name, domain)
    assert api.post("delete/resource", [name]).json() == [
        {"type": "success", "log": log("delete", "resource", {"name": [name]}),
         "msg": ["resource_removed", name]}]
    assert api.get("get/resource/" + name).text == "{}"


def test_kinds_bookings_and_inactive(api, resources):
    domain = resources
    api.write("add/resource", {"description": "Team A", "kind": "group", "domain": domain,
                               "multiple_bookings": "-1", "active": "1"})
    api.write("add/resource", {"description": "Beamer #2!", "kind": "thing", "domain": domain,
                               "multiple_bookings": "3", "active": "0"})
    api.write("add/resource", {"description": "Van", "kind": "thing", "domain": domain,
                               "multiple_bookings": "-7"})
    got = {r["name"]: r for r in api.get_json("get/resource/all") if r["domain"] == domain}
    assert got[f"TeamA@{domain}"] == resource_object(
        f"TeamA@{domain}", domain, kind="group", multiple_bookings=-1, description="Team A")
    # Only ASCII letters and digits make the address; the description is kept whole.
    assert got[f"Beamer2@{domain}"] == resource_object(
        f"Beamer2@{domain}", domain, kind="thing", multiple_bookings=3,
        description="Beamer #2!", active=0, active_int=0)
    # Below -1 becomes -1; a missing `active` is 0.
    assert got[f"Van@{domain}"] == resource_object(
        f"Van@{domain}", domain, kind="thing", multiple_bookings=-1, description="Van",
        active=0, active_int=0)


def test_add_refusals(api, resources):
    domain = resources
    api.write("add/resource", {**ROOM, "domain": domain})
    api.write("add/mailbox", {"local_part": "alice", "domain": domain, "quota": "100",
                              "password": "S3cret-Pass1", "password2": "S3cret-Pass1"})
    api.write("add/alias", {"address": f"hall@{domain}", "goto": f"alice@{domain}",
                            "active": "1"})
    api.write("add/alias-domain", {"alias_domain": f"alias-{domain}", "target_domain": domain,
                                   "active": "1"})
    cases = [
        # The address is checked first: no letter or digit, no address.
        ({**ROOM, "domain": domain, "description": ""}, "resource_invalid"),
        ({**ROOM, "domain": domain, "description": "--- !!"}, "resource_invalid"),
        ({**ROOM, "domain": ""}, "resource_invalid"),
        # "0" is empty to PHP but makes the valid address 0@domain.
        ({**ROOM, "domain": domain, "description": "0"}, "description_invalid"),
        ({**ROOM, "domain": domain, "kind": "room"}, "resource_invalid"),
        ({**ROOM, "domain": domain, "kind": ""}, "resource_invalid"),
        ({**ROOM, "domain": "nowhere-at-all.test"}, "access_denied"),
        ({**ROOM, "domain": domain}, ["object_exists", f"Room1@{domain}"]),
        ({**ROOM, "domain": domain, "description": "Room 1", "kind": "thing"},
         ["object_exists", f"Room1@{domain}"]),
        ({**ROOM, "domain": domain, "description": "alice"}, ["object_exists",
                                                               f"alice@{domain}"]),
        ({**ROOM, "domain": domain, "description": "Hall"}, ["is_alias", f"Hall@{domain}"]),
        ({**ROOM, "domain": f"alias-{domain}"}, ["domain_not_found", f"alias-{domain}"]),
    ]
    for body, msg in cases:
        assert api.post("add/resource", body).json() == [
            {"type": "danger", "log": log("add", "resource", body), "msg": msg}], body
    try:
        names = [r["name"] for r in api.get_json("get/resource/all") if r["domain"] == domain]
        assert names == [f"Room1@{domain}"]
    finally:
        api.post("delete/alias-domain", [f"alias-{domain}"])


def test_resources_are_not_mailboxes(api, resources):
    domain = resources
    api.write("add/resource", {**ROOM, "domain": domain})
    assert api.get_json(f"get/domain/{domain}")["mboxes_in_domain"] == 0
    assert api.get("get/mailbox/Room1@" + domain).text == "{}"
    # A mailbox cannot take a resource's address, and a domain with resources stays.
    answer = api.post("add/mailbox", {"local_part": "room1", "domain": domain, "quota": "100",
                                      "password": "S3cret-Pass1",
                                      "password2": "S3cret-Pass1"}).json()
    assert answer[-1]["type"] == "danger" and answer[-1]["msg"] == [
        "object_exists", f"room1@{domain}"]
    assert api.post("delete/domain", [domain]).json()[-1]["msg"] == ["domain_not_empty", domain]


def test_edit_then_get(api, resources):
    domain = resources
    name = f"Room1@{domain}"
    api.write("add/resource", {**ROOM, "domain": domain})
    attr = {"description": "Board room", "kind": "group", "multiple_bookings": "5",
            "active": "0"}
    assert api.post("edit/resource", {"items": [name], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "resource", {"name": [name], **attr}),
         "msg": ["resource_modified", name]}]
    # The address stays what the first description made it.
    assert api.get_json(f"get/resource/{name}") == resource_object(
        name, domain, kind="group", multiple_bookings=5, description="Board room", active=0,
        active_int=0)
    # Attributes left out keep their values.
    api.write("edit/resource", {"items": [name], "attr": {"active": "1"}})
    assert api.get_json(f"get/resource/{name}")["description"] == "Board room"
    assert api.get_json(f"get/resource/{name}")["multiple_bookings"] == 5


def test_edit_refusals_and_bulk(api, resources):
    domain = resources
    api.write("add/resource", {**ROOM, "domain": domain})
    api.write("add/resource", {**ROOM, "domain": domain, "description": "Room 2"})
    one, two = f"Room1@{domain}", f"Room2@{domain}"
    attr = {"kind": "hall"}
    assert api.post("edit/resource", {"items": [one], "attr": attr}).json() == [
        {"type": "danger", "log": log("edit", "resource", {"name": [one], **attr}),
         "msg": ["resource_invalid", one]}]
    missing = f"Nobody@{domain}"
    attr = {"active": "0"}
    assert api.post("edit/resource", {"items": [one, missing, two], "attr": attr}).json() == [
        {"type": "success", "log": log("edit", "resource", {"name": [one, missing, two], **attr}),
         "msg": ["resource_modified", one]},
        {"type": "danger", "log": log("edit", "resource", {"name": [one, missing, two], **attr}),
         "msg": ["resource_invalid", missing]},
        {"type": "success", "log": log("edit", "resource", {"name": [one, missing, two], **attr}),
         "msg": ["resource_modified", two]},
    ]
    assert [r["active"] for r in api.get_json("get/resource/all") if r["domain"] == domain] \
        == [0, 0]


def test_delete_refusals_and_bulk(api, resources):
    domain = resources
    api.write("add/resource", {**ROOM, "domain": domain})
    api.write("add/resource", {**ROOM, "domain": domain, "description": "Room 2"})
    names = [f"Room1@{domain}", "not-an-address", f"Room2@{domain}", "x@nowhere-at-all.test"]
    entry = {"log": log("delete", "resource", {"name": names})}
    assert api.post("delete/resource", names).json() == [
        {"type": "success", **entry, "msg": ["resource_removed", names[0]]},
        {"type": "danger", **entry, "msg": "access_denied"},
        {"type": "success", **entry, "msg": ["resource_removed", names[2]]},
        {"type": "danger", **entry, "msg": "access_denied"},
    ]
    assert [r for r in api.get_json("get/resource/all") or [] if r["domain"] == domain] == []


def test_unknown_resource_reads_as_empty_object(api):
    assert api.get("get/resource/nobody@nowhere-at-all.test").text == "{}"
