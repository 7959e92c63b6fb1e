"""BCC, recipient and TLS policy maps and forwarding hosts: Mailcow's wire format in (the
recordings more/19, 21, 23, 29), the requests MailApp sends out, and the form rules."""
from datetime import datetime

import pytest

from panel.forms.address_rules import is_address, is_domain_name
from panel.forms.fwdhosts import host_kind
from panel.mailcow.bcc import BccApi, BccSettings
from panel.mailcow.bcc import from_wire as bcc_from_wire
from panel.mailcow.client import read_messages
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.fwdhosts import ForwardingHostsApi, added_hosts
from panel.mailcow.fwdhosts import from_wire as fwd_from_wire
from panel.mailcow.paging import PageRequest
from panel.mailcow.recipient_maps import RecipientMapsApi, RecipientMapSettings
from panel.mailcow.recipient_maps import from_wire as rmap_from_wire
from panel.mailcow.tls_policy import TlsPolicyApi, TlsPolicySettings, parameters_valid
from panel.mailcow.tls_policy import from_wire as tls_from_wire
from panel.services.fetched_lists import paginate

BCC = {"id": 1, "local_dest": "@example.test", "bcc_dest": "archive@example.test",
       "active": 1, "type": "sender", "created": "2026-11-21 23:48:32",
       "domain": "example.test", "modified": None}
RMAP = {"id": 1, "recipient_map_old": "old@example.test",
        "recipient_map_new": "alice@example.test", "active": 1,
        "created": "2026-11-21 23:48:32", "modified": None}
TLS = {"id": 1, "dest": "partner.test", "policy": "encrypt", "parameters": "", "active": 1,
       "created": "2026-11-21 23:48:32", "modified": None}
FWD = {"host": "192.0.2.10", "source": "192.0.2.10", "keep_spam": "yes"}
OK = [{"type": "success", "log": [], "msg": "bcc_saved"}]


class Fake:
    """Stands in for MailcowClient: canned reads, recorded writes."""

    def __init__(self, reads=None):
        self.reads = reads or {}
        self.writes = []

    def get(self, path):
        return self.reads.get(path, {})

    def write(self, verb, path, body):
        self.writes.append((verb, path, body))
        return read_messages(OK)


def test_bcc_record_from_recording_19():
    m = bcc_from_wire(BCC)
    assert (m.id, m.local_dest, m.local_display, m.whole_domain) == (
        1, "@example.test", "example.test", True)
    assert (m.bcc_dest, m.type, m.domain, m.active) == ("archive@example.test", "sender",
                                                        "example.test", True)
    assert m.created == datetime(2026, 11, 21, 23, 48, 32) and m.modified is None
    mailbox = bcc_from_wire({**BCC, "local_dest": "Bob@Example.test", "domain": "Example.test",
                             "active": 0, "type": "rcpt"})
    assert (mailbox.whole_domain, mailbox.local_display, mailbox.domain, mailbox.active) == (
        False, "Bob@Example.test", "example.test", False)


def test_bcc_api_reads_and_writes():
    fake = Fake({"bcc/all": [BCC, {"junk": 1}], "bcc/1": {**BCC, "0": None}})
    api = BccApi(fake)
    assert [m.id for m in api.all()] == [1]
    assert api.get(1).bcc_dest == "archive@example.test"
    with pytest.raises(NotFound):
        api.get(2)
    assert BccApi(Fake({"bcc/all": {}})).all() == []
    settings = BccSettings("example.test", "archive@example.test", "sender", True)
    api.add(settings)
    api.edit(1, BccSettings("ignored", "new@example.test", "rcpt", False))
    api.set_active_many([1, 2], False)
    api.delete([3])
    assert fake.writes == [
        ("add", "bcc", {"local_dest": "example.test", "bcc_dest": "archive@example.test",
                        "type": "sender", "active": "1"}),
        ("edit", "bcc", {"items": [1], "attr": {"bcc_dest": "new@example.test", "type": "rcpt",
                                                "active": "0"}}),
        ("edit", "bcc", {"items": [1, 2], "attr": {"active": "0"}}),
        ("delete", "bcc", [3]),
    ]


def test_recipient_map_record_and_calls():
    m = rmap_from_wire(RMAP)
    assert (m.old, m.old_display, m.new, m.active) == ("old@example.test", "old@example.test",
                                                       "alice@example.test", True)
    assert rmap_from_wire({**RMAP, "recipient_map_old": "@old.test"}).old_display == "old.test"
    fake = Fake({"recipient_map/all": [RMAP]})
    api = RecipientMapsApi(fake)
    assert api.all()[0].new == "alice@example.test"
    api.add(RecipientMapSettings("old.test", "new@example.test", False))
    api.delete([1, 2])
    assert fake.writes == [
        ("add", "recipient_map", {"recipient_map_old": "old.test",
                                  "recipient_map_new": "new@example.test", "active": "0"}),
        ("delete", "recipient_map", [1, 2])]


