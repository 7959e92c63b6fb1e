"""Sender-dependent transports and transport maps: recordings 24–27, A8, A9, and the rules
of Mailcow's functions.transports.inc.php; DKIM duplicate and import (recording 48)."""
from __future__ import annotations

import secrets

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def _ids(api, category):
    found = api.get_json(f"get/{category}/all")
    return {item["id"] for item in found} if isinstance(found, list) else set()


@pytest.fixture
def relayhost(api):
    """A relay as recording 24 added it; its id, deleted afterwards."""
    before = _ids(api, "relayhost")
    body = {"hostname": f"[smarthost-{secrets.token_hex(3)}.test]:587",
            "username": "relayuser", "password": "relaypw"}
    assert api.post("add/relayhost", body).json() == [
        {"type": "success", "log": ["relayhost", "add", body], "msg": ["relayhost_added", ""]}]
    (new,) = _ids(api, "relayhost") - before
    yield new, body["hostname"]
    api.post("delete/relayhost", [str(new)])


@pytest.fixture
def cleanup_transports(api):
    before = _ids(api, "transport")
    yield
    for stale in _ids(api, "transport") - before:
        api.post("delete/transport", [str(stale)])


def test_relayhost_get_is_recording_25(api, relayhost):
    new, hostname = relayhost
    assert api.get_json(f"get/relayhost/{new}") == {
        "id": new, "hostname": hostname, "username": "relayuser", "password": "relaypw",
        "active": 1, "password_short": "rel...", "used_by_domains": "",
        "used_by_mailboxes": ""}
    assert any(r["id"] == new for r in api.get_json("get/relayhost/all"))


def test_relayhost_without_host_is_refused(api):
    body = {"hostname": "  ", "username": "", "password": ""}
    assert api.post("add/relayhost", body).json() == [
        {"type": "danger", "log": ["relayhost", "add", body], "msg": ["invalid_host", ""]}]


def test_relayhost_colons_are_escaped_on_add(api, relayhost, cleanup_transports):
    body = {"hostname": "[colon.test]:25", "username": "a:b", "password": "c:d"}
    before = _ids(api, "relayhost")
    api.post("add/relayhost", body)
    (new,) = _ids(api, "relayhost") - before
    found = api.get_json(f"get/relayhost/{new}")
    api.post("delete/relayhost", [str(new)])
    # Mailcow escapes the username once and the password twice.
    assert (found["username"], found["password"]) == ("a\\:b", "c\\\\:d")


def test_relayhost_edit_keeps_an_absent_password(api, relayhost):
    new, _ = relayhost
    body = {"items": [str(new)], "attr": {"hostname": "[other.test]:2525", "username": "u2",
                                          "active": "0"}}
    assert api.post("edit/relayhost", body).json() == [
        {"type": "success", "log": ["relayhost", "edit", {"id": [str(new)], **body["attr"]}],
         "msg": ["object_modified", ""]}]
    found = api.get_json(f"get/relayhost/{new}")
    assert (found["hostname"], found["username"], found["password"], found["active"]) == \
        ("[other.test]:2525", "u2", "relaypw", 0)
    api.post("edit/relayhost", {"items": [str(new)], "attr": {"password": ""}})
    assert api.get_json(f"get/relayhost/{new}")["password"] == ""


def test_relayhost_edit_of_an_unknown_id(api):
    assert api.post("edit/relayhost", {"items": ["99999"], "attr": {"active": "1"}}).json() == [
        {"type": "danger", "log": ["relayhost", "edit", {"id": ["99999"], "active": "1"}],
         "msg": ["relayhost_invalid", "99999"]}]


def test_relayhost_in_use_is_listed_and_delete_resets_domains(api, relayhost, domain, mailbox):
    new, _ = relayhost
    api.write("edit/domain", {"items": [domain], "attr": {"relayhost": str(new)}})
    api.write("edit/mailbox", {"items": [mailbox], "attr": {"relayhost": str(new)}})
    found = api.get_json(f"get/relayhost/{new}")
    assert (found["used_by_domains"], found["used_by_mailboxes"]) == (domain, mailbox)
    # Recording A9: deleting answers success even while in use.
    assert api.post("delete/relayhost", [str(new)]).json() == [
        {"type": "success", "log": ["relayhost", "delete", {"id": [str(new)]}],
         "msg": ["relayhost_removed", str(new)]}]
    assert api.get_json(f"get/domain/{domain}")["relayhost"] == "0"
    # ...but the mailbox keeps pointing at the deleted relay.
    assert api.get_json(f"get/mailbox/{mailbox}")["attributes"]["relayhost"] == str(new)


def test_transport_add_get_delete_are_recordings_26_27_a8(api, cleanup_transports):
    dest = f"partner-{secrets.token_hex(3)}.test"
    body = {"active": "1", "destination": dest, "nexthop": f"[mx.{dest}]:25",
            "username": "", "password": ""}
    before = _ids(api, "transport")
    assert api.post("add/transport", body).json() == [
        {"type": "success", "log": ["transport", "add", body], "msg": ["relayhost_added", ""]}]
    (new,) = _ids(api, "transport") - before
    assert api.get_json(f"get/transport/{new}") == {
        "id": new, "is_mx_based": 0, "destination": dest, "nexthop": f"[mx.{dest}]:25",
        "username": "", "password": "", "active": 1, "password_short": "..."}
    assert api.post("delete/transport", [str(new)]).json() == [
        {"type": "success", "log": ["transport", "delete", {"id": [str(new)]}],
         "msg": ["relayhost_removed", str(new)]}]
    assert new not in _ids(api, "transport")


