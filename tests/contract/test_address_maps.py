"""BCC maps, recipient maps, TLS policy maps and forwarding hosts: recordings more/18–23,
28 and 29 as literals, and the refusals of Mailcow's functions for them."""
from __future__ import annotations

import pytest

from .answers import timeless


def _delete_all(api, area, key="id"):
    """Delete every entry of `area` a test left behind."""
    found = api.get_json(f"get/{area}/all")
    keys = [m[key] for m in found] if isinstance(found, list) else []
    if keys:
        api.post(f"delete/{area}", keys)


@pytest.fixture
def bcc_cleanup(api):
    yield
    _delete_all(api, "bcc")


@pytest.fixture
def rmap_cleanup(api):
    yield
    _delete_all(api, "recipient_map")


@pytest.fixture
def tls_cleanup(api):
    yield
    _delete_all(api, "tls-policy-map")


@pytest.fixture
def fwd_cleanup(api):
    yield
    _delete_all(api, "fwdhost", key="host")


# -- BCC ---------------------------------------------------------------------------------

def test_bcc_add_and_get_as_recorded(api, domain, bcc_cleanup):
    body = {"active": "1", "bcc_dest": "archive@example.test", "local_dest": domain,
            "type": "sender"}
    assert api.post("add/bcc", body).json() == [
        {"type": "success", "log": ["bcc", "add", body, None], "msg": "bcc_saved"}]
    found = [m for m in api.get_json("get/bcc/all") if m["domain"] == domain]
    assert [timeless({**m, "id": 0}) for m in found] == [
        {"id": 0, "local_dest": f"@{domain}", "bcc_dest": "archive@example.test", "active": 1,
         "type": "sender", "created": "<time>", "domain": domain, "modified": None}]
    # The single read carries json_api.php's stray null element.
    one = api.get_json(f"get/bcc/{found[0]['id']}")
    assert one["local_dest"] == f"@{domain}" and one["0"] is None


def test_bcc_refusals(api, domain, mailbox, bcc_cleanup):
    def refused(body):
        answer = api.post("add/bcc", {"active": "1", "type": "rcpt",
                                      "bcc_dest": "copy@example.test", **body}).json()
        return [m["msg"] for m in answer if m["type"] == "danger"]

    assert refused({"type": "both", "local_dest": domain}) == ["invalid_bcc_map_type"]
    assert refused({"local_dest": domain, "bcc_dest": ""}) == ["bcc_empty"]
    assert refused({"local_dest": "nosuchdomain.test"}) == ["access_denied"]
    assert refused({"local_dest": f"ghost@{domain}"}) == ["access_denied"]
    assert refused({"local_dest": domain, "bcc_dest": "a@b.test,c@d.test"}) == [
        ["bcc_must_be_email", "a@b.test,c@d.test"]]
    # Neither a domain nor an address: false without a message, so the generic error.
    assert api.post("add/bcc", {"local_dest": "not valid!", "type": "rcpt",
                                "bcc_dest": "x@example.test"}).json() == \
        {"type": "error", "msg": "Cannot add item"}
    api.write("add/bcc", {"local_dest": mailbox, "bcc_dest": "copy@example.test",
                          "type": "rcpt", "active": "1"})
    assert refused({"local_dest": mailbox.upper()}) == [["bcc_exists", mailbox, "rcpt"]]
    # Another type for the same destination is a second map.
    api.write("add/bcc", {"local_dest": mailbox, "bcc_dest": "copy@example.test",
                          "type": "sender", "active": "1"})


