"""The Routing area end to end: the Flask app against the sandbox Mailcow on loopback."""
import logging
import secrets

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.models import AuditEvent
from tests.conftest import HTMX, csrf_token, signed_in_as
from tests.conftest import last_event as event
from tests.conftest import mailcow_api as api


def unique(prefix="rt"):
    return f"{prefix}-{secrets.token_hex(4)}.test"


def relayhosts(sandbox):
    found = api(sandbox, "get", "relayhost/all")
    return found if isinstance(found, list) else []


def transports(sandbox):
    found = api(sandbox, "get", "transport/all")
    return found if isinstance(found, list) else []


def add_relayhost(sandbox, hostname=None, username="relay-user", password="relay-Secret-1"):
    hostname = hostname or f"[{unique('smart')}]:587"
    api(sandbox, "add", "relayhost", {"hostname": hostname, "username": username,
                                      "password": password})
    return next(r for r in relayhosts(sandbox) if r["hostname"] == hostname)


def add_transport(sandbox, destination=None, nexthop=None, username="", password=""):
    destination = destination or unique("dest")
    answer = api(sandbox, "add", "transport", {
        "destination": destination, "nexthop": nexthop or f"[mx.{destination}]:25",
        "username": username, "password": password, "active": "1"})
    assert answer[0]["type"] == "success", answer
    return next(t for t in transports(sandbox) if t["destination"] == destination)


def relay_form(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), "hostname": "[relay.example.test]:587",
            "username": "", "password": ""}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


def transport_form(client, path, **fields):
    data = {"csrf_token": csrf_token(client, path), "destination": unique("dest"),
            "nexthop": "[mx.partner.test]:25", "username": "", "password": "",
            "active": "y"}
    data.update(fields)
    return {k: v for k, v in data.items() if v is not None}


# -- sender-dependent transports -------------------------------------------------------

def test_relayhost_list_shows_users_and_no_password(client, sandbox):
    relay = add_relayhost(sandbox, password="Listed-Secret-9")
    domain = unique("used")
    api(sandbox, "add", "domain", {"domain": domain, "active": "1"})
    api(sandbox, "edit", "domain", {"items": [domain], "attr": {"relayhost": str(relay["id"])}})
    html = client.get("/routing").get_data(as_text=True)
    assert relay["hostname"] in html and domain in html
    assert "Listed-Secret-9" not in html and "Lis..." not in html
    assert "Wrapped TLS (SMTPS" in html and "plain text" in html
    partial = client.get(f"/routing?q={domain}", headers=HTMX).get_data(as_text=True)
    assert "<html" not in partial and relay["hostname"] in partial
    assert "grace.moore@example.net" not in partial  # the demo relay does not match


def test_add_relayhost(client, app, sandbox):
    hostname = f"[{unique('add')}]:587"
    data = relay_form(client, "/routing/relayhosts/new", hostname=hostname,
                      username="user1", password="Add-Secret-1")
    response = client.post("/routing/relayhosts/new", data=data)
    assert response.status_code == 303
    found = next(r for r in relayhosts(sandbox) if r["hostname"] == hostname)
    assert (found["username"], found["password"]) == ("user1", "Add-Secret-1")
    audit = event(app, "relayhost.create")
    assert audit.target == hostname and "Add-Secret-1" not in str(audit.changes)
    assert audit.changes["credentials"] == "password set"


@pytest.mark.parametrize("hostname, message", [
    ("", "This field is required"),
    ("smtp:[relay.test]:25", "Leave out the service name"),
    ("[relay.test]:70000", "between 1 and 65535"),
    ("relay host", "not a valid host name"),
])
def test_bad_relayhost_is_refused_beside_the_field(client, sandbox, hostname, message):
    before = relayhosts(sandbox)
    response = client.post("/routing/relayhosts/new",
                           data=relay_form(client, "/routing/relayhosts/new",
                                           hostname=hostname, password="Never-Echoed-1"))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert 'class="field-error" id="hostname-error"' in html
    assert "Never-Echoed-1" not in html
    assert relayhosts(sandbox) == before


