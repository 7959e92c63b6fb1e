"""Alias records read from Mailcow's wire format, and the requests MailApp sends."""
import pytest

from panel.mailcow.aliases import (
    Alias,
    AliasesApi,
    AliasSettings,
    added_id,
    from_wire,
    local_page,
    split_goto,
)
from panel.mailcow.client import Outcome, read_messages
from panel.mailcow.errors import NotFound
from panel.mailcow.paging import PageRequest

# Recording 75_get_alias_one.
WIRE = {
    "in_primary_domain": "", "id": 2, "domain": "example.test", "public_comment": "pub",
    "private_comment": "pc", "goto": "alice@example.test", "address": "info@example.test",
    "is_catch_all": 0, "internal": 0, "active": 1, "active_int": 1, "sogo_visible": 0,
    "sogo_visible_int": 0, "sender_allowed": 0, "created": "2026-11-21 23:47:36",
    "modified": "2026-11-21 23:49:32",
}
# Recording E6_get_alias_all: a catch-all, several destinations, a spam trap.
E6 = [
    {**WIRE, "id": 4, "address": "@example.test", "is_catch_all": 1, "public_comment": None,
     "private_comment": None, "modified": None},
    {**WIRE, "id": 5, "address": "team@example.test",
     "goto": "alice@example.test,ext@remote.test"},
    {**WIRE, "id": 6, "address": "spamtrap@example.test", "goto": "spam@localhost"},
]


def test_from_wire():
    a = from_wire(WIRE)
    assert (a.id, a.address, a.domain, a.goto) == (2, "info@example.test", "example.test",
                                                   ("alice@example.test",))
    assert a.active and not a.is_catch_all and not a.sogo_visible and not a.internal
    assert (a.public_comment, a.private_comment) == ("pub", "pc")
    assert a.special is None and a.created.year == 2026 and a.modified.minute == 49


def test_recording_e6_catch_all_destinations_and_spam_trap():
    catch_all, team, trap = (from_wire(d) for d in E6)
    assert catch_all.is_catch_all and catch_all.public_comment == "" and catch_all.modified is None
    assert team.goto == ("alice@example.test", "ext@remote.test")
    assert trap.special == "learn_spam" and team.special is None


def test_split_goto_tolerates_spaces_and_empties():
    assert split_goto(" a@x.test, ,b@x.test ") == ("a@x.test", "b@x.test")
    assert split_goto(None) == ()


def test_settings_wire_and_round_trip():
    s = AliasSettings.of(from_wire(E6[1]))
    assert s.goto == ["alice@example.test", "ext@remote.test"] and s.special is None
    assert s.wire() == {"goto": "alice@example.test,ext@remote.test", "active": "1",
                        "sogo_visible": "0", "public_comment": "pub", "private_comment": "pc",
                        "internal": "0"}
    trap = AliasSettings.of(from_wire(E6[2]))
    assert trap.special == "learn_spam" and trap.goto == []
    wire = trap.wire()
    assert wire["goto_spam"] == "1" and wire["goto"] == ""
    assert AliasSettings(special="discard").wire()["goto_null"] == "1"


def test_added_id_reads_the_third_argument_of_alias_added():
    # Recording 10_add_alias.
    outcome = read_messages([{"type": "success", "log": [],
                              "msg": ["alias_added", "info@example.test", "4"]}])
    assert added_id(outcome) == 4
    assert added_id(read_messages({"type": "success", "msg": "Task completed"})) is None


class FakeClient:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.calls = []

    def get(self, path):
        self.calls.append(("get", path))
        return self.answers.pop(0)

    def write(self, verb, path, body):
        self.calls.append((verb, path, body))
        return Outcome([], [], [], [])


def test_reads():
    client = FakeClient(WIRE, {}, E6, {}, E6 + [{**WIRE, "id": 9, "domain": "other.test",
                                                 "address": "x@other.test"}])
    api = AliasesApi(client)
    assert api.get(2).address == "info@example.test"
    with pytest.raises(NotFound):
        api.get(99)
    assert [a.id for a in api.in_domains(["Example.test"])] == [4, 5, 6]
    assert api.in_domains(["empty.test"]) == []  # Mailcow answers {} for none
    assert len(api.all()) == 4
    assert [c[1] for c in client.calls] == ["alias/2", "alias/99", "alias/all/example.test",
                                           "alias/all/empty.test", "alias/all"]
    assert api.in_domains([]) == []


def test_several_domains_in_one_call():
    client = FakeClient(E6)
    AliasesApi(client).in_domains(["a.test", "example.test"])
    assert client.calls == [("get", "alias/all/a.test,example.test")]


def test_writes():
    client = FakeClient()
    api = AliasesApi(client)
    api.add("sales@example.test", AliasSettings(goto=["a@example.test", "b@example.test"]))
    assert client.calls[-1] == ("add", "alias", {
        "address": "sales@example.test", "goto": "a@example.test,b@example.test", "active": "1",
        "sogo_visible": "0", "public_comment": "", "private_comment": "", "internal": "0"})
    api.set_goto(5, ["c@example.test"])
    assert client.calls[-1] == ("edit", "alias", {"items": ["5"], "attr": {
        "goto": "c@example.test"}})
    api.set_active(5, False)
    assert client.calls[-1][2]["attr"] == {"active": "0"}
    api.edit(5, AliasSettings(goto=["d@example.test"], public_comment="x"))
    assert client.calls[-1][2]["attr"]["public_comment"] == "x"
    api.edit(5, AliasSettings(goto=["d@example.test"]), address="new@example.test")
    assert client.calls[-1][2]["attr"]["address"] == "new@example.test"
    api.set_active_many([5, 6], True)
    assert client.calls[-1] == ("edit", "alias", {"items": ["5", "6"],
                                                  "attr": {"active": "1"}})
    api.delete([5, 6])
    assert client.calls[-1] == ("delete", "alias", ["5", "6"])


def test_local_page():
    aliases = [from_wire(d) for d in E6]
    page = local_page(aliases, PageRequest(per_page=2))
    assert [a.address for a in page.items] == ["@example.test", "spamtrap@example.test"]
    assert page.total == 3 and page.pages == 2
    assert [a.id for a in local_page(aliases, PageRequest(search="REMOTE")).items] == [5]
    desc = local_page(aliases, PageRequest(sort="address", descending=True)).items
    assert [a.id for a in desc] == [5, 6, 4]
    assert all(isinstance(a, Alias) for a in desc)
