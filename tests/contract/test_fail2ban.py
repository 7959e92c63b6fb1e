"""Fail2ban: recordings 60 / 60b (get), 68 (edit options), 69 (unban), and the rules of
Mailcow's fail2ban() for lists, bans and regular expressions.

Every scenario puts the options back as it found them. Bans are made by netfilter, not
the API, so scenarios with an active ban put it in the sandbox's store.
"""
from __future__ import annotations

import re
import time

import pytest

from panel.mailcow.sandbox.areas import fail2ban as area
from panel.mailcow.sandbox.store import opened, transaction

RECORDED_68 = {"ban_time": "3600", "ban_time_increment": "1", "max_ban_time": "86400",
               "max_attempts": "5", "retry_window": "600", "netban_ipv4": "24",
               "netban_ipv6": "64", "whitelist": "198.51.100.0/24",
               "blacklist": "203.0.113.99/32", "manage_external": "0", "banlist_id": ""}
# Recording 60b's keys, in the order Mailcow writes the options back.
KEYS_AFTER_EDIT = ["ban_time", "ban_time_increment", "max_ban_time", "netban_ipv4",
                   "netban_ipv6", "max_attempts", "retry_window", "banlist_id",
                   "manage_external", "regex", "whitelist", "blacklist"]
KEYS_RECORDED_60 = {"ban_time", "max_ban_time", "ban_time_increment", "max_attempts",
                    "retry_window", "netban_ipv4", "netban_ipv6", "banlist_id",
                    "manage_external", "regex", "whitelist", "blacklist"}
UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
REMAINING = re.compile(r"^\d\dh \d\dm \d\ds$")


@pytest.fixture
def f2b(api):
    """The API, with the options, lists and regular expressions restored afterwards."""
    before = api.get_json("get/fail2ban")
    yield api
    attr = {k: str(int(before[k])) for k in ("ban_time", "max_ban_time", "max_attempts",
                                             "retry_window", "netban_ipv4", "netban_ipv6",
                                             "manage_external", "ban_time_increment")}
    api.write("edit/fail2ban", {"items": ["none"], "attr": {
        **attr, "whitelist": before["whitelist"], "blacklist": before["blacklist"]}})
    api.write("edit/fail2ban", {"items": ["none"], "attr": {
        "action": "edit-regex", "regex": list(before["regex"].values())}})


def ban(api, network, seconds=1800):
    with opened(api.app.db_path) as conn, transaction(conn):
        area.ban(conn, network, seconds)


def test_get_as_recorded(f2b):
    data = f2b.get_json("get/fail2ban")
    assert KEYS_RECORDED_60 <= set(data)
    assert set(data) - KEYS_RECORDED_60 <= {"active_bans", "perm_bans"}
    assert UUID.match(data["banlist_id"])
    assert isinstance(data["ban_time_increment"], bool)
    if f2b.is_sandbox:
        assert data["regex"] == area.DEFAULT_REGEX
        assert list(data["regex"]) == [str(n) for n in range(1, 10)]


def test_edit_options_as_recorded(f2b):
    before = f2b.get_json("get/fail2ban")
    body = {"items": ["none"], "attr": RECORDED_68}
    log_data = {"network": ["none"], **RECORDED_68}
    assert f2b.post("edit/fail2ban", body).json() == [
        {"type": "success", "log": ["fail2ban", "edit", log_data], "msg": "f2b_modified"}]
    after = f2b.get_json("get/fail2ban")
    assert [k for k in after if k not in ("active_bans", "perm_bans")] == KEYS_AFTER_EDIT
    assert {k: after[k] for k in KEYS_AFTER_EDIT if k != "regex"} == {
        "ban_time": 3600, "ban_time_increment": True, "max_ban_time": 86400,
        "netban_ipv4": 24, "netban_ipv6": 64, "max_attempts": 5, "retry_window": 600,
        "banlist_id": before["banlist_id"], "manage_external": 0,
        "whitelist": "198.51.100.0/24", "blacklist": "203.0.113.99/32"}
    assert '"whitelist": "198.51.100.0\\/24"' in f2b.get("get/fail2ban").text


def test_unban_as_recorded(f2b):
    network = "203.0.113.7/32"
    if f2b.is_sandbox:
        ban(f2b, network)
    assert f2b.post("edit/fail2ban", {"items": [network], "attr": {"action": "unban"}}) \
        .json() == [{"type": "success",
                     "log": ["fail2ban", "edit", {"network": [network], "action": "unban"}],
                     "msg": ["object_modified", network]}]
    if f2b.is_sandbox:
        # Recording 60b: without netfilter the ban stays, queued.
        entry = next(b for b in f2b.get_json("get/fail2ban")["active_bans"]
                     if b["network"] == network)
        assert list(entry) == ["queued_for_unban", "network", "ip", "banned_until"]
        assert entry["queued_for_unban"] == 1 and entry["ip"] == "203.0.113.7"
        assert REMAINING.match(entry["banned_until"])


