"""Fail2ban state read from Mailcow's wire format, the requests MailApp sends, and forms."""
import json

import httpx
import pytest

from panel.mailcow.client import MailcowClient
from panel.mailcow.fail2ban import (
    Fail2banApi,
    Fail2banSettings,
    banlist_url,
    from_wire,
    remaining_seconds,
    split_list,
    valid_hostname,
    valid_network,
)

# Recording 60b_get_fail2ban_after (regex shortened).
WIRE = {"ban_time": 3600, "ban_time_increment": True, "max_ban_time": 86400,
        "netban_ipv4": 24, "netban_ipv6": 64, "max_attempts": 5, "retry_window": 600,
        "banlist_id": "3290b53d-2010-46a7-b5b5-2c48bf5142c9", "manage_external": 0,
        "regex": {"2": "Rspamd UI: Invalid password by ([0-9a-f\\.:]+)",
                  "1": "mailcow UI: Invalid password for .+ by ([0-9a-f\\.:]+)"},
        "whitelist": "198.51.100.0/24", "blacklist": "203.0.113.99/32",
        "active_bans": [{"queued_for_unban": 1, "network": "203.0.113.7/32",
                         "ip": "203.0.113.7", "banned_until": "00h 29m 59s"}]}
# Recordings 68 and 69.
SAVED = [{"type": "success", "log": ["fail2ban", "edit", {}], "msg": "f2b_modified"}]
UNBANNED = [{"type": "success", "log": ["fail2ban", "edit", {}],
             "msg": ["object_modified", "203.0.113.7/32"]}]


def test_from_wire_recording_60b():
    state = from_wire(WIRE)
    assert state.settings == Fail2banSettings(
        ban_time=3600, ban_time_increment=True, max_ban_time=86400, max_attempts=5,
        retry_window=600, netban_ipv4=24, netban_ipv6=64, whitelist=["198.51.100.0/24"],
        blacklist=["203.0.113.99/32"], manage_external=False)
    assert state.banlist_id == "3290b53d-2010-46a7-b5b5-2c48bf5142c9"
    assert [n for n, _ in state.regex] == [1, 2]
    [ban] = state.active_bans
    assert (ban.network, ban.ip, ban.remaining, ban.remaining_text, ban.queued_for_unban) == (
        "203.0.113.7/32", "203.0.113.7", 1799, "00h 29m 59s", True)
    assert state.perm_bans == ()
    assert from_wire({**WIRE, "perm_bans": [{"network": "192.0.2.1/32", "ip": "192.0.2.1"}],
                      "active_bans": ""}).perm_bans == ("192.0.2.1/32",)
    assert from_wire({}).active_bans == ()


@pytest.mark.parametrize("text,seconds", [("00h 30m 00s", 1800), ("26h 00m 01s", 93601),
                                          ("-1h -5m -3s", 0), ("soon", None), (None, None)])
def test_remaining_seconds(text, seconds):
    assert remaining_seconds(text) == seconds


@pytest.mark.parametrize("value,ok", [("203.0.113.7", True), ("203.0.113.0/24", True),
                                      ("10.0.0.1/33", False), ("2001:db8::/64", True),
                                      ("2001:db8::/129", False), ("1.2.3.4/", False),
                                      ("1.2.3.4/x", False), ("mail.example", False)])
def test_valid_network(value, ok):
    assert valid_network(value) is ok


def test_valid_hostname_and_split_list():
    assert valid_hostname("mx.partner.example") and valid_hostname("localhost")
    assert not valid_hostname("bad_host!") and not valid_hostname("-lead.example")
    assert split_list("a, b;c\n d\r\n\te") == ["a", "b", "c", "d", "e"]


def test_banlist_url():
    assert banlist_url("mail.example.org", "abc") == "https://mail.example.org/f2b-banlist?id=abc"