def test_edit_relayhost_blank_password_keeps_it(client, app, sandbox):
    relay = add_relayhost(sandbox, password="Keep-Me-1")
    path = f"/routing/relayhosts/{relay['id']}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Keep-Me-1" not in page and "leave empty to keep it" in page
    response = client.post(path, data=relay_form(client, path, hostname=relay["hostname"],
                                                 username="renamed", password=""))
    assert response.status_code == 303
    now = api(sandbox, "get", f"relayhost/{relay['id']}")
    assert (now["username"], now["password"], now["active"]) == ("renamed", "Keep-Me-1", 0)
    audit = event(app, "relayhost.update")
    assert audit.changes == {"username": ["relay-user", "renamed"], "active": [True, False]}


def test_edit_relayhost_new_and_cleared_password(client, app, sandbox):
    relay = add_relayhost(sandbox, password="Old-Secret-1")
    path = f"/routing/relayhosts/{relay['id']}/edit"
    client.post(path, data=relay_form(client, path, hostname=relay["hostname"],
                                      username="u", password="New-Secret-2", active="y"))
    assert api(sandbox, "get", f"relayhost/{relay['id']}")["password"] == "New-Secret-2"
    assert event(app, "relayhost.update").changes["credentials"] == "password set"
    # Both at once is contradictory: refused beside the box, nothing changed.
    response = client.post(path, data=relay_form(client, path, hostname=relay["hostname"],
                                                 username="u", password="Third-3",
                                                 clear_password="y", active="y"))
    assert response.status_code == 422 and "not both" in response.get_data(as_text=True)
    assert api(sandbox, "get", f"relayhost/{relay['id']}")["password"] == "New-Secret-2"
    client.post(path, data=relay_form(client, path, hostname=relay["hostname"],
                                      username="u", clear_password="y", active="y"))
    assert api(sandbox, "get", f"relayhost/{relay['id']}")["password"] == ""
    assert event(app, "relayhost.update").changes["credentials"] == "password cleared"


def test_delete_relayhost_in_use_needs_confirmation(client, app, sandbox):
    relay = add_relayhost(sandbox)
    domain = unique("inuse")
    api(sandbox, "add", "domain", {"domain": domain, "active": "1"})
    api(sandbox, "edit", "domain", {"items": [domain], "attr": {"relayhost": str(relay["id"])}})
    path = f"/routing/relayhosts/{relay['id']}/delete"
    page = client.get(path).get_data(as_text=True)
    assert "This transport is in use." in page and domain in page
    token = csrf_token(client, path)
    response = client.post(path, data={"csrf_token": token})
    assert response.status_code == 422 and "Tick the box" in response.get_data(as_text=True)
    assert any(r["id"] == relay["id"] for r in relayhosts(sandbox))
    response = client.post(path, data={"csrf_token": token, "confirm_in_use": "1"})
    assert response.status_code == 303
    assert not any(r["id"] == relay["id"] for r in relayhosts(sandbox))
    assert api(sandbox, "get", f"domain/{domain}")["relayhost"] == "0"
    assert event(app, "relayhost.delete").changes["used_by_domains"] == [domain]


def test_delete_unused_relayhost_htmx(client, sandbox):
    relay = add_relayhost(sandbox)
    path = f"/routing/relayhosts/{relay['id']}/delete"
    response = client.post(path, data={"csrf_token": csrf_token(client, path)}, headers=HTMX)
    assert response.status_code == 204 and response.headers["HX-Location"] == "/routing"
    assert "mailapp:toast" in response.headers["HX-Trigger"]


def test_unknown_relayhost_is_404(client):
    assert client.get("/routing/relayhosts/987654/edit").status_code == 404
    assert client.get("/routing/relayhosts/987654/delete").status_code == 404


# -- transport maps --------------------------------------------------------------------

