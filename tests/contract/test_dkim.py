"""DKIM: recordings 47, 49, C3, D0; real RSA keys of the requested size."""
from __future__ import annotations

import base64

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPublicKey
from cryptography.hazmat.primitives.serialization import load_der_public_key


def test_adding_a_domain_makes_a_2048_bit_key(api, domain):
    found = api.get_json(f"get/dkim/{domain}")
    key = load_der_public_key(base64.b64decode(found["pubkey"]))
    assert isinstance(key, RSAPublicKey) and key.key_size == 2048
    assert found == {"pubkey": found["pubkey"], "length": "2048",
                     "dkim_txt": "v=DKIM1;k=rsa;t=s;s=email;p=" + found["pubkey"],
                     "dkim_selector": "dkim", "privkey": ""}


def test_a_second_key_is_refused(api, domain):
    body = {"dkim_selector": "dkim", "domains": domain, "key_size": "2048"}
    assert api.post("add/dkim", body).json() == [
        {"type": "danger", "log": ["dkim", "add", body],
         "msg": ["dkim_domain_or_sel_invalid", domain]}]


def test_delete_then_add_with_another_selector_and_size(api, domain):
    assert api.post("delete/dkim", [domain]).json() == [
        {"type": "success", "log": ["dkim", "delete", {"domains": [domain]}],
         "msg": ["dkim_removed", domain]}]
    assert api.get(f"get/dkim/{domain}").text == "{}"
    body = {"dkim_selector": "mail2026", "domains": domain, "key_size": "1024"}
    assert api.post("add/dkim", body).json() == [
        {"type": "success", "log": ["dkim", "add", body], "msg": ["dkim_added", domain]}]
    found = api.get_json(f"get/dkim/{domain}")
    assert (found["length"], found["dkim_selector"]) == ("1024", "mail2026")


def test_no_key_for_a_domain_mailcow_does_not_know(api):
    body = {"dkim_selector": "dkim", "domains": "nope-nope.test", "key_size": "2048"}
    assert api.post("add/dkim", body).json() == [
        {"type": "danger", "log": ["dkim", "add", body],
         "msg": ["access_denied", "nope-nope.test"]}]


def test_domain_add_with_its_own_selector_and_size(api, new_domain):
    name = new_domain()
    answer = api.write("add/domain", {"domain": name, "dkim_selector": "s1", "key_size": "1024"})
    assert answer[0] == {"type": "success",
                         "log": ["dkim", "add", {"key_size": 1024, "dkim_selector": "s1",
                                                 "domains": name}],
                         "msg": ["dkim_added", name]}
    assert api.get_json(f"get/dkim/{name}")["dkim_selector"] == "s1"