def _add(api, **fields):
    body = {"active": "1", "username": "", "password": "", **fields}
    return body, api.post("add/transport", body).json()


def test_transport_refusals(api, cleanup_transports):
    dest = f"p-{secrets.token_hex(3)}.test"
    _add(api, destination=dest, nexthop=f"[mx.{dest}]:25")
    body, answer = _add(api, destination=dest, nexthop=f"[mx2.{dest}]:25")
    assert answer == [{"type": "danger", "log": ["transport", "add", body],
                       "msg": ["transport_dest_exists", dest]}]
    body, answer = _add(api, destination="..bad.test", nexthop=f"[mx3.{dest}]:25")
    assert answer == [{"type": "danger", "log": ["transport", "add", body],
                       "msg": ["invalid_destination", "..bad.test"]}]
    body, answer = _add(api, destination="x." + dest, nexthop=f"mx.{dest}")
    assert answer == [{"type": "danger", "log": ["transport", "add", body],
                       "msg": ["next_hop_interferes_any", f"mx.{dest}"]}]
    body, answer = _add(api, destination="y." + dest, nexthop=f"[mx.{dest}]:25",
                        username="someone")
    assert answer == [{"type": "danger", "log": ["transport", "add", body],
                       "msg": "invalid_nexthop_authenticated"}]
    body, answer = _add(api, destination="z." + dest, nexthop=" ")
    assert answer == [{"type": "danger", "log": ["transport", "add", body],
                       "msg": ["invalid_nexthop"]}]


def test_transport_credentials_follow_the_next_hop(api, cleanup_transports):
    dest = f"c-{secrets.token_hex(3)}.test"
    hop = f"[relay.{dest}]:587"
    _, first = _add(api, destination="a." + dest, nexthop=hop, username="u", password="p1")
    _, second = _add(api, destination="b." + dest, nexthop=hop, username="u", password="p2")
    assert first[0]["type"] == second[0]["type"] == "success"
    same = [t for t in api.get_json("get/transport/all") if t["nexthop"] == hop]
    assert {t["password"] for t in same} == {"p2"} and len(same) == 2
    # Edit without a username drops the password.
    api.post("edit/transport", {"items": [str(same[0]["id"])], "attr": {"username": ""}})
    assert {t["password"] for t in api.get_json("get/transport/all")
            if t["nexthop"] == hop} == {""}


def test_transport_ip_next_hop_is_bracketed(api, cleanup_transports):
    dest = f"ip-{secrets.token_hex(3)}.test"
    _add(api, destination=dest, nexthop="192.0.2.7")
    assert [t["nexthop"] for t in api.get_json("get/transport/all")
            if t["destination"] == dest] == ["[192.0.2.7]"]


def test_transport_edit_to_an_existing_destination(api, cleanup_transports):
    dest = f"e-{secrets.token_hex(3)}.test"
    _add(api, destination="a." + dest, nexthop=f"[mx.a.{dest}]")
    _add(api, destination="b." + dest, nexthop=f"[mx.b.{dest}]")
    b = next(t for t in api.get_json("get/transport/all") if t["destination"] == "b." + dest)
    body = {"items": [str(b["id"])], "attr": {"destination": "a." + dest}}
    assert api.post("edit/transport", body).json() == [
        {"type": "danger", "log": ["transport", "edit", {"id": [str(b["id"])],
                                                         "destination": "a." + dest}],
         "msg": "transport_dest_exists"}]


def test_missing_entries_answer_an_empty_object(api):
    # Mailcow prints `{}` for an id that is not there (and for a category with none).
    assert api.get("get/relayhost/424242").text == "{}"
    assert api.get("get/transport/424242").text == "{}"


# -- DKIM duplicate and import ---------------------------------------------------------

def test_dkim_duplicate_is_recording_48(api, domain, new_domain):
    target = new_domain()
    body = {"from_domain": domain, "to_domain": target}
    assert api.post("add/dkim_duplicate", body).json() == [
        {"type": "success", "log": ["dkim", "duplicate", body],
         "msg": ["dkim_duplicated", domain, target]}]
    assert api.get_json(f"get/dkim/{target}")["pubkey"] == \
        api.get_json(f"get/dkim/{domain}")["pubkey"]
    api.post("delete/dkim", [target])


def _pem(bits=1024) -> tuple[str, str]:
    import base64

    key = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    return pem, base64.b64encode(der).decode()


def test_dkim_import(api, domain):
    pem, public = _pem()
    body = {"domain": domain, "dkim_selector": "imported", "private_key_file": pem,
            "overwrite_existing": "0"}
    assert api.post("add/dkim_import", body).json() == [
        {"type": "danger", "log": ["dkim", "import", body],
         "msg": ["dkim_domain_or_sel_exists", domain]}]
    body["overwrite_existing"] = "1"
    assert api.post("add/dkim_import", body).json() == [
        {"type": "success", "log": ["dkim", "delete", {"domains": domain}],
         "msg": ["dkim_removed", domain]},
        {"type": "success", "log": ["dkim", "import", body], "msg": ["dkim_added", domain]}]
    found = api.get_json(f"get/dkim/{domain}")
    assert (found["pubkey"], found["dkim_selector"], found["length"]) == (public, "imported",
                                                                          "1024")


def test_dkim_import_of_junk(api, domain):
    body = {"domain": domain, "dkim_selector": "x", "private_key_file": "not a key",
            "overwrite_existing": "1"}
    answer = api.post("add/dkim_import", body).json()
    assert len(answer) == 1 and answer[0]["type"] == "danger"
    assert answer[0]["msg"][0] == "private_key_error"
