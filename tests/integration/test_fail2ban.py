"""The Fail2ban area end to end: the Flask app against the sandbox Mailcow on loopback."""
import random

import pytest

from panel.mailcow.sandbox.areas import fail2ban as sandbox_f2b
from panel.mailcow.sandbox.store import opened, transaction
from tests.conftest import (HTMX, OUTAGES, assert_outage_banner, csrf_token, form_data,
                            signed_in_as)
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def fresh_network() -> str:
    return f"203.0.{random.randint(120, 250)}.{random.randint(1, 254)}/32"


def ban(sandbox, network, seconds=1800):
    with opened(sandbox.db_path) as conn, transaction(conn):
        sandbox_f2b.ban(conn, network, seconds)


def state(sandbox):
    return api(sandbox, "get", "fail2ban")


def active(sandbox, network):
    return next((b for b in state(sandbox).get("active_bans", []) if b["network"] == network),
                None)


@pytest.fixture
def restore(sandbox):
    """The options, lists and regex as they were before the test."""
    before = state(sandbox)
    yield before
    api(sandbox, "edit", "fail2ban", {"items": ["none"], "attr": {
        **{k: str(int(before[k])) for k in ("ban_time", "max_ban_time", "max_attempts",
                                            "retry_window", "netban_ipv4", "netban_ipv6",
                                            "manage_external", "ban_time_increment")},
        "whitelist": before["whitelist"], "blacklist": before["blacklist"]}})
    api(sandbox, "edit", "fail2ban", {"items": ["none"], "attr": {
        "action": "edit-regex", "regex": list(before["regex"].values())}})


def params(client, **fields):
    return form_data(client, "/fail2ban", {
        "ban_time": "1800", "max_ban_time": "86400", "max_attempts": "10",
        "retry_window": "600", "netban_ipv4": "32", "netban_ipv6": "128",
        "ban_time_increment": "y", "whitelist": "", "blacklist": ""}, fields)


def test_page_shows_parameters_bans_lists_regex_and_banlist(client, sandbox):
    network = fresh_network()
    ban(sandbox, network, 1799)
    now = state(sandbox)
    html = client.get("/fail2ban").get_data(as_text=True)
    for text in ("Ban time (seconds)", "Maximum ban time", "Attempts before a ban",
                 "Retry window", "IPv4 netban size", "IPv6 netban size",
                 "Manage bans externally", "Allow list", "Deny list", "Banned addresses",
                 "Permanent bans", "External ban list", "Regular expressions",
                 "Reset to default", network):
        assert text in html, text
    assert f"https://mail.sandbox.test/f2b-banlist?id={now['banlist_id']}" in html
    row = html[html.index(network):]
    row = row[:row.index("</tr>")]
    assert "00h 29m 5" in row and 'data-countdown="17' in row and "Banned" in row
    assert "mailcow UI: Invalid password for .+ by ([0-9a-f\\.:]+)" in html
    assert 'src="/static/js/fail2ban.js"' in html


