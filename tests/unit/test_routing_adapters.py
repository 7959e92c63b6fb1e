"""Relayhost, transport and DKIM adapters: Mailcow's wire format in, requests out, and
passwords dropped at the door (recordings 24–27, 47–49)."""
import json

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from panel.forms.dkim import read_private_key
from panel.forms.routing import destination_problem, next_hop_problem
from panel.mailcow.client import MailcowClient
from panel.mailcow.dkim import DkimApi, public_key_bits
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.relayhosts import (
    CLEAR,
    KEEP,
    REPLACE,
    RelayhostSettings,
    RelayhostsApi,
)
from panel.mailcow.relayhosts import from_wire as relayhost_from_wire
from panel.mailcow.transports import TransportSettings, TransportsApi, split_destinations
from panel.mailcow.transports import from_wire as transport_from_wire

# Recording 25_get_relayhost_all, with users added.
RELAYHOST = {"id": 1, "hostname": "[smarthost.test]:587", "username": "relayuser",
             "password": "relaypw", "active": 1, "password_short": "rel...",
             "used_by_domains": "a.test, b.test", "used_by_mailboxes": "x@a.test"}
# Recording 27_get_transport_all.
TRANSPORT = {"id": 1, "is_mx_based": 0, "destination": "partner.test",
             "nexthop": "[mx.partner.test]:25", "username": "", "password": "", "active": 1,
             "password_short": "..."}
# Recording 47_get_dkim (shortened key: the adapter does not check it).
DKIM = {"pubkey": "MIIB", "length": "2048", "dkim_txt": "v=DKIM1;k=rsa;t=s;s=email;p=MIIB",
        "dkim_selector": "dkim", "privkey": ""}
OK = [{"type": "success", "log": [], "msg": ["relayhost_added", ""]}]


