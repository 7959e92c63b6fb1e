"""Mailbox records read from Mailcow's wire format, and the requests MailApp sends."""
from datetime import timezone

import pytest

from panel.mailcow.client import Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.mailboxes import (
    SEARCH_COLUMNS,
    SORTABLE,
    Mailbox,
    MailboxesApi,
    MailboxSettings,
    from_wire,
    local_page,
)
from panel.mailcow.paging import PageRequest

GIB = 1024**3

# Recording 94_search_mailbox (its one data item).
WIRE = {
    "username": "alice@example.test", "active": 1, "active_int": 1, "domain": "example.test",
    "name": "Alice Renamed", "local_part": "alice", "quota": 2147483648, "messages": 0,
    "attributes": {
        "force_pw_update": "0", "force_tfa": "0", "tls_enforce_in": "0", "tls_enforce_out": "0",
        "sogo_access": "1", "imap_access": "1", "pop3_access": "1", "smtp_access": "1",
        "sieve_access": "1", "eas_access": "1", "dav_access": "1", "relayhost": "0",
        "passwd_update": "2026-11-21 23:47:36", "mailbox_format": "maildir:",
        "quarantine_notification": "daily", "quarantine_category": "reject",
        "attribute_hash": "", "recovery_email": None},
    "custom_attributes": {"role": "cow"}, "quota_used": 0, "percent_in_use": 0,
    "created": "2026-11-21 23:47:36", "modified": "2026-11-21 23:49:34",
    "authsource": "mailcow", "percent_class": "success", "last_imap_login": 0,
    "last_smtp_login": 0, "last_pop3_login": 0, "last_sso_login": 0,
    "max_new_quota": 10737418240, "spam_aliases": 1, "pushover_active": 0,
    "rl": {"value": "20", "frame": "h"}, "rl_scope": "mailbox", "is_relayed": 0,
    "sender_acl": [], "tags": ["vip"],
}


def test_from_wire_reads_bytes_flags_and_attributes():
    m = from_wire(WIRE)
    assert (m.username, m.local_part, m.domain, m.name) == (
        "alice@example.test", "alice", "example.test", "Alice Renamed")
    assert m.active and m.quota == 2 * GIB and m.quota_used == 0 and m.messages == 0
    assert m.smtp_access and m.sending_enabled and m.imap_access and not m.force_pw_update
    assert m.quarantine_notification == "daily" and m.recovery_email == ""
    assert m.custom_attributes == {"role": "cow"} and m.tags == ("vip",)
    assert (m.rate_limit_value, m.rate_limit_frame, m.rate_limit_scope) == (20, "h", "mailbox")
    assert m.max_new_quota == 10 * GIB and m.password_updated.hour == 23
    assert m.last_imap_login is None and m.last_mail_login is None
    assert m.sender_acl == () and m.created.year == 2026


def test_recording_11_shapes_empty_maps_and_missing_limits():
    # Recording 11: custom_attributes is PHP's empty array, no tags, a domain-wide limit.
    m = from_wire({**WIRE, "custom_attributes": [], "rl": False, "rl_scope": "domain"}
                  | {"tags": None})
    assert m.custom_attributes == {} and m.tags == ()
    assert (m.rate_limit_value, m.rate_limit_frame) == (0, "s")


def test_logins_are_unix_seconds_and_sending_follows_smtp_access():
    wire = {**WIRE, "last_imap_login": 1700000000, "last_smtp_login": "1700000100",
            "attributes": {**WIRE["attributes"], "smtp_access": "0"},
            "sender_acl": ["team@example.test", "@example.net"]}
    m = from_wire(wire)
    assert m.last_imap_login.tzinfo == timezone.utc
    assert m.last_mail_login.timestamp() == 1700000100
    assert not m.sending_enabled
    assert m.sender_acl == ("team@example.test", "@example.net")


def test_quota_percent_with_unlimited_quota():
    assert from_wire({**WIRE, "quota": 0, "quota_used": 5}).quota_percent == 0
    assert from_wire({**WIRE, "quota_used": GIB}).quota_percent == 50