def test_bans_part_refreshes_alone(client, sandbox):
    network = fresh_network()
    ban(sandbox, network)
    response = client.get("/fail2ban?part=bans", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and network in html and "<html" not in html
    assert 'hx-trigger="every 20s"' in html


def test_save_parameters_and_lists(app, client, sandbox, restore):
    response = client.post("/fail2ban", data=params(
        client, ban_time="3600", max_ban_time="86400", max_attempts="5", netban_ipv4="24",
        netban_ipv6="64", ban_time_increment=None, manage_external="y",
        whitelist="198.51.100.0/24\nmx.partner.example", blacklist="203.0.113.99/32"))
    assert response.status_code == 303
    now = state(sandbox)
    assert (now["ban_time"], now["max_attempts"], now["netban_ipv4"], now["netban_ipv6"]) == \
        (3600, 5, 24, 64)
    assert now["ban_time_increment"] is False and now["manage_external"] == 1
    assert now["whitelist"] == "198.51.100.0/24\nmx.partner.example"
    assert now["blacklist"] == "203.0.113.99/32"
    assert now["banlist_id"] == restore["banlist_id"]
    recorded = event(app, "fail2ban.update")
    assert recorded.outcome == "ok" and recorded.changes["ban_time"] == [
        restore["ban_time"], 3600]


def test_bad_parameters_are_refused_beside_the_field(client, sandbox):
    before = state(sandbox)
    response = client.post("/fail2ban", data=params(
        client, ban_time="10", netban_ipv4="40", netban_ipv6="4", max_attempts="0",
        whitelist="198.51.100.0/24\nnot an address!", blacklist="0.0.0.0/0",
        max_ban_time="abc"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Nothing was saved" in html
    assert html.count('class="field-error"') >= 7
    assert "address!" in html and "lock everyone out" in html
    after = state(sandbox)
    assert {k: v for k, v in after.items() if k != "active_bans"} == \
        {k: v for k, v in before.items() if k != "active_bans"}


def test_max_ban_time_below_ban_time_is_refused(client, sandbox):
    before = state(sandbox)["ban_time"]
    response = client.post("/fail2ban", data=params(client, ban_time="7200",
                                                    max_ban_time="3600"))
    assert response.status_code == 422
    assert "Must be at least the ban time." in response.get_data(as_text=True)
    assert state(sandbox)["ban_time"] == before


# -- bans ------------------------------------------------------------------------------

def test_unban_queues_the_network(app, client, sandbox):
    network = fresh_network()
    ban(sandbox, network)
    token = csrf_token(client, "/fail2ban")
    response = client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                                   "action": "unban"}, headers=HTMX)
    assert response.status_code == 204
    assert "queued for unbanning" in response.headers["HX-Trigger"]
    assert active(sandbox, network)["queued_for_unban"] == 1
    html = client.get("/fail2ban").get_data(as_text=True)
    row = html[html.index(network):]
    assert "Queued for unban" in row[:row.index("</tr>")]
    recorded = event(app, "fail2ban.unban")
    assert recorded.target == network and recorded.outcome == "ok"


def test_allow_and_deny_move_the_network_between_lists(client, sandbox, restore):
    network = fresh_network()
    ban(sandbox, network)
    token = csrf_token(client, "/fail2ban")
    assert client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                               "action": "allow"}).status_code == 303
    now = state(sandbox)
    assert network in now["whitelist"].split("\n")
    assert active(sandbox, network)["queued_for_unban"] == 1
    assert client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                               "action": "deny"}).status_code == 303
    now = state(sandbox)
    assert network in now["blacklist"].split("\n")
    assert network not in now["whitelist"].split("\n")
    assert {"network": network, "ip": network.split("/")[0]} in now["perm_bans"]
    html = client.get("/fail2ban").get_data(as_text=True)
    perm = html[html.index("perm-bans"):]
    assert network in perm[:perm.index("</ul>")]


def test_lift_a_permanent_ban(app, client, sandbox, restore):
    network = fresh_network()
    token = csrf_token(client, "/fail2ban")
    client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                        "action": "deny"})
    html = client.get("/fail2ban").get_data(as_text=True)
    assert f"Remove {network} from the deny list" in html
    response = client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                                   "action": "undeny"})
    assert response.status_code == 303
    now = state(sandbox)
    assert network not in now["blacklist"].split("\n")
    assert network not in [p["network"] for p in now.get("perm_bans", [])]
    assert now["whitelist"] == restore["whitelist"] and now["ban_time"] == restore["ban_time"]
    assert event(app, "fail2ban.undeny").target == network


@pytest.mark.parametrize("network,action", [("not-an-ip", "unban"), ("10.0.0.1/33", "deny"),
                                            ("0.0.0.0/0", "deny"), ("10.0.0.1", "explode")])
def test_bad_ban_action_changes_nothing(client, sandbox, network, action):
    before = state(sandbox)
    token = csrf_token(client, "/fail2ban")
    response = client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                                   "action": action})
    assert response.status_code == 422
    assert "Nothing was changed." in response.get_data(as_text=True)
    after = state(sandbox)
    assert (after["whitelist"], after["blacklist"]) == (before["whitelist"], before["blacklist"])


