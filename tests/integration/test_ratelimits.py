"""The Rate limits area end to end: the Flask app against the sandbox Mailcow on loopback."""
import pytest

from tests.conftest import HTMX, OUTAGES, csrf_token, new_domain, new_mailbox, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def add_domain(sandbox):
    return new_domain(sandbox, "rl")


def add_mailbox(sandbox, domain, local="alice"):
    return new_mailbox(sandbox, domain, local)


def limit(sandbox, scope, target):
    return api(sandbox, "get", f"rl-{'mbox' if scope == 'mailbox' else 'domain'}/{target}")


def set_limit(sandbox, scope, target, value, frame):
    route = "rl-mbox" if scope == "mailbox" else "rl-domain"
    api(sandbox, "edit", route, {"items": [target],
                                 "attr": {"rl_value": str(value), "rl_frame": frame}})


def new_form(client, **fields):
    data = {"csrf_token": csrf_token(client, "/ratelimits/new"), "scope": "domain",
            "domain": "", "mailbox": "", "value": "100", "frame": "h"}
    data.update(fields)
    return data


def test_list_shows_domains_and_mailboxes_with_a_limit(client, sandbox):
    d = add_domain(sandbox)
    box, other = add_mailbox(sandbox, d), add_mailbox(sandbox, d, "bob")
    set_limit(sandbox, "domain", d, 500, "d")
    set_limit(sandbox, "mailbox", box, 20, "h")
    html = client.get(f"/ratelimits?domain={d}").get_data(as_text=True)
    assert d in html and box in html and other not in html
    assert "500</strong> messages per day" in html and "20</strong> messages per hour" in html
    only = client.get(f"/ratelimits?domain={d}&kind=mailbox", headers=HTMX)
    rows = only.get_data(as_text=True)
    assert only.status_code == 200 and "<html" not in rows
    assert box in rows and f"ratelimits/domain/{d}" not in rows
    searched = client.get(f"/ratelimits?q=alice@{d}").get_data(as_text=True)
    assert box in searched and f"<code>{d}</code>" not in searched


def test_set_a_domain_limit(client, sandbox, app):
    d = add_domain(sandbox)
    response = client.post("/ratelimits/new", data=new_form(client, domain=d, value="250",
                                                           frame="m"))
    assert response.status_code == 303
    assert limit(sandbox, "domain", d) == {"value": "250", "frame": "m"}
    e = event(app, "ratelimit.set", d)
    assert e.outcome == "ok" and e.domain == d and e.changes["limit"] == [None, [250, "m"]]


def test_set_a_mailbox_limit(client, sandbox):
    d = add_domain(sandbox)
    box = add_mailbox(sandbox, d)
    response = client.post("/ratelimits/new", data=new_form(
        client, scope="mailbox", mailbox=box.upper(), value="30", frame="d"), headers=HTMX)
    assert response.status_code == 204 and "saved" in response.headers["HX-Trigger"]
    assert limit(sandbox, "mailbox", box) == {"value": "30", "frame": "d"}


@pytest.mark.parametrize("fields, field, message", [
    ({"value": "0"}, "value", "Enter a number from 1 to 1000000."),
    ({"value": ""}, "value", "Enter how many messages may be sent."),
    ({"value": "abc"}, "value", "Not a valid integer value."),
    ({"frame": "w"}, "frame", "Not a valid choice."),
    ({"domain": "nowhere.invalid"}, "domain", "Choose one of your domains."),
    ({"scope": "mailbox", "mailbox": "nobody"}, "mailbox", "full address"),
])
def test_bad_input_sits_beside_the_field_and_changes_nothing(client, sandbox, fields, field,
                                                             message):
    d = add_domain(sandbox)
    response = client.post("/ratelimits/new", data=new_form(client, **{"domain": d, **fields}))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html and message in html
    assert limit(sandbox, "domain", d) == {}


def test_unknown_mailbox_is_a_field_error(client, sandbox):
    d = add_domain(sandbox)
    response = client.post("/ratelimits/new", data=new_form(
        client, scope="mailbox", mailbox=f"ghost@{d}"))
    assert response.status_code == 422
    assert f"No mailbox ghost@{d} exists." in response.get_data(as_text=True)


def test_change_prefills_and_saves(client, sandbox, app):
    d = add_domain(sandbox)
    box = add_mailbox(sandbox, d)
    set_limit(sandbox, "mailbox", box, 20, "h")
    page = client.get(f"/ratelimits/mailbox/{box}").get_data(as_text=True)
    assert 'value="20"' in page and "20 messages per hour" in page
    token = csrf_token(client, f"/ratelimits/mailbox/{box}")
    bad = client.post(f"/ratelimits/mailbox/{box}", data={"csrf_token": token, "value": "-1",
                                                          "frame": "h"})
    assert bad.status_code == 422 and limit(sandbox, "mailbox", box) == {"value": "20",
                                                                          "frame": "h"}
    ok = client.post(f"/ratelimits/mailbox/{box}", data={"csrf_token": token, "value": "5",
                                                         "frame": "s"})
    assert ok.status_code == 303 and limit(sandbox, "mailbox", box) == {"value": "5",
                                                                         "frame": "s"}
    assert event(app, "ratelimit.set", box).changes["limit"] == [[20, "h"], [5, "s"]]


