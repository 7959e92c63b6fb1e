"""Sieve filter adapter: parsing recordings 17 and 83, the wire format, the parser message
of a refusal, the presets (each must parse), and the sandbox parser's message shape."""
import httpx
import pytest

from panel.mailcow.client import MailcowClient, read_messages
from panel.mailcow.errors import MailcowRefused
from panel.mailcow.filters import FiltersApi, FilterSettings, from_wire, sieve_error
from panel.mailcow.sandbox.areas.filters import sieve_error as parse_error
from panel.services.filters import PRESETS

RECORDED = {"active": 1, "id": 1, "username": "alice@example.test", "filter_type": "prefilter",
            "script_data": "require \"fileinto\";\nif header :contains \"Subject\" \"spam\" "
                           "{ fileinto \"Junk\"; }",
            "script_desc": "test filter"}


def test_parses_the_recorded_filter():
    f = from_wire(RECORDED)
    assert (f.id, f.username, f.filter_type, f.description, f.active) == \
        (1, "alice@example.test", "prefilter", "test filter", True)
    assert f.script.startswith('require "fileinto";') and f.domain == "example.test"
    assert not from_wire({**RECORDED, "active": 0}).active


def test_wire_and_round_trip():
    settings = FilterSettings.of(from_wire(RECORDED))
    assert settings.wire() == {"filter_type": "prefilter", "script_desc": "test filter",
                               "script_data": RECORDED["script_data"], "active": "1"}


def test_the_parser_message_is_picked_out_of_the_refusal(app):
    answer = [{"type": "danger", "log": [], "msg": ["sieve_error", "line 1: unknown command this"]}]
    with app.app_context(), pytest.raises(MailcowRefused) as caught:
        read_messages(answer)
    assert sieve_error(caught.value) == \
        "The sieve script is not valid: line 1: unknown command this"
    with app.app_context(), pytest.raises(MailcowRefused) as other:
        read_messages([{"type": "danger", "log": [], "msg": "access_denied"}])
    assert sieve_error(other.value) is None


def test_global_filters_false_means_none():
    answers = {"/api/v1/get/global_filters/all": {"prefilter": False, "postfilter": "keep;"}}
    api = FiltersApi(MailcowClient("http://mc.test", "k", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, json=answers[r.url.path]))))
    found = api.global_filters()
    assert found.prefilter is None and found.of_type("postfilter") == "keep;"


def test_no_filters_is_an_empty_list():
    api = FiltersApi(MailcowClient("http://mc.test", "k", transport=httpx.MockTransport(
        lambda r: httpx.Response(200, text="{}"))))
    assert api.all() == [] and api.of_user("a@b.test") == []


@pytest.mark.parametrize("preset", PRESETS, ids=lambda p: p.key)
def test_every_preset_parses(preset):
    assert parse_error(preset.script) is None
    assert preset.script.endswith("\n")


@pytest.mark.parametrize("script, message", [
    ("this is not sieve", "line 1: unknown command this"),
    ('fileinto "Junk";', "line 1: extension fileinto not loaded"),
    ("if true {\n  keep;\n", "line 3:"),
])
def test_sandbox_parser_messages_have_mailcows_shape(script, message):
    assert parse_error(script).startswith(message)


def test_vacation_seconds_implies_vacation():
    assert parse_error('require "vacation-seconds";\nvacation :seconds 300 "Away";') is None