def test_tls_record_calls_and_parameters_rule():
    m = tls_from_wire(TLS)
    assert (m.dest, m.policy, m.parameters, m.active) == ("partner.test", "encrypt", "", True)
    fake = Fake({"tls-policy-map/all": [TLS]})
    api = TlsPolicyApi(fake)
    assert api.all() == [m]
    api.edit(1, TlsPolicySettings("partner.test", "secure", "match=.partner.test", True))
    assert fake.writes == [("edit", "tls-policy-map", {
        "items": [1], "attr": {"dest": "partner.test", "policy": "secure",
                               "parameters": "match=.partner.test", "active": "1"}})]
    assert parameters_valid("") and parameters_valid("match=a protocols=>=TLSv1.2")
    assert not parameters_valid("match") and not parameters_valid("=a")
    assert not parameters_valid("a=") and not parameters_valid("a=b  c=d")


def test_fwdhost_record_calls_and_added_hosts():
    h = fwd_from_wire(FWD)
    assert (h.host, h.spam_filter, h.resolved) == ("192.0.2.10", False, False)
    named = fwd_from_wire({"host": "192.0.2.25", "source": "relay.test", "keep_spam": "no"})
    assert (named.spam_filter, named.resolved) == (True, True)
    fake = Fake({"fwdhost/all": [FWD]})
    api = ForwardingHostsApi(fake)
    assert api.all() == [h]
    api.add("relay.test", spam_filter=True)
    api.set_spam_filter(["192.0.2.10"], spam_filter=True)
    api.delete(["192.0.2.10"])
    assert fake.writes == [
        ("add", "fwdhost", {"hostname": "relay.test", "filter_spam": "1"}),
        ("edit", "fwdhost", {"items": ["192.0.2.10"], "attr": {"keep_spam": "0"}}),
        ("delete", "fwdhost", ["192.0.2.10"])]
    outcome = read_messages([{"type": "success", "log": [],
                              "msg": ["forwarding_host_added", "192.0.2.25, 2001:db8::1"]}])
    assert added_hosts(outcome) == ["192.0.2.25", "2001:db8::1"]


def test_refusals_read_as_english():
    with pytest.raises(MailcowRefused) as exc:
        read_messages([{"type": "danger", "log": [],
                        "msg": ["bcc_exists", "@example.test", "rcpt"]}])
    assert exc.value.message == "A BCC map for @example.test of type “rcpt” already exists"
    with pytest.raises(MailcowRefused) as exc:
        read_messages([{"type": "danger", "log": [], "msg": "tls_policy_map_parameter_invalid"}])
    assert "name=value pairs" in exc.value.message


def test_paginate_searches_sorts_and_slices():
    maps = [bcc_from_wire({**BCC, "id": i, "local_dest": f"u{i}@example.test"})
            for i in range(1, 8)]
    page = paginate(maps, PageRequest(page=2, per_page=3, search="@EXAMPLE", sort="local",
                                      descending=True),
                    {"local": lambda m: m.local_dest}, "local", lambda m: (m.local_dest,))
    assert [m.id for m in page.items] == [4, 3, 2] and page.total == 7 and page.pages == 3
    assert paginate(maps, PageRequest(search="u7"), {"local": lambda m: m.id}, "local",
                    lambda m: (m.local_dest,)).total == 1


@pytest.mark.parametrize("value, kind", [
    ("192.0.2.1", "address"), ("2001:db8::1", "address"), ("192.0.2.0/24", "network"),
    ("2001:db8::/32", "network"), ("192.0.2.1/24", None), ("999.1.1.1", None),
    ("cafe", None), ("relay.example.org", "name"), ("bücher.example", "name"),
    ("no space.example", None), ("localhost", None),
])
def test_forwarding_host_kinds(value, kind):
    assert host_kind(value) == kind


@pytest.mark.parametrize("value, ok", [
    ("a@example.org", True), ("first.last+tag@sub.example.org", True), ("a@b", False),
    ("a@b.c1", True), ("a@b.1c", False), ("a b@example.org", False), ("@example.org", False),
    ("a@@example.org", False), ("a" * 65 + "@example.org", False),
])
def test_addresses(value, ok):
    assert is_address(value) is ok


def test_domain_names():
    assert is_domain_name("example.org") and is_domain_name("xn--bcher-kva.example")
    assert not is_domain_name("example") and not is_domain_name("-a.example")
    assert not is_domain_name("a..example") and not is_domain_name(".example.org")