def test_remove_asks_then_removes(client, sandbox, app):
    d = add_domain(sandbox)
    set_limit(sandbox, "domain", d, 9, "s")
    ask = client.get(f"/ratelimits/domain/{d}/remove").get_data(as_text=True)
    assert "9 messages per second" in ask and limit(sandbox, "domain", d) != {}
    token = csrf_token(client, f"/ratelimits/domain/{d}/remove")
    response = client.post(f"/ratelimits/domain/{d}/remove", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200 and "removed" in response.get_data(as_text=True)
    assert limit(sandbox, "domain", d) == {}
    assert event(app, "ratelimit.remove", d).outcome == "ok"
    # Nothing left to remove.
    assert client.get(f"/ratelimits/domain/{d}/remove").status_code == 404


def test_unknown_targets_are_404(client, sandbox):
    d = add_domain(sandbox)
    assert client.get("/ratelimits/domain/nowhere.invalid").status_code == 404
    assert client.get(f"/ratelimits/mailbox/ghost@{d}").status_code == 404


def test_mailcow_refusal_is_a_banner(client, sandbox, app, monkeypatch):
    """A mailbox deleted between MailApp's check and the write: Mailcow says access_denied."""
    from panel.views import ratelimits as view

    d = add_domain(sandbox)
    monkeypatch.setattr(view, "_check_mailbox", lambda address: address)
    response = client.post("/ratelimits/new", data=new_form(
        client, scope="mailbox", mailbox=f"gone@{d}"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Mailcow refused the change." in html and "Access denied" in html
    assert event(app, "ratelimit.set", f"gone@{d}").outcome == "failed"


@pytest.mark.parametrize("kind, seconds, expected", OUTAGES)
def test_outage_is_a_banner(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, seconds=seconds)
    response = client.get("/ratelimits", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and expected in html and "Traceback" not in html
    assert response.headers["HX-Retarget"] == "#banner"


# -- domain administrators ---------------------------------------------------------------

@pytest.fixture
def scoped(app, sandbox, admin):
    a, b = add_domain(sandbox), add_domain(sandbox)
    mine, theirs = add_mailbox(sandbox, a), add_mailbox(sandbox, b)
    for target, scope in ((a, "domain"), (b, "domain"), (mine, "mailbox"), (theirs, "mailbox")):
        set_limit(sandbox, scope, target, 7, "m")
    return signed_in_as(app, "da-rl", [a], ["ratelimit"]), a, b, mine, theirs


def test_domain_admin_sees_and_changes_only_their_limits(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    html = c.get("/ratelimits").get_data(as_text=True)
    assert a in html and mine in html and b not in html and theirs not in html
    nav = html[html.index('class="sidebar"'):html.index("</aside>")]
    assert "Rate limits" in nav
    token = csrf_token(c, "/ratelimits")
    assert c.post(f"/ratelimits/mailbox/{mine}", data={"csrf_token": token, "value": "3",
                                                       "frame": "h"}).status_code == 303
    assert limit(sandbox, "mailbox", mine) == {"value": "3", "frame": "h"}


def test_domain_admin_gets_404_outside_their_domains(scoped, sandbox):
    c, a, b, mine, theirs = scoped
    token = csrf_token(c, "/ratelimits")
    for path in (f"/ratelimits/domain/{b}", f"/ratelimits/domain/{b}/remove",
                 f"/ratelimits/mailbox/{theirs}", f"/ratelimits/mailbox/{theirs}/remove",
                 f"/ratelimits?domain={b}"):
        assert c.get(path).status_code == 404, path
        if "?" not in path:
            assert c.post(path, data={"csrf_token": token, "value": "1",
                                      "frame": "s"}).status_code == 404, path
    for fields in ({"scope": "mailbox", "mailbox": theirs}, {"scope": "domain", "domain": b}):
        response = c.post("/ratelimits/new", data={"csrf_token": token, "value": "1",
                                                   "frame": "s", **fields})
        assert response.status_code in (404, 422)
        assert b not in response.get_data(as_text=True).replace(f'value="{b}"', "")
    assert limit(sandbox, "domain", b) == {"value": "7", "frame": "m"}
    assert limit(sandbox, "mailbox", theirs) == {"value": "7", "frame": "m"}


def test_domain_admin_without_the_permission_is_refused(app, sandbox, admin):
    a = add_domain(sandbox)
    c = signed_in_as(app, "da-norl", [a], ["aliases"])
    assert c.get("/ratelimits").status_code == 404
    assert c.get(f"/ratelimits/domain/{a}").status_code == 404