def test_settings_wire_in_mib_and_flags_and_round_trip():
    s = MailboxSettings.of(from_wire(WIRE))
    assert s.quota_mib == 2048 and s.name == "Alice Renamed" and s.tags == ["vip"]
    wire = s.wire()
    assert wire["quota"] == "2048" and wire["active"] == "1" and wire["smtp_access"] == "1"
    assert wire["quarantine_notification"] == "daily" and wire["tags"] == ["vip"]
    assert all(wire[f"{p}_access"] in ("0", "1") for p in
               ("imap", "pop3", "smtp", "sieve", "sogo", "eas", "dav"))
    assert MailboxSettings(smtp_access=False, active=False).wire()["smtp_access"] == "0"


class FakeClient:
    """Records what the adapter sends; answers from a queue."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def _next(self, *call):
        self.calls.append(call)
        return self.answers.pop(0)

    def get(self, path):
        return self._next("get", path)

    def search(self, path, body):
        return self._next("search", path, body)

    def write(self, verb, path, body):
        self.calls.append((verb, path, body))
        return Outcome([], [], [], [])


def search_answer(*items, total=None):
    return {"draw": 1, "recordsTotal": total or len(items), "recordsFiltered": total or len(items),
            "data": list(items)}


def box(username):
    return {**WIRE, "username": username, "local_part": username.split("@")[0],
            "domain": username.split("@")[1]}


def test_search_uses_mailcows_column_indexes():
    client = FakeClient(search_answer(WIRE, total=41))
    page = MailboxesApi(client).search(PageRequest(page=3, per_page=10, search="ali",
                                                   sort="name", descending=True))
    _, path, body = client.calls[0]
    assert path == "mailbox" and (body["start"], body["length"]) == (20, 10)
    assert body["search"] == {"value": "ali", "regex": False}
    searchable = [i for i, c in enumerate(body["columns"]) if c["searchable"] == "true"]
    assert searchable == [SEARCH_COLUMNS["username"], SEARCH_COLUMNS["name"],
                          SEARCH_COLUMNS["tags"]] == [2, 7, 23]
    assert body["order"] == [{"column": 7, "dir": "desc"}]
    assert page.total == 41 and page.items[0].username == "alice@example.test"
    assert "tags" not in SORTABLE and "messages" in SORTABLE


def test_one_domain_is_narrowed_on_the_server_and_checked_here():
    namesakes = search_answer({"domain_name": "example.test"})
    found = search_answer(box("a@example.test"), box("b@example.test"), total=2)
    client = FakeClient(namesakes, found)
    page = MailboxesApi(client).search(PageRequest(per_page=5), ["Example.TEST"])
    domain_search = client.calls[0][2]
    assert client.calls[0][1] == "domain" and domain_search["search"]["value"] == "example.test"
    body = client.calls[1][2]
    username = body["columns"][2]
    assert username["searchable"] == "true" and username["search"]["value"] == "@example.test"
    assert [m.username for m in page.items] == ["a@example.test", "b@example.test"]
    assert page.total == 2


def test_a_domain_whose_name_begins_another_is_read_whole():
    namesakes = search_answer({"domain_name": "example.test"}, {"domain_name": "example.test.uk"})
    whole = [box("b@example.test"), box("z@example.test.uk"), box("a@example.test")]
    client = FakeClient(namesakes, whole)
    page = MailboxesApi(client).search(PageRequest(per_page=1, page=2), ["example.test"])
    assert client.calls[1] == ("get", "mailbox/all/example.test")
    assert page.total == 2 and [m.username for m in page.items] == ["b@example.test"]


def test_several_domains_page_one_after_the_other():
    client = FakeClient(
        search_answer({"domain_name": "a.test"}),            # namesakes of a.test
        search_answer({"domain_name": "b.test"}),            # namesakes of b.test
        search_answer(total=3),                              # count in a.test
        search_answer(total=2),                              # count in b.test
        search_answer(box("a3@a.test"), total=3),            # a.test rows 2..3
        search_answer(box("b1@b.test"), total=2),            # b.test rows 0..1
    )
    page = MailboxesApi(client).search(PageRequest(page=2, per_page=2), ["b.test", "a.test"])
    counts = [c[2] for c in client.calls[2:4]]
    assert [(b["start"], b["length"]) for b in counts] == [(0, 0), (0, 0)]
    slices = [c[2] for c in client.calls[4:]]
    assert [(b["start"], b["length"]) for b in slices] == [(2, 1), (0, 1)]
    assert [b["columns"][2]["search"]["value"] for b in slices] == ["@a.test", "@b.test"]
    assert page.total == 5 and [m.username for m in page.items] == ["a3@a.test", "b1@b.test"]


def test_get_and_missing():
    assert MailboxesApi(FakeClient(WIRE)).get("alice@example.test").name == "Alice Renamed"
    with pytest.raises(NotFound):
        MailboxesApi(FakeClient({})).get("nobody@example.test")
    client = FakeClient({})
    with pytest.raises(NotFound):
        MailboxesApi(client).get("a/../b?x@example.test")
    assert client.calls[0][1] == "mailbox/a%2F..%2Fb%3Fx@example.test"  # stays one segment


def test_in_domain_keeps_only_that_domain():
    # Mailcow answers every mailbox for a domain it does not know.
    client = FakeClient([box("a@x.test"), box("b@y.test")])
    assert [m.username for m in MailboxesApi(client).in_domain("x.test")] == ["a@x.test"]
    assert MailboxesApi(FakeClient({})).in_domain("none.test") == []


def test_writes_send_mailcows_shapes():
    client = FakeClient()
    api = MailboxesApi(client)
    api.add("bob", "example.test", "pw-1", MailboxSettings(name="Bob", quota_mib=100))
    verb, path, body = client.calls[-1]
    assert (verb, path) == ("add", "mailbox")
    assert body["local_part"] == "bob" and body["password"] == body["password2"] == "pw-1"
    assert body["quota"] == "100" and body["rl_value"] == "" and body["rl_frame"] == "s"
    api.set_password("bob@example.test", "new-pw")
    assert client.calls[-1] == ("edit", "mailbox", {"items": ["bob@example.test"], "attr": {
        "password": "new-pw", "password2": "new-pw"}})
    api.set_sending("bob@example.test", False)
    assert client.calls[-1][2]["attr"] == {"smtp_access": "0"}
    api.set_protocols("bob@example.test", imap=False, pop3=True)
    assert client.calls[-1][2]["attr"] == {"imap_access": "0", "pop3_access": "1"}
    with pytest.raises(ValueError):
        api.set_protocols("bob@example.test", telnet=True)
    api.set_sender_acl("bob@example.test", ["team@example.test", "@example.net"])
    assert client.calls[-1][2]["attr"] == {"sender_acl": ["team@example.test", "@example.net"]}
    api.set_sender_acl("bob@example.test", [])
    assert client.calls[-1][2]["attr"] == {"sender_acl": ["default"]}
    api.remove_tags("bob@example.test", ["vip"])
    assert client.calls[-1] == ("delete", "mailbox/tag/bob@example.test", ["vip"])
    api.delete(["bob@example.test"])
    assert client.calls[-1] == ("delete", "mailbox", ["bob@example.test"])


def test_local_page_searches_sorts_and_pages():
    boxes = [from_wire({**box(f"{n}@x.test"), "name": name, "messages": msgs})
             for n, name, msgs in (("c", "Carol", 5), ("a", "Ann", 9), ("b", "Bob", 1))]
    page = local_page(boxes, PageRequest(per_page=2, sort="messages", descending=True))
    assert [m.local_part for m in page.items] == ["a", "c"] and page.total == 3
    assert [m.local_part for m in local_page(boxes, PageRequest(search="BOB")).items] == ["b"]
    assert isinstance(page.items[0], Mailbox)