class Recorder:
    def __init__(self, *answers):
        self.answers = list(answers)
        self.requests = []
        self.api = Fail2banApi(MailcowClient("http://mailcow.test", "rw-key", "ro-key",
                                             transport=httpx.MockTransport(self.handle)))

    def handle(self, request):
        self.requests.append((request.url.path, json.loads(request.content)
                              if request.content else None))
        return httpx.Response(200, json=self.answers.pop(0))


def test_requests_match_the_recordings():
    rec = Recorder(WIRE, SAVED, UNBANNED, UNBANNED, UNBANNED, UNBANNED, UNBANNED)
    assert rec.api.get().settings.ban_time == 3600
    settings = from_wire(WIRE).settings
    assert rec.api.save(settings).messages == ["Fail2ban settings saved"]
    rec.api.unban(["203.0.113.7/32"])
    rec.api.allow(["203.0.113.7/32"])
    rec.api.deny(["203.0.113.7/32"])
    rec.api.save_regex(["a ([0-9.]+)"])
    rec.api.reset_regex()
    assert rec.requests == [
        ("/api/v1/get/fail2ban", None),
        # Recording 68's body.
        ("/api/v1/edit/fail2ban", {"items": ["none"], "attr": {
            "ban_time": "3600", "ban_time_increment": "1", "max_ban_time": "86400",
            "max_attempts": "5", "retry_window": "600", "netban_ipv4": "24",
            "netban_ipv6": "64", "whitelist": "198.51.100.0/24",
            "blacklist": "203.0.113.99/32", "manage_external": "0", "banlist_id": ""}}),
        # Recording 69's body.
        ("/api/v1/edit/fail2ban", {"items": ["203.0.113.7/32"], "attr": {"action": "unban"}}),
        ("/api/v1/edit/fail2ban", {"items": ["203.0.113.7/32"],
                                   "attr": {"action": "whitelist"}}),
        ("/api/v1/edit/fail2ban", {"items": ["203.0.113.7/32"],
                                   "attr": {"action": "blacklist"}}),
        ("/api/v1/edit/fail2ban", {"items": ["none"], "attr": {"action": "edit-regex",
                                                               "regex": ["a ([0-9.]+)"]}}),
        ("/api/v1/edit/fail2ban", {"items": ["none"], "attr": {"action": "reset-regex"}})]


def test_forms_check_what_mailcow_would_silently_change(app):
    from panel.forms.fail2ban import Fail2banForm, NetworkForm, RegexForm

    with app.test_request_context(method="POST", data={
            "ban_time": "30", "max_ban_time": "20", "max_attempts": "0", "retry_window": "0",
            "netban_ipv4": "7", "netban_ipv6": "129", "whitelist": "ok.example\nbad one!",
            "blacklist": "::/0"}):
        form = Fail2banForm(meta={"csrf": False})
        assert not form.validate()
        assert set(form.errors) == {"ban_time", "max_ban_time", "max_attempts", "retry_window",
                                    "netban_ipv4", "netban_ipv6", "whitelist", "blacklist"}
        assert "one!" in form.errors["whitelist"][0]
    with app.test_request_context(method="POST", data={
            "ban_time": "600", "max_ban_time": "3600", "max_attempts": "3",
            "retry_window": "600", "netban_ipv4": "24", "netban_ipv6": "64",
            "ban_time_increment": "y", "whitelist": "10.0.0.0/8, mx.partner.example",
            "blacklist": ""}):
        form = Fail2banForm(meta={"csrf": False})
        assert form.validate(), form.errors
        assert form.settings().whitelist == ["10.0.0.0/8", "mx.partner.example"]
        assert form.settings().ban_time_increment and not form.settings().manage_external
    with app.test_request_context(method="POST", data={"regex": "good ([0-9.]+)\n(bad\nnogroup"}):
        form = RegexForm(meta={"csrf": False})
        assert not form.validate()
        message = form.errors["regex"][0]
        assert "line 2" in message and "line 3" in message and "line 1" not in message
    with app.test_request_context(method="POST", data={"network": "0.0.0.0/0"}):
        assert not NetworkForm(meta={"csrf": False}).validate()