def test_netfilter_lifts_queued_bans_and_bans_denied_networks(sandbox_only, f2b):
    api = sandbox_only
    network = "198.51.100.77/32"
    ban(api, network)
    with opened(api.app.db_path) as conn, transaction(conn):
        area.set_service(conn, "netfilter", True)
    try:
        api.write("edit/fail2ban", {"items": [network], "attr": {"action": "unban"}})
        api.write("edit/fail2ban", {"items": ["192.0.2.66/32"], "attr": {"action": "blacklist"}})
        with opened(api.app.db_path) as conn:
            later = area.read(conn, now=time.time() + area.UNBAN_DELAY + 1)
        assert network not in [b["network"] for b in later.get("active_bans", [])]
        assert {"network": "192.0.2.66/32", "ip": "192.0.2.66"} in later["perm_bans"]
    finally:
        with opened(api.app.db_path) as conn, transaction(conn):
            area.set_service(conn, "netfilter", False)


def test_remaining_time_counts_down(sandbox_only):
    api = sandbox_only
    ban(api, "198.51.100.88/32", 3725)
    with opened(api.app.db_path) as conn:
        now = time.time()
        first = area.read(conn, now=now)
        later = area.read(conn, now=now + 65)
    def pick(data):
        return next(b for b in data["active_bans"] if b["network"] == "198.51.100.88/32")

    assert pick(first)["banned_until"] in ("01h 02m 05s", "01h 02m 04s")
    assert pick(later)["banned_until"] in ("01h 01m 00s", "01h 00m 59s")
    with opened(api.app.db_path) as conn, transaction(conn):
        conn.execute("DELETE FROM f2b_ban WHERE network = '198.51.100.88/32'")


def test_allow_and_deny_lists_move_networks(f2b):
    network = "192.0.2.45/32"
    f2b.write("edit/fail2ban", {"items": [network], "attr": {"action": "whitelist"}})
    data = f2b.get_json("get/fail2ban")
    assert network in data["whitelist"].split("\n")
    f2b.write("edit/fail2ban", {"items": [network], "attr": {"action": "blacklist"}})
    data = f2b.get_json("get/fail2ban")
    assert network in data["blacklist"].split("\n")
    assert network not in data["whitelist"].split("\n")


@pytest.mark.parametrize("network", ["not-an-ip", "10.0.0.1/33", "fe80::1/129"])
def test_invalid_networks_are_refused(f2b, network):
    answer = f2b.post("edit/fail2ban", {"items": [network],
                                        "attr": {"action": "whitelist"}}).json()
    assert [(m["type"], m["msg"]) for m in answer] == [
        ("danger", ["network_host_invalid", network])]


def test_options_are_clamped_and_lists_filtered(f2b):
    f2b.write("edit/fail2ban", {"items": ["none"], "attr": {
        "ban_time": "5", "max_ban_time": "0", "max_attempts": "0", "retry_window": "-4",
        "netban_ipv4": "40", "netban_ipv6": "200", "ban_time_increment": "0",
        "whitelist": "10.0.0.0/8, host.example.org;bad_entry!\n2001:db8::/32",
        "blacklist": "0.0.0.0/0\n192.0.2.9", "manage_external": "7"}})
    data = f2b.get_json("get/fail2ban")
    assert (data["ban_time"], data["max_ban_time"], data["max_attempts"],
            data["retry_window"]) == (60, 60, 1, 1)
    assert (data["netban_ipv4"], data["netban_ipv6"]) == (32, 128)
    assert data["ban_time_increment"] is False and data["manage_external"] == 1
    assert data["whitelist"] == "10.0.0.0/8\n2001:db8::/32\nhost.example.org"
    assert data["blacklist"] == "192.0.2.9"


def test_edit_and_reset_regex(f2b):
    answer = f2b.post("edit/fail2ban", {"items": ["none"], "attr": {
        "action": "edit-regex", "regex": ["one ([0-9.]+)", "two ([0-9.]+)"]}}).json()
    assert [(m["type"], m["msg"]) for m in answer] == [("success", ["object_modified", ""])]
    assert f2b.get_json("get/fail2ban")["regex"] == {"1": "one ([0-9.]+)",
                                                     "2": "two ([0-9.]+)"}
    f2b.write("edit/fail2ban", {"items": ["none"], "attr": {"action": "reset-regex"}})
    regex = f2b.get_json("get/fail2ban")["regex"]
    assert len(regex) >= 9 and "one ([0-9.]+)" not in regex.values()
