"""Recipient maps, TLS policy maps and forwarding hosts end to end: the Flask app against
the sandbox Mailcow on loopback (global administrators only)."""
import sqlite3
import uuid

import pytest

from tests.conftest import HTMX, csrf_token, form_data, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def tag():
    return uuid.uuid4().hex[:8]


def listed(sandbox, path):
    found = api(sandbox, "get", f"{path}/all")
    return found if isinstance(found, list) else []


# -- recipient maps --------------------------------------------------------------------

def add_rmap(sandbox, old, new="new@example.org", active="1"):
    answer = api(sandbox, "add", "recipient_map", {"recipient_map_old": old,
                                                   "recipient_map_new": new, "active": active})
    assert answer[0]["type"] == "success", answer
    want = old if "@" in old else f"@{old}"
    return next(m for m in listed(sandbox, "recipient_map") if m["recipient_map_old"] == want)


def rmap(sandbox, map_id):
    return next((m for m in listed(sandbox, "recipient_map") if m["id"] == map_id), None)


def rform(client, path, **fields):
    return form_data(client, path, {"old": "", "new": "new@example.org", "active": "y"}, fields)


def test_recipient_maps_list_note_and_search(client, sandbox):
    t = tag()
    add_rmap(sandbox, f"a{t}@old.test", "x@example.org")
    add_rmap(sandbox, f"z{t}.test", "y@example.org")
    html = client.get("/recipient-maps").get_data(as_text=True)
    assert "Replace destination addresses before delivery" in html
    assert "Only global administrators" in html
    assert "Original recipient" in html and "New recipient" in html
    html = client.get(f"/recipient-maps?q=z{t}", headers=HTMX).get_data(as_text=True)
    assert f"z{t}.test" in html and f"a{t}@old.test" not in html and "whole domain" in html


def test_recipient_map_add_edit_delete(client, sandbox, app):
    t = tag()
    response = client.post("/recipient-maps/new",
                           data=rform(client, "/recipient-maps/new", old=f"@Old{t}.test",
                                      new="Target@Example.org"))
    assert response.status_code == 303
    m = next(m for m in listed(sandbox, "recipient_map")
             if m["recipient_map_old"] == f"@old{t}.test")
    assert m["recipient_map_new"] == "target@example.org" and m["active"] == 1
    html = client.get(f"/recipient-maps/{m['id']}/edit").get_data(as_text=True)
    assert f'value="old{t}.test"' in html
    response = client.post(f"/recipient-maps/{m['id']}/edit",
                           data=rform(client, f"/recipient-maps/{m['id']}/edit",
                                      old=f"old{t}.test", new="other@example.org", active=None))
    assert response.status_code == 303
    now = rmap(sandbox, m["id"])
    assert (now["recipient_map_new"], now["active"]) == ("other@example.org", 0)
    assert event(app, "recipient_map.update", f"old{t}.test").changes["new"] == [
        "target@example.org", "other@example.org"]
    html = client.get(f"/recipient-maps/{m['id']}/delete").get_data(as_text=True)
    assert "is no longer redirected to other@example.org" in html
    token = csrf_token(client, "/recipient-maps")
    assert client.post(f"/recipient-maps/{m['id']}/delete",
                       data={"csrf_token": token}).status_code == 303
    assert rmap(sandbox, m["id"]) is None