def test_bcc_edit_and_delete(api, domain, bcc_cleanup):
    api.write("add/bcc", {"local_dest": domain, "bcc_dest": "a@example.test", "type": "rcpt",
                          "active": "1"})
    api.write("add/bcc", {"local_dest": domain, "bcc_dest": "a@example.test",
                          "type": "sender", "active": "1"})
    rcpt, sender = sorted((m for m in api.get_json("get/bcc/all") if m["domain"] == domain),
                          key=lambda m: m["type"])
    attr = {"bcc_dest": "b@example.test", "active": "0"}
    assert api.post("edit/bcc", {"items": [rcpt["id"]], "attr": attr}).json() == [
        {"type": "success", "log": ["bcc", "edit", {"id": [rcpt["id"]], **attr}, None],
         "msg": ["bcc_edited", "b@example.test"]}]
    answer = api.post("edit/bcc", {"items": [rcpt["id"]], "attr": {"type": "sender"}}).json()
    assert answer[0]["msg"] == ["bcc_exists", f"@{domain}", "sender"]
    answer = api.post("edit/bcc", {"items": [rcpt["id"], 999999],
                                   "attr": {"active": "1"}}).json()
    assert [m["type"] for m in answer] == ["success", "danger"]
    assert answer[1]["msg"] == "access_denied"
    assert api.post("delete/bcc", [str(sender["id"])]).json() == [
        {"type": "success", "log": ["bcc", "delete", {"id": [str(sender["id"])]}, None],
         "msg": ["bcc_deleted", str(sender["id"])]}]
    left = [m for m in api.get_json("get/bcc/all") if m["domain"] == domain]
    assert [(m["bcc_dest"], m["active"]) for m in left] == [("b@example.test", 1)]


# -- recipient maps ----------------------------------------------------------------------

def test_recipient_map_add_and_get_as_recorded(api, rmap_cleanup):
    body = {"active": "1", "recipient_map_new": "alice@example.test",
            "recipient_map_old": "old@example.test"}
    assert api.post("add/recipient_map", body).json() == [
        {"type": "success", "log": ["recipient_map", "add", body, None],
         "msg": ["recipient_map_entry_saved", "old@example.test"]}]
    assert [timeless({**m, "id": 0}) for m in api.get_json("get/recipient_map/all")] == [
        {"id": 0, "recipient_map_old": "old@example.test",
         "recipient_map_new": "alice@example.test", "active": 1, "created": "<time>",
         "modified": None}]


def test_recipient_map_rules(api, rmap_cleanup):
    def msgs(path, body):
        return [m["msg"] for m in api.post(path, body).json() if m["type"] == "danger"]

    api.write("add/recipient_map", {"recipient_map_old": "@Old-Domain.test",
                                    "recipient_map_new": "New@Example.test", "active": "1"})
    found = api.get_json("get/recipient_map/all")
    assert [(m["recipient_map_old"], m["recipient_map_new"]) for m in found] == [
        ("@old-domain.test", "new@example.test")]
    assert msgs("add/recipient_map", {"recipient_map_old": "old-domain.test",
                                      "recipient_map_new": "x@example.test"}) == [
        ["recipient_map_entry_exists", "@old-domain.test"]]
    assert msgs("add/recipient_map", {"recipient_map_old": "no such",
                                      "recipient_map_new": "x@example.test"}) == [
        ["invalid_recipient_map_old", "no such"]]
    assert msgs("add/recipient_map", {"recipient_map_old": "a@example.test",
                                      "recipient_map_new": "example.test"}) == [
        ["invalid_recipient_map_new", "example.test"]]
    map_id = found[0]["id"]
    answer = api.post("edit/recipient_map", {"items": [map_id],
                                             "attr": {"recipient_map_new": "other@example.test",
                                                      "active": "0"}}).json()
    assert answer[0]["msg"] == ["recipient_map_entry_saved", "@old-domain.test"]
    assert api.post("delete/recipient_map", [map_id]).json()[0]["msg"] == [
        "recipient_map_entry_deleted", str(map_id)]
    assert api.get("get/recipient_map/all").text == "{}"


# -- TLS policy maps ---------------------------------------------------------------------

def test_tls_policy_map_add_and_get_as_recorded(api, tls_cleanup):
    body = {"parameters": "", "active": "1", "dest": "partner.test", "policy": "encrypt"}
    assert api.post("add/tls-policy-map", body).json() == [
        {"type": "success", "log": ["tls_policy_maps", "add", body, None],
         "msg": ["tls_policy_map_entry_saved", "partner.test"]}]
    assert [timeless({**m, "id": 0}) for m in api.get_json("get/tls-policy-map/all")] == [
        {"id": 0, "dest": "partner.test", "policy": "encrypt", "parameters": "", "active": 1,
         "created": "<time>", "modified": None}]