def test_transport_list_shows_caveats(client, sandbox):
    entry = add_transport(sandbox, username="tuser", password="Transport-Secret-4")
    html = client.get("/routing/transports").get_data(as_text=True)
    assert entry["destination"] in html and entry["nexthop"] in html
    assert "Transport-Secret-4" not in html and "Tra..." not in html
    for caveat in ("wins over a sender-dependent transport", "/localhost$/",
                   "host and [host]:25 cannot both be used",
                   "replaces the credentials of every entry with the same next hop"):
        assert caveat in html


def test_add_transport(client, app, sandbox):
    destination = unique("new")
    data = transport_form(client, "/routing/transports/new", destination=destination,
                          nexthop=f"[relay.{destination}]:2525", username="tu",
                          password="T-Secret-5")
    assert client.post("/routing/transports/new", data=data).status_code == 303
    found = next(t for t in transports(sandbox) if t["destination"] == destination)
    assert (found["nexthop"], found["username"], found["password"], found["active"]) == \
        (f"[relay.{destination}]:2525", "tu", "T-Secret-5", 1)
    audit = event(app, "transport.create")
    assert audit.target == destination and "T-Secret-5" not in str(audit.changes)


@pytest.mark.parametrize("fields, field, message", [
    ({"destination": "..bad"}, "destination", "is not a domain"),
    ({"destination": "(", "is_mx_based": "y"}, "destination", "not a valid regular expression"),
    ({"nexthop": ""}, "nexthop", "This field is required"),
    ({"nexthop": "smtp:mx.test"}, "nexthop", "Leave out the service name"),
    ({"password": "Lonely-6"}, "password", "needs a username"),
])
def test_bad_transport_is_refused_beside_the_field(client, sandbox, fields, field, message):
    before = transports(sandbox)
    response = client.post("/routing/transports/new",
                           data=transport_form(client, "/routing/transports/new", **fields))
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and message in html
    assert f'id="{field}-error"' in html and "Lonely-6" not in html
    assert transports(sandbox) == before


