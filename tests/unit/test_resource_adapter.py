"""Resource records read from Mailcow's wire format, and the requests MailApp sends."""
import json

import httpx
import pytest

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import MailcowRefused, NotFound
from panel.mailcow.resources import (
    Resource,
    ResourceSettings,
    ResourcesApi,
    added_name,
    address_part,
    bookings_mode,
    bookings_number,
    from_wire,
)

# Recording 13_get_resource_all.
WIRE = {"name": "Room1@example.test", "kind": "location", "multiple_bookings": 0,
        "description": "Room 1", "active": 1, "active_int": 1, "domain": "example.test",
        "local_part": "Room1"}
# Recording 12_add_resource.
ADDED = [{"type": "success", "log": ["mailbox", "add", "resource", {}, None],
          "msg": ["resource_added", "Room1@example.test"]}]


def test_from_wire_recording_13():
    r = from_wire(WIRE)
    assert r == Resource(name="Room1@example.test", description="Room 1", kind="location",
                         domain="example.test", local_part="Room1", multiple_bookings=0,
                         active=True)
    assert (r.booking_mode, r.booking_limit) == ("free", None)
    assert from_wire({**WIRE, "active": 0, "active_int": 0, "multiple_bookings": "7"}) \
        .booking_limit == 7


@pytest.mark.parametrize("number, mode, limit", [(0, "free", None), (-1, "soft", None),
                                                 (3, "hard", 3)])
def test_booking_modes_round_trip(number, mode, limit):
    assert bookings_mode(number) == (mode, limit)
    assert bookings_number(mode, limit) == number


def test_hard_limit_needs_a_count():
    with pytest.raises(ValueError):
        bookings_number("hard", None)
    with pytest.raises(ValueError):
        bookings_number("hard", 0)


def test_address_part_keeps_ascii_letters_and_digits():
    assert address_part("Room 1") == "Room1"
    assert address_part("Beamer #2 (Süd)") == "Beamer2Sd"
    assert address_part("—!?") == ""


def test_settings_wire_as_mailcows_form_posts_it():
    assert ResourceSettings("Room 1").wire() == {
        "description": "Room 1", "kind": "location", "multiple_bookings": "0",
        "multiple_bookings_select": "0", "multiple_bookings_custom": "", "active": "1"}
    assert ResourceSettings("Van", "thing", "soft", None, False).wire()["multiple_bookings"] \
        == "-1"
    hard = ResourceSettings("Van", "thing", "hard", 4).wire()
    assert (hard["multiple_bookings"], hard["multiple_bookings_select"],
            hard["multiple_bookings_custom"]) == ("4", "custom", "4")
    assert ResourceSettings.of(from_wire({**WIRE, "multiple_bookings": 4})) == \
        ResourceSettings("Room 1", "location", "hard", 4, True)


def test_added_name():
    outcome = Outcome(messages=[], warnings=[], keys=[], raw=ADDED)
    assert added_name(outcome) == "Room1@example.test"
    assert added_name(Outcome([], [], [], [{"type": "success", "msg": "x"}])) is None


class Recorder:
    """A MailcowClient over an httpx.MockTransport that answers from a queue."""

    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests: list[tuple[str, str, object]] = []
        transport = httpx.MockTransport(self.handle)
        self.api = ResourcesApi(MailcowClient("http://mailcow.test", "rw-key", "ro-key",
                                              transport=transport))

    def handle(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body,
                              request.headers["X-API-Key"]))
        return httpx.Response(200, json=self.answers.pop(0))


def test_reads_use_the_read_only_key_and_tolerate_empty_objects():
    rec = Recorder([WIRE, {**WIRE, "name": "Car@other.test", "domain": "other.test"}], {},
                   WIRE, {})
    assert [r.name for r in rec.api.all()] == ["Room1@example.test", "Car@other.test"]
    assert rec.api.all() == []
    assert rec.api.get("Room1@example.test").description == "Room 1"
    with pytest.raises(NotFound):
        rec.api.get("Nobody@example.test")
    assert [(m, p, k) for m, p, _, k in rec.requests] == [
        ("GET", "/api/v1/get/resource/all", "ro-key"),
        ("GET", "/api/v1/get/resource/all", "ro-key"),
        ("GET", "/api/v1/get/resource/Room1@example.test", "ro-key"),
        ("GET", "/api/v1/get/resource/Nobody@example.test", "ro-key")]


def test_in_domains_filters_the_whole_list():
    rec = Recorder([WIRE, {**WIRE, "name": "Car@other.test", "domain": "other.test"}])
    assert [r.name for r in rec.api.in_domains(["Other.test"])] == ["Car@other.test"]
    assert rec.api.in_domains([]) == []
    assert len(rec.requests) == 1


def test_writes():
    ok = [{"type": "success", "msg": ["resource_modified", "x"]}]
    rec = Recorder(ADDED, ok, ok, [{"type": "success", "msg": ["resource_removed", "x"]}])
    settings = ResourceSettings("Room 1", "group", "hard", 2, True)
    rec.api.add("example.test", settings)
    rec.api.edit("Room1@example.test", settings)
    rec.api.set_active_many(["A@example.test", "B@example.test"], False)
    rec.api.delete(["A@example.test", "B@example.test"])
    assert [(m, p, b, k) for m, p, b, k in rec.requests] == [
        ("POST", "/api/v1/add/resource", {"domain": "example.test", **settings.wire()},
         "rw-key"),
        ("POST", "/api/v1/edit/resource", {"items": ["Room1@example.test"],
                                           "attr": settings.wire()}, "rw-key"),
        ("POST", "/api/v1/edit/resource", {"items": ["A@example.test", "B@example.test"],
                                           "attr": {"active": "0"}}, "rw-key"),
        ("POST", "/api/v1/delete/resource", ["A@example.test", "B@example.test"], "rw-key"),
    ]


def test_refusal_raises_with_mailcows_keys():
    rec = Recorder([{"type": "danger", "msg": ["object_exists", "Room1@example.test"]}])
    with pytest.raises(MailcowRefused) as caught:
        rec.api.add("example.test", ResourceSettings("Room 1"))
    assert caught.value.keys == ["object_exists"]
    assert "Room1@example.test already exists" in caught.value.message