class Fake:
    """MailcowClient over a MockTransport answering from a queue; requests are kept."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        client = MailcowClient("http://mailcow.test", "rw", "ro",
                               transport=httpx.MockTransport(self.handle))
        self.relayhosts, self.transports = RelayhostsApi(client), TransportsApi(client)
        self.dkim = DkimApi(client)

    def handle(self, request):
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        return httpx.Response(200, json=self.answers.pop(0))


def test_relayhost_from_wire_keeps_no_password():
    r = relayhost_from_wire(RELAYHOST)
    assert (r.id, r.hostname, r.username, r.active) == (1, "[smarthost.test]:587",
                                                         "relayuser", True)
    assert r.password_set and r.in_use
    assert r.used_by_domains == ("a.test", "b.test") and r.used_by_mailboxes == ("x@a.test",)
    assert "relaypw" not in repr(r) and "rel..." not in repr(r)
    assert not hasattr(r, "password") and not hasattr(r, "password_short")
    empty = relayhost_from_wire({**RELAYHOST, "password": "", "used_by_domains": "",
                                 "used_by_mailboxes": "", "active": 0})
    assert not empty.password_set and not empty.in_use and not empty.active


def test_transport_from_wire_keeps_no_password():
    t = transport_from_wire({**TRANSPORT, "username": "u", "password": "secret-pw",
                             "is_mx_based": 1})
    assert (t.id, t.destination, t.nexthop, t.username) == (1, "partner.test",
                                                            "[mx.partner.test]:25", "u")
    assert t.password_set and t.is_mx_based and t.active
    assert "secret-pw" not in repr(t) and not hasattr(t, "password")


def test_all_reads_mailcows_empty_object_as_no_entries():
    fake = Fake({}, {})
    assert fake.relayhosts.all() == [] and fake.transports.all() == []
    assert [r[1] for r in fake.requests] == ["/api/v1/get/relayhost/all",
                                             "/api/v1/get/transport/all"]


def test_get_of_a_missing_entry_is_not_found():
    fake = Fake({}, {})
    with pytest.raises(NotFound):
        fake.relayhosts.get(9)
    with pytest.raises(NotFound):
        fake.transports.get(9)


def test_relayhost_add_is_recording_24():
    fake = Fake(OK)
    fake.relayhosts.add(RelayhostSettings("[smarthost.test]:587", "relayuser", "relaypw"))
    assert fake.requests == [("POST", "/api/v1/add/relayhost",
                              {"hostname": "[smarthost.test]:587", "username": "relayuser",
                               "password": "relaypw"})]


@pytest.mark.parametrize("action, sent", [(KEEP, None), (REPLACE, "new-pw"), (CLEAR, "")])
def test_relayhost_edit_password_actions(action, sent):
    fake = Fake(OK)
    settings = RelayhostSettings("[h.test]:25", "u", "new-pw", password_action=action,
                                 active=False)
    fake.relayhosts.edit(3, settings)
    _, path, body = fake.requests[0]
    assert path == "/api/v1/edit/relayhost" and body["items"] == ["3"]
    assert body["attr"]["active"] == "0" and body["attr"]["hostname"] == "[h.test]:25"
    # Mailcow keeps the stored password only when the attribute is absent.
    assert body["attr"].get("password") == sent
    assert ("password" in body["attr"]) == (sent is not None)
    assert "new-pw" not in repr(settings) and "new-pw" not in str(settings.audit_view())


def test_transport_add_and_edit_wire():
    fake = Fake(OK, OK, OK)
    settings = TransportSettings("partner.test", "[mx.partner.test]:25")
    fake.transports.add(settings)
    assert fake.requests[0][2] == {"destination": "partner.test",
                                   "nexthop": "[mx.partner.test]:25", "username": "",
                                   "password": "", "is_mx_based": "0", "active": "1"}
    fake.transports.edit(1, TransportSettings("p.test", "[x.test]:25", "u", "",
                                              password_action=KEEP, is_mx_based=True))
    assert fake.requests[1][2] == {"items": ["1"], "attr": {
        "destination": "p.test", "nexthop": "[x.test]:25", "username": "u",
        "is_mx_based": "1", "active": "1"}}
    fake.transports.delete([1, 2])
    assert fake.requests[2][1:] == ("/api/v1/delete/transport", ["1", "2"])


def test_transport_refusal_is_readable():
    fake = Fake([{"type": "danger", "log": [], "msg": ["transport_dest_exists", "p.test"]}])
    with pytest.raises(MailcowRefused) as caught:
        fake.transports.add(TransportSettings("p.test", "x.test"))
    assert caught.value.message == "A transport for destination p.test already exists"


def test_split_destinations_like_mailcow():
    assert split_destinations("a.test, b.test;c.test\n a.test") == ["a.test", "b.test",
                                                                   "c.test"]


@pytest.mark.parametrize("value, ok", [
    ("[mx.partner.test]:25", True), ("mx.partner.test:587", True), ("mx.partner.test", True),
    ("10.0.0.1", True), ("[2001:db8::1]:25", True), ("2001:db8::1", True),
    ("smtp:[mx.test]:25", False), ("relay:mx.test", False), ("[mx.test]:99999", False),
    ("[mx.test", False), ("bad host", False), ("[a]b:25", False), ("-x.test", False),
])
def test_next_hop_rules(value, ok):
    assert (next_hop_problem(value) is None) == ok


@pytest.mark.parametrize("value, mx, ok", [
    ("partner.test", False, True), (".partner.test", False, True), ("*", False, True),
    ("user@partner.test", False, True), ("..partner.test", False, False),
    ("not a domain", False, False), (r".*\.google\.com", True, True), ("(", True, False),
    ("a/b", True, False),
])
def test_destination_rules(value, mx, ok):
    assert (destination_problem(value, mx) is None) == ok


# -- DKIM ------------------------------------------------------------------------------

def _pem(key, fmt=serialization.PrivateFormat.PKCS8, encryption=None) -> str:
    return key.private_bytes(serialization.Encoding.PEM, fmt,
                             encryption or serialization.NoEncryption()).decode()


@pytest.fixture(scope="module")
def rsa_1024():
    return rsa.generate_private_key(public_exponent=65537, key_size=1024)


def test_dkim_requests(rsa_1024):
    fake = Fake(DKIM, {}, OK, OK, OK, OK)
    key = fake.dkim.get("example.test")
    assert (key.selector, key.length, key.record_name) == ("dkim", 2048,
                                                           "dkim._domainkey.example.test")
    assert fake.dkim.get("none.test") is None
    fake.dkim.add(["example.test"], "s1", 3072)
    fake.dkim.duplicate("example.test", ["alias-example.test"])
    fake.dkim.import_key("example.test", "s2", "PEM", overwrite=True)
    fake.dkim.delete(["example.test"])
    assert [r[1:] for r in fake.requests[2:]] == [
        ("/api/v1/add/dkim", {"domains": "example.test", "dkim_selector": "s1",
                              "key_size": "3072"}),
        ("/api/v1/add/dkim_duplicate", {"from_domain": "example.test",
                                        "to_domain": ["alias-example.test"]}),
        ("/api/v1/add/dkim_import", {"domain": "example.test", "dkim_selector": "s2",
                                     "private_key_file": "PEM", "overwrite_existing": "1"}),
        ("/api/v1/delete/dkim", ["example.test"]),
    ]


def test_key_size_read_from_the_public_key():
    import base64

    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    der = key.public_key().public_bytes(serialization.Encoding.DER,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    # Mailcow would call this "2048"; the real size is read from the key.
    assert public_key_bits(base64.b64encode(der).decode()) == 3072
    assert public_key_bits("not base64!") is None


def test_private_key_checks(rsa_1024):
    assert read_private_key(_pem(rsa_1024))[0].key_size == 1024
    assert read_private_key(_pem(rsa_1024, serialization.PrivateFormat.TraditionalOpenSSL)
                            .replace("\n", "\r\n"))[1] is None
    encrypted = _pem(rsa_1024, encryption=serialization.BestAvailableEncryption(b"pw"))
    assert "passphrase" in read_private_key(encrypted)[1]
    assert "PEM" in read_private_key("hello")[1]
    assert "readable" in read_private_key("-----BEGIN PRIVATE KEY-----\nAAAA\n"
                                          "-----END PRIVATE KEY-----")[1]
    ec_key = ec.generate_private_key(ec.SECP256R1())
    assert "RSA" in read_private_key(_pem(ec_key))[1]