def test_mailcow_refusal_is_a_banner(client, app, sandbox):
    existing = add_transport(sandbox)
    data = transport_form(client, "/routing/transports/new",
                          destination=existing["destination"],
                          nexthop=f"[other.{existing['destination']}]:25")
    response = client.post("/routing/transports/new", data=data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422 and "Mailcow refused the change." in html
    assert f"A transport for destination {existing['destination']} already exists" in html
    assert event(app, "transport.create").outcome == "failed"


def test_edit_transport_keeps_password_and_shows_sharing(client, sandbox):
    hop = f"[shared.{unique('hop')}]:587"
    first = add_transport(sandbox, nexthop=hop, username="s", password="Shared-7")
    second = add_transport(sandbox, nexthop=hop, username="s", password="Shared-7")
    path = f"/routing/transports/{first['id']}/edit"
    page = client.get(path).get_data(as_text=True)
    assert second["destination"] in page and "Shared-7" not in page
    response = client.post(path, data=transport_form(
        client, path, destination=first["destination"], nexthop=hop, username="s",
        password=""))
    assert response.status_code == 303
    assert api(sandbox, "get", f"transport/{first['id']}")["password"] == "Shared-7"
    # A new password reaches every entry with the same next hop, as Mailcow does.
    client.post(path, data=transport_form(client, path, destination=first["destination"],
                                          nexthop=hop, username="s", password="Shared-8"))
    assert api(sandbox, "get", f"transport/{second['id']}")["password"] == "Shared-8"


def test_edit_transport_rejects_several_destinations(client, sandbox):
    entry = add_transport(sandbox)
    path = f"/routing/transports/{entry['id']}/edit"
    response = client.post(path, data=transport_form(client, path,
                                                     destination="a.test b.test",
                                                     nexthop=entry["nexthop"]))
    assert response.status_code == 422 and "exactly one destination" in \
        response.get_data(as_text=True)


def test_delete_transport(client, app, sandbox):
    entry = add_transport(sandbox)
    path = f"/routing/transports/{entry['id']}/delete"
    assert entry["destination"] in client.get(path).get_data(as_text=True)
    assert client.post(path, data={"csrf_token": csrf_token(client, path)}).status_code == 303
    assert not any(t["id"] == entry["id"] for t in transports(sandbox))
    assert event(app, "transport.delete").target == f"{entry['id']} {entry['destination']}"


def test_unknown_transport_is_404(client):
    assert client.get("/routing/transports/987654/edit").status_code == 404
    assert client.post("/routing/transports/987654/delete").status_code in (400, 404)


# -- failures and scope ----------------------------------------------------------------

@pytest.mark.parametrize("path", ["/routing", "/routing/transports"])
def test_mailcow_error_and_timeout_are_banners(client, faults, path):
    faults.inject_fault("http500")
    response = client.get(path, headers=HTMX)
    assert response.status_code == 502 and "Mailcow is not answering" in \
        response.get_data(as_text=True)
    faults.clear_faults()
    faults.inject_fault("delay", seconds=3)
    response = client.get(path)
    html = response.get_data(as_text=True)
    assert response.status_code == 502 and "did not answer within" in html
    assert "Traceback" not in html


def test_timeout_on_save_is_a_banner(client, faults, sandbox):
    data = transport_form(client, "/routing/transports/new")
    faults.inject_fault("delay", path_prefix="/api/v1/add/", seconds=3)
    response = client.post("/routing/transports/new", data=data)
    assert response.status_code == 502
    assert "did not answer within" in response.get_data(as_text=True)


def test_domain_admin_gets_404(app, sandbox, admin):
    relay = add_relayhost(sandbox)
    entry = add_transport(sandbox)
    c = signed_in_as(app, "da-routing", ["example.org"], [])
    for path in ("/routing", "/routing/transports", "/routing/relayhosts/new",
                 "/routing/transports/new", f"/routing/relayhosts/{relay['id']}/edit",
                 f"/routing/relayhosts/{relay['id']}/delete",
                 f"/routing/transports/{entry['id']}/edit",
                 f"/routing/transports/{entry['id']}/delete"):
        assert c.get(path).status_code == 404, path
    token = csrf_token(c, "/account")
    assert c.post(f"/routing/transports/{entry['id']}/delete",
                  data={"csrf_token": token}).status_code == 404
    assert any(t["id"] == entry["id"] for t in transports(sandbox))


# -- secrets ---------------------------------------------------------------------------

def test_relay_passwords_never_leave_mailcow(client, app, sandbox, caplog):
    """A password typed into the forms is nowhere in MailApp afterwards: no page, no audit
    record or export, no log line."""
    relay_secret, transport_secret = "Relay-S3cret-xyzzy", "Transport-S3cret-plugh"
    caplog.set_level(logging.DEBUG)
    hostname = f"[{unique('secret')}]:587"
    client.post("/routing/relayhosts/new", data=relay_form(
        client, "/routing/relayhosts/new", hostname=hostname, username="s",
        password=relay_secret))
    relay = next(r for r in relayhosts(sandbox) if r["hostname"] == hostname)
    destination = unique("secret")
    client.post("/routing/transports/new", data=transport_form(
        client, "/routing/transports/new", destination=destination,
        nexthop=f"[relay.{destination}]:587", username="s", password=transport_secret))
    entry = next(t for t in transports(sandbox) if t["destination"] == destination)
    # A refused save with the password typed again, and an edit that replaces it.
    client.post("/routing/relayhosts/new", data=relay_form(
        client, "/routing/relayhosts/new", hostname="bad host", password=relay_secret))
    edit = f"/routing/relayhosts/{relay['id']}/edit"
    client.post(edit, data=relay_form(client, edit, hostname=hostname, username="s",
                                      password=relay_secret, active="y"))
    assert api(sandbox, "get", f"relayhost/{relay['id']}")["password"] == relay_secret
    pages = ["/routing", "/routing/transports", edit,
             f"/routing/relayhosts/{relay['id']}/delete",
             f"/routing/transports/{entry['id']}/edit",
             f"/routing/transports/{entry['id']}/delete", "/routing?q=secret",
             "/audit", "/audit?q=relayhost", "/audit/export.csv", "/domains"]
    for path in pages:
        for headers in ({}, HTMX):
            body = client.get(path, headers=headers).get_data(as_text=True)
            for secret in (relay_secret, transport_secret):
                assert secret not in body, path
                assert secret[:3] + "..." not in body, path
    with app.app_context():
        for audit_event in db.session.scalars(select(AuditEvent)):
            text = " ".join(str(v) for v in (audit_event.target, audit_event.changes,
                                             audit_event.detail))
            assert relay_secret not in text and transport_secret not in text
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records and relay_secret not in logged and transport_secret not in logged


# -- the domain form's relay choice ----------------------------------------------------

def test_domain_edit_chooses_a_sender_dependent_transport(client, sandbox):
    from tests.integration.test_domains import form_data

    relay = add_relayhost(sandbox)
    domain = unique("choose")
    api(sandbox, "add", "domain", {"domain": domain, "active": "1"})
    path = f"/domains/{domain}/edit"
    page = client.get(path).get_data(as_text=True)
    assert "Default route (no sender-dependent transport)" in page
    assert f'value="{relay["id"]}"' in page and relay["hostname"] in page
    response = client.post(path, data=form_data(client, path, relayhost=str(relay["id"])))
    assert response.status_code == 303, response.get_data(as_text=True)
    assert api(sandbox, "get", f"domain/{domain}")["relayhost"] == str(relay["id"])
    assert domain in client.get(f"/routing?q={domain}").get_data(as_text=True)
    # An id that is no transport is refused beside the field; back to the default works.
    response = client.post(path, data=form_data(client, path, relayhost="987654"))
    assert response.status_code == 422 and 'id="relayhost-error"' in \
        response.get_data(as_text=True)
    client.post(path, data=form_data(client, path, relayhost="0"))
    assert api(sandbox, "get", f"domain/{domain}")["relayhost"] == "0"


def test_mailbox_edit_chooses_a_sender_dependent_transport(client, app, sandbox):
    relay = add_relayhost(sandbox)
    username = "grace.moore@example.net"
    path = f"/mailboxes/{username}/edit"
    page = client.get(path).get_data(as_text=True)
    assert 'id="relayhost"' in page and relay["hostname"] in page
    html = page
    # Post the form as the browser would, only with another relay chosen.
    import re
    data = {m.group(1): m.group(2) for m in re.finditer(
        r'<input[^>]*name="([^"]+)"[^>]*value="([^"]*)"', html)
        if 'type="checkbox"' not in m.group(0) or "checked" in m.group(0)}
    data.update({"relayhost": str(relay["id"])})
    for picker in re.finditer(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        if picker.group(1) != "relayhost":
            chosen = re.search(r'<option[^>]*value="([^"]*)"[^>]*selected', picker.group(2))
            if chosen:
                data[picker.group(1)] = chosen.group(1)
    for area in re.finditer(r'<textarea[^>]*name="([^"]+)"[^>]*>(.*?)</textarea>', html, re.S):
        data[area.group(1)] = area.group(2).strip()
    response = client.post(path, data=data)
    assert response.status_code == 303, response.get_data(as_text=True)[-2000:]
    got = api(sandbox, "get", f"mailbox/{username}")
    assert got["attributes"]["relayhost"] == str(relay["id"])
    assert username in client.get(f"/routing?q={relay['hostname']}").get_data(as_text=True)


def test_domain_admin_has_no_relay_choice_on_mailboxes(app, sandbox, admin):
    c = signed_in_as(app, "da-relay", ["example.org"], ["mailboxes"])
    page = c.get("/mailboxes/alice.smith@example.org/edit")
    assert page.status_code == 200
    assert 'id="relayhost"' not in page.get_data(as_text=True)