def test_tls_policy_map_rules(api, tls_cleanup):
    def msgs(path, body):
        return [m["msg"] for m in api.post(path, body).json() if m["type"] == "danger"]

    api.write("add/tls-policy-map", {"dest": "bank.test", "policy": " SECURE ",
                                     "parameters": "match=.bank.test", "active": "1"})
    api.write("add/tls-policy-map", {"dest": "other.test", "policy": "dane", "active": "1"})
    first, second = api.get_json("get/tls-policy-map/all")
    assert (first["policy"], first["parameters"]) == ("secure", "match=.bank.test")
    assert msgs("add/tls-policy-map", {"dest": "bank.test", "policy": "may"}) == [
        ["tls_policy_map_entry_exists", "bank.test"]]
    assert msgs("add/tls-policy-map", {"dest": "x.test", "policy": "verify",
                                       "parameters": "match=x.test ciphers"}) == [
        "tls_policy_map_parameter_invalid"]
    # An edit onto another destination is refused with the recipient-map key (sic).
    assert msgs("edit/tls-policy-map", {"items": [second["id"]],
                                        "attr": {"dest": "bank.test"}}) == [
        ["recipient_map_entry_exists", "bank.test"]]
    api.write("edit/tls-policy-map", {"items": [first["id"], second["id"]],
                                      "attr": {"active": "0"}})
    assert [m["active"] for m in api.get_json("get/tls-policy-map/all")] == [0, 0]


def test_tls_policy_outside_the_enum_is_a_server_error(api, sandbox_only, tls_cleanup):
    assert api.post("add/tls-policy-map", {"dest": "z.test", "policy": "always"}).status_code \
        == 500
    assert api.get("get/tls-policy-map/all").text == "{}"


# -- forwarding hosts --------------------------------------------------------------------

def test_fwdhost_add_and_get_as_recorded(api, fwd_cleanup):
    body = {"hostname": "192.0.2.10", "filter_spam": "0"}
    assert api.post("add/fwdhost", body).json() == [
        {"type": "success", "log": ["fwdhost", "add", body],
         "msg": ["forwarding_host_added", "192.0.2.10"]}]
    assert api.get_json("get/fwdhost/all") == [
        {"host": "192.0.2.10", "source": "192.0.2.10", "keep_spam": "yes"}]


def test_fwdhost_name_resolution_edit_and_delete(api, sandbox_only, fwd_cleanup):
    answer = api.post("add/fwdhost", {"hostname": "relay.partner.example",
                                      "filter_spam": "1"}).json()
    assert answer[0]["msg"] == ["forwarding_host_added", "192.0.2.25, 2001:db8:25::25"]
    assert api.get_json("get/fwdhost/all") == [
        {"host": "192.0.2.25", "source": "relay.partner.example", "keep_spam": "no"},
        {"host": "2001:db8:25::25", "source": "relay.partner.example", "keep_spam": "no"}]
    assert api.post("add/fwdhost", {"hostname": "unknown.invalid"}).json()[0]["msg"] == [
        "invalid_host", "unknown.invalid"]
    answer = api.post("edit/fwdhost", {"items": ["192.0.2.25", "198.51.100.9"],
                                       "attr": {"keep_spam": "1"}}).json()
    assert [(m["type"], m["msg"]) for m in answer] == [
        ("success", ["object_modified", "192.0.2.25"]), ("danger", "access_denied")]
    assert api.get_json("get/fwdhost/192.0.2.25")["keep_spam"] == "yes"
    answer = api.post("delete/fwdhost", ["192.0.2.25", "2001:db8:25::25"]).json()
    assert [m["msg"] for m in answer] == [["forwarding_host_removed", "192.0.2.25"],
                                          ["forwarding_host_removed", "2001:db8:25::25"]]
    assert answer[0]["log"] == ["fwdhost", "delete",
                                {"forwardinghost": ["192.0.2.25", "2001:db8:25::25"]}]
    assert api.get("get/fwdhost/all").text == "{}"


def test_fwdhost_cidr_is_stored_as_typed(api, fwd_cleanup):
    api.write("add/fwdhost", {"hostname": " 198.51.100.0/24 ", "filter_spam": "1"})
    assert api.get_json("get/fwdhost/all") == [
        {"host": "198.51.100.0/24", "source": " 198.51.100.0/24 ", "keep_spam": "no"}]