# -- regular expressions ---------------------------------------------------------------

def test_edit_and_reset_regex(app, client, sandbox, restore):
    token = csrf_token(client, "/fail2ban")
    patterns = [r"custom: bad login from ([0-9a-f\.:]+)", r"another ([0-9.]+) failure"]
    response = client.post("/fail2ban/regex", data={"csrf_token": token,
                                                    "regex": "\n".join(patterns)})
    assert response.status_code == 303
    assert state(sandbox)["regex"] == {"1": patterns[0], "2": patterns[1]}
    html = client.get("/fail2ban/regex/reset").get_data(as_text=True)
    assert "Reset the regular expressions to Mailcow" in html
    assert "2 expressions now in use" in html
    assert state(sandbox)["regex"] == {"1": patterns[0], "2": patterns[1]}
    assert client.post("/fail2ban/regex/reset", data={"csrf_token": token}).status_code == 303
    assert state(sandbox)["regex"] == sandbox_f2b.DEFAULT_REGEX
    assert event(app, "fail2ban.regex_reset").outcome == "ok"


@pytest.mark.parametrize("text,expected", [
    ("broken ([0-9]+", "line 1: missing ), unterminated subpattern"),
    ("fine ([0-9.]+)\nno group at all", "line 2: needs a group"),
    ("", "This field is required."),
])
def test_bad_regex_is_refused_beside_the_field(client, sandbox, text, expected):
    before = state(sandbox)["regex"]
    token = csrf_token(client, "/fail2ban")
    response = client.post("/fail2ban/regex", data={"csrf_token": token, "regex": text})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and expected in html
    assert 'id="regex-error"' in html
    assert state(sandbox)["regex"] == before


# -- Mailcow failing -------------------------------------------------------------------

@pytest.mark.parametrize("kind, seconds, expected", OUTAGES)
def test_backend_failure_is_a_banner(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, seconds=seconds)
    assert_outage_banner(client, "/fail2ban", expected)


def test_unban_during_outage_changes_nothing(app, client, sandbox, faults):
    network = fresh_network()
    ban(sandbox, network)
    token = csrf_token(client, "/fail2ban")
    faults.inject_fault("http500", path_prefix="/api/v1/edit/")
    response = client.post("/fail2ban/bans", data={"csrf_token": token, "network": network,
                                                   "action": "unban"})
    assert response.status_code == 502
    faults.clear_faults()
    assert active(sandbox, network)["queued_for_unban"] == 0
    assert event(app, "fail2ban.unban").outcome == "failed"


def test_read_only_key_is_refused_by_mailcow(read_only_client, sandbox):
    c = read_only_client
    before = state(sandbox)
    response = c.post("/fail2ban", data=params(c, ban_time="4000"))
    assert response.status_code == 502 and "read-only" in response.get_data(as_text=True)
    assert state(sandbox)["ban_time"] == before["ban_time"]


# -- scope -----------------------------------------------------------------------------

def test_domain_admins_never_reach_fail2ban(app, sandbox, admin):
    c = signed_in_as(app, "da-f2b", ["example.org"], ["quarantine", "logs"])
    network = fresh_network()
    ban(sandbox, network)
    token = csrf_token(c, "/domains")
    assert c.get("/fail2ban").status_code == 404
    assert c.get("/fail2ban?part=bans", headers=HTMX).status_code == 404
    assert c.get("/fail2ban/regex/reset").status_code == 404
    for path, data in (("/fail2ban", {"ban_time": "60"}),
                       ("/fail2ban/bans", {"network": network, "action": "unban"}),
                       ("/fail2ban/regex", {"regex": "x (y)"}),
                       ("/fail2ban/regex/reset", {})):
        assert c.post(path, data={"csrf_token": token, **data}).status_code == 404
    assert active(sandbox, network)["queued_for_unban"] == 0
    assert "Fail2ban" not in c.get("/domains").get_data(as_text=True)