@pytest.mark.parametrize("fields, field, message", [
    ({"old": ""}, "old", "This field is required."),
    ({"old": "not valid"}, "old", "Enter an e-mail address, or a domain"),
    ({"new": "example.org"}, "new", "Enter one e-mail address."),
    ({"old": "same@example.org", "new": "same@example.org"}, "new", "must differ"),
])
def test_recipient_map_form_errors(client, sandbox, fields, field, message):
    before = listed(sandbox, "recipient_map")
    data = rform(client, "/recipient-maps/new", old=f"x{tag()}@old.test")
    data.update(fields)
    response = client.post("/recipient-maps/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html and message in html
    assert listed(sandbox, "recipient_map") == before


def test_recipient_map_refusal_is_a_banner(client, sandbox, app):
    t = tag()
    add_rmap(sandbox, f"dup{t}@old.test")
    before = listed(sandbox, "recipient_map")
    response = client.post("/recipient-maps/new",
                           data=rform(client, "/recipient-maps/new", old=f"dup{t}@old.test"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mailcow refused the change." in html
    assert f"An entry for dup{t}@old.test already exists" in html
    assert listed(sandbox, "recipient_map") == before
    assert event(app, "recipient_map.create", f"dup{t}@old.test").outcome == "failed"


def test_recipient_map_bulk_and_partial_failure(client, sandbox):
    t = tag()
    good, legacy = add_rmap(sandbox, f"g{t}@old.test"), add_rmap(sandbox, f"l{t}@old.test")
    token = csrf_token(client, "/recipient-maps")
    ids = [good["id"], legacy["id"]]
    response = client.post("/recipient-maps/bulk", data={"csrf_token": token,
                                                         "action": "deactivate", "ids": ids})
    assert "Deactivate 2 recipient maps?" in response.get_data(as_text=True)
    assert rmap(sandbox, good["id"])["active"] == 1
    # A map whose new recipient Mailcow no longer accepts (stored by an older release).
    with sqlite3.connect(sandbox.db_path) as conn:
        conn.execute("UPDATE recipient_maps SET new_dest = 'a@x.test b@x.test' WHERE id = ?",
                     (legacy["id"],))
    response = client.post("/recipient-maps/bulk", data={"csrf_token": token, "confirm": "1",
                                                         "action": "deactivate", "ids": ids})
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Not every entry was changed" in html
    assert f"l{t}@old.test → a@x.test b@x.test" in html[html.index("Failed"):]
    assert rmap(sandbox, good["id"])["active"] == 0 and rmap(sandbox, legacy["id"])["active"] == 1
    response = client.post("/recipient-maps/bulk", data={"csrf_token": token, "confirm": "1",
                                                         "action": "delete", "ids": ids})
    assert response.status_code == 303
    assert rmap(sandbox, good["id"]) is None and rmap(sandbox, legacy["id"]) is None


# -- TLS policy maps -------------------------------------------------------------------

def add_tls(sandbox, dest, policy="encrypt", parameters="", active="1"):
    answer = api(sandbox, "add", "tls-policy-map", {"dest": dest, "policy": policy,
                                                    "parameters": parameters,
                                                    "active": active})
    assert answer[0]["type"] == "success", answer
    return next(m for m in listed(sandbox, "tls-policy-map") if m["dest"] == dest)


def tls(sandbox, map_id):
    return next((m for m in listed(sandbox, "tls-policy-map") if m["id"] == map_id), None)


def tform(client, path, **fields):
    return form_data(client, path, {"dest": "", "policy": "encrypt", "parameters": "",
                                    "active": "y"}, fields)


def test_tls_list_explains_every_policy(client, sandbox):
    t = tag()
    add_tls(sandbox, f"bank{t}.test", "secure", "match=.bank.test")
    html = client.get("/tls-policy").get_data(as_text=True)
    assert "Override outgoing TLS transport rules per destination" in html
    assert "smtp_tls_policy_maps" in html
    for policy in ("none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify",
                   "secure"):
        assert f"<code>{policy}</code>" in html
    html = client.get(f"/tls-policy?q=bank{t}", headers=HTMX).get_data(as_text=True)
    assert "match=.bank.test" in html and "<html" not in html


def test_tls_add_edit_delete(client, sandbox, app):
    t = tag()
    dest = f"[mx.partner{t}.test]:25"
    response = client.post("/tls-policy/new", data=tform(
        client, "/tls-policy/new", dest=dest.upper(), policy="verify",
        parameters="  match=nexthop:dot-nexthop   protocols=>=TLSv1.2 "))
    assert response.status_code == 303
    m = next(m for m in listed(sandbox, "tls-policy-map") if m["dest"] == dest)
    assert (m["policy"], m["parameters"]) == ("verify",
                                              "match=nexthop:dot-nexthop protocols=>=TLSv1.2")
    response = client.post(f"/tls-policy/{m['id']}/edit", data=tform(
        client, f"/tls-policy/{m['id']}/edit", dest=dest, policy="dane-only", active=None))
    assert response.status_code == 303
    now = tls(sandbox, m["id"])
    assert (now["policy"], now["parameters"], now["active"]) == ("dane-only", "", 0)
    assert event(app, "tls_policy.update", dest).outcome == "ok"
    token = csrf_token(client, "/tls-policy")
    assert client.post(f"/tls-policy/{m['id']}/delete",
                       data={"csrf_token": token}).status_code == 303
    assert tls(sandbox, m["id"]) is None


@pytest.mark.parametrize("fields, field, message", [
    ({"dest": ""}, "dest", "This field is required."),
    ({"dest": ".example.org"}, "dest", "starting with a dot"),
    ({"dest": "not a domain"}, "dest", "Enter a domain"),
    ({"dest": "[mx.example.org]:99999"}, "dest", "between 1 and 65535"),
    ({"policy": "always"}, "policy", "Not a valid choice"),
    ({"parameters": "match"}, "parameters", "name=value pairs"),
    ({"parameters": "colour=blue"}, "parameters", "Unknown parameter colour"),
])
def test_tls_form_errors(client, sandbox, fields, field, message):
    before = listed(sandbox, "tls-policy-map")
    data = tform(client, "/tls-policy/new", dest=f"ok{tag()}.test")
    data.update(fields)
    response = client.post("/tls-policy/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and f'id="{field}-error"' in html and message in html
    assert listed(sandbox, "tls-policy-map") == before


def test_tls_refusal_banner_and_timeout(client, sandbox, faults, app):
    t = tag()
    add_tls(sandbox, f"dup{t}.test")
    response = client.post("/tls-policy/new", data=tform(client, "/tls-policy/new",
                                                         dest=f"dup{t}.test"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mailcow refused the change." in html
    assert f"A TLS policy map for dup{t}.test already exists" in html
    before = listed(sandbox, "tls-policy-map")
    data = tform(client, "/tls-policy/new", dest=f"slow{t}.test")
    faults.inject_fault("delay", path_prefix="/api/v1/add/tls-policy-map", seconds=3, count=1)
    response = client.post("/tls-policy/new", data=data)
    assert response.status_code == 502
    assert "Mailcow is not answering" in response.get_data(as_text=True)
    assert event(app, "tls_policy.create", f"slow{t}.test").outcome == "failed"
    faults.clear_faults()
    assert [m["dest"] for m in listed(sandbox, "tls-policy-map")] == [m["dest"] for m in before]


def test_tls_edit_collision_is_worded_for_tls(client, sandbox):
    t = tag()
    add_tls(sandbox, f"one{t}.test")
    two = add_tls(sandbox, f"two{t}.test")
    response = client.post(f"/tls-policy/{two['id']}/edit", data=tform(
        client, f"/tls-policy/{two['id']}/edit", dest=f"one{t}.test"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "A TLS policy map for this destination already exists" in html
    assert tls(sandbox, two["id"])["dest"] == f"two{t}.test"


def test_tls_bulk(client, sandbox):
    t = tag()
    ids = [add_tls(sandbox, f"b{i}{t}.test")["id"] for i in range(3)]
    token = csrf_token(client, "/tls-policy")
    response = client.post("/tls-policy/bulk", data={"csrf_token": token,
                                                     "action": "delete", "ids": ids})
    assert "Delete 3 TLS policy maps?" in response.get_data(as_text=True)
    response = client.post("/tls-policy/bulk", data={"csrf_token": token, "confirm": "1",
                                                     "action": "deactivate", "ids": ids[:2]})
    assert response.status_code == 303
    assert [tls(sandbox, i)["active"] for i in ids] == [0, 0, 1]
    assert client.post("/tls-policy/bulk", data={"csrf_token": token, "confirm": "1",
                                                 "action": "delete",
                                                 "ids": [ids[0], 999999]}).status_code == 404
    assert tls(sandbox, ids[0]) is not None


# -- forwarding hosts ------------------------------------------------------------------

def fwd(sandbox, host):
    return next((h for h in listed(sandbox, "fwdhost") if h["host"] == host), None)


def fform(client, **fields):
    return form_data(client, "/forwarding-hosts/new", {"hostname": ""}, fields)


@pytest.fixture
def no_fwdhosts(sandbox):
    hosts = [h["host"] for h in listed(sandbox, "fwdhost")]
    if hosts:
        api(sandbox, "delete", "fwdhost", hosts)
    yield
    hosts = [h["host"] for h in listed(sandbox, "fwdhost")]
    if hosts:
        api(sandbox, "delete", "fwdhost", hosts)


def test_fwdhost_note_add_address_network_and_name(client, sandbox, no_fwdhosts, app):
    html = client.get("/forwarding-hosts").get_data(as_text=True)
    assert "not checked against DNS blocklists" in html and "No forwarding hosts yet." in html
    assert client.post("/forwarding-hosts/new",
                       data=fform(client, hostname="192.0.2.10")).status_code == 303
    assert client.post("/forwarding-hosts/new",
                       data=fform(client, hostname="2001:DB8:1::/48",
                                  spam_filter="y")).status_code == 303
    response = client.post("/forwarding-hosts/new",
                           data=fform(client, hostname="relay.partner.example"), headers=HTMX)
    assert response.status_code == 204
    assert "192.0.2.25, 2001:db8:25::25" in response.headers["HX-Trigger"]
    assert fwd(sandbox, "192.0.2.10") == {"host": "192.0.2.10", "source": "192.0.2.10",
                                          "keep_spam": "yes"}
    assert fwd(sandbox, "2001:db8:1::/48")["keep_spam"] == "no"
    assert fwd(sandbox, "192.0.2.25")["source"] == "relay.partner.example"
    html = client.get("/forwarding-hosts?sort=host").get_data(as_text=True)
    assert "resolved from relay.partner.example" in html
    assert html.index("192.0.2.10") < html.index("192.0.2.25") < html.index("2001:db8:1::/48")
    assert event(app, "fwdhost.create", "relay.partner.example").outcome == "ok"


@pytest.mark.parametrize("hostname, message", [
    ("", "This field is required."),
    ("999.1.1.1", "Enter an IPv4 or IPv6 address"),
    ("cafe", "Enter an IPv4 or IPv6 address"),
    ("192.0.2.1/24", "Host bits are set; the network is 192.0.2.0/24"),
    ("not a host", "Enter an IPv4 or IPv6 address"),
])
def test_fwdhost_form_errors(client, sandbox, no_fwdhosts, hostname, message):
    response = client.post("/forwarding-hosts/new", data=fform(client, hostname=hostname))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="hostname-error"' in html and message in html
    assert listed(sandbox, "fwdhost") == []


def test_fwdhost_unresolvable_name_is_refused_beside_the_field(client, sandbox, no_fwdhosts,
                                                               app):
    response = client.post("/forwarding-hosts/new",
                           data=fform(client, hostname="nowhere.invalid"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and 'id="hostname-error"' in html
    assert "could not resolve the name" in html
    assert listed(sandbox, "fwdhost") == []
    assert event(app, "fwdhost.create", "nowhere.invalid").outcome == "failed"


def test_fwdhost_toggle_delete_and_bulk(client, sandbox, no_fwdhosts):
    for host in ("192.0.2.1", "192.0.2.2", "192.0.2.3"):
        api(sandbox, "add", "fwdhost", {"hostname": host, "filter_spam": "0"})
    token = csrf_token(client, "/forwarding-hosts")
    response = client.post("/forwarding-hosts/spam-filter", data={
        "csrf_token": token, "host": "192.0.2.1", "spam_filter": "1"})
    assert response.status_code == 303 and fwd(sandbox, "192.0.2.1")["keep_spam"] == "no"
    assert client.post("/forwarding-hosts/spam-filter", data={
        "csrf_token": token, "host": "198.51.100.1", "spam_filter": "1"}).status_code == 404
    response = client.post("/forwarding-hosts/bulk", data={
        "csrf_token": token, "action": "filter_on", "hosts": ["192.0.2.2", "192.0.2.3"]})
    assert "Turn the spam filter on for 2 forwarding hosts?" in response.get_data(True)
    assert fwd(sandbox, "192.0.2.2")["keep_spam"] == "yes"
    response = client.post("/forwarding-hosts/bulk", data={
        "csrf_token": token, "action": "filter_on", "confirm": "1",
        "hosts": ["192.0.2.2", "192.0.2.3"]})
    assert response.status_code == 303
    assert [fwd(sandbox, h)["keep_spam"] for h in ("192.0.2.2", "192.0.2.3")] == ["no", "no"]
    html = client.get("/forwarding-hosts/delete?host=192.0.2.1").get_data(as_text=True)
    assert "Remove forwarding host 192.0.2.1?" in html
    assert client.post("/forwarding-hosts/delete", data={
        "csrf_token": token, "host": "192.0.2.1"}).status_code == 303
    assert fwd(sandbox, "192.0.2.1") is None
    assert client.get("/forwarding-hosts/delete?host=192.0.2.1").status_code == 404
    response = client.post("/forwarding-hosts/bulk", data={
        "csrf_token": token, "action": "delete", "confirm": "1",
        "hosts": ["192.0.2.2", "192.0.2.3"]})
    assert response.status_code == 303 and listed(sandbox, "fwdhost") == []


def test_fwdhost_bulk_partial_failure_names_the_failed(app, sandbox, no_fwdhosts):
    from flask_login import login_user
    from sqlalchemy import select

    from panel.extensions import db
    from panel.mailcow import mailcow
    from panel.mailcow.fwdhosts import ForwardingHost
    from panel.services import fwdhosts as service
    from panel.services.admins import create_admin

    api(sandbox, "add", "fwdhost", {"hostname": "192.0.2.7", "filter_spam": "0"})
    gone = ForwardingHost("192.0.2.8", "192.0.2.8", False)  # removed elsewhere meanwhile
    with app.test_request_context():
        from panel.models import Admin
        login_user(db.session.scalar(select(Admin).limit(1)) or create_admin(
            "fwd-bulk", "correct-horse-battery"))
        result = service.bulk(mailcow(), "filter_on", [service.find(mailcow(), "192.0.2.7"),
                                                       gone])
    assert [h.host for h in result.done] == ["192.0.2.7"]
    assert [h.host for h in result.failed] == ["192.0.2.8"]
    assert result.messages == ["Access denied, or the object does not exist"]
    assert fwd(sandbox, "192.0.2.7")["keep_spam"] == "no"


def test_mailcow_down_gives_a_banner_on_every_list(client, faults):
    for path, prefix in (("/recipient-maps", "/api/v1/get/recipient_map"),
                         ("/tls-policy", "/api/v1/get/tls-policy-map"),
                         ("/forwarding-hosts", "/api/v1/get/fwdhost")):
        faults.inject_fault("http500", path_prefix=prefix, count=1)
        response = client.get(path)
        html = response.get_data(as_text=True)
        assert response.status_code == 502 and "Traceback" not in html
        assert "Mailcow" in html


# -- scope -----------------------------------------------------------------------------

def test_domain_admins_reach_none_of_these(app, sandbox, admin):
    from panel.permissions import PERMISSIONS

    c = signed_in_as(app, "da-maps", ["example.org"], list(PERMISSIONS))
    token = csrf_token(c, "/domains")
    some = listed(sandbox, "recipient_map") + listed(sandbox, "tls-policy-map")
    for path in ("/recipient-maps", "/recipient-maps/new", "/recipient-maps/1/edit",
                 "/tls-policy", "/tls-policy/new", "/tls-policy/1/delete",
                 "/forwarding-hosts", "/forwarding-hosts/new",
                 "/forwarding-hosts/delete?host=192.0.2.10"):
        assert c.get(path).status_code == 404, path
    for path, data in (("/recipient-maps/new", {"old": "x@a.test", "new": "y@a.test"}),
                       ("/tls-policy/new", {"dest": "x.test", "policy": "may"}),
                       ("/forwarding-hosts/new", {"hostname": "192.0.2.99"}),
                       ("/forwarding-hosts/spam-filter", {"host": "192.0.2.10"}),
                       ("/tls-policy/bulk", {"action": "delete", "ids": ["1"], "confirm": "1"})):
        assert c.post(path, data={"csrf_token": token, **data}).status_code == 404, path
    assert listed(sandbox, "recipient_map") + listed(sandbox, "tls-policy-map") == some
    assert fwd(sandbox, "192.0.2.99") is None
    nav = c.get("/domains").get_data(as_text=True)
    assert "Forwarding hosts" not in nav and "Recipient maps" not in nav
