"""The OAuth2 area end to end: the Flask app against the sandbox Mailcow on loopback."""
import sqlite3
import uuid

import pytest
from sqlalchemy import select

from panel.extensions import db
from panel.mailcow.sandbox.areas import oauth2 as sandbox_oauth2
from panel.models import AuditEvent
from tests.conftest import HTMX, OUTAGES, assert_outage_banner, csrf_token, signed_in_as
from tests.conftest import mailcow_api as api


def uri(tag="cb"):
    return f"https://app-{uuid.uuid4().hex[:8]}.example.test/{tag}"


def clients(sandbox):
    found = api(sandbox, "get", "oauth2-client/all")
    return found if isinstance(found, list) else []


def by_uri(sandbox, redirect_uri):
    return [c for c in clients(sandbox) if c["redirect_uri"] == redirect_uri]


def add_client(sandbox, redirect_uri=None):
    redirect_uri = redirect_uri or uri()
    api(sandbox, "add", "oauth2-client", {"redirect_uri": redirect_uri})
    return by_uri(sandbox, redirect_uri)[-1]


def register(client, redirect_uri, follow=False):
    token = csrf_token(client, "/oauth2/new")
    return client.post("/oauth2/new", data={"csrf_token": token, "redirect_uri": redirect_uri},
                       follow_redirects=follow)


def events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()


def tokens(sandbox, client_id):
    conn = sqlite3.connect(sandbox.db_path)
    try:
        return sandbox_oauth2.token_count(conn, client_id)
    finally:
        conn.close()


def give_tokens(sandbox, client_id):
    conn = sqlite3.connect(sandbox.db_path)
    try:
        sandbox_oauth2.issue_tokens(conn, client_id, "someone@example.test", 2)
        conn.commit()
    finally:
        conn.close()


# -- list ---------------------------------------------------------------------------

def test_list_shows_clients_endpoints_and_notes_but_no_secret(client, sandbox):
    made = add_client(sandbox)
    response = client.get("/oauth2")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert made["client_id"] in html and made["redirect_uri"] in html
    assert made["client_secret"] not in html
    for endpoint in ("https://mail.sandbox.test/oauth/authorize",
                     "https://mail.sandbox.test/oauth/token",
                     "https://mail.sandbox.test/oauth/profile"):
        assert endpoint in html
    assert "Only mailbox users can sign in" in html and "state parameter" in html
    assert "shown once, right after it is issued" in html


# -- register and the one-time secret ------------------------------------------------

def test_register_shows_the_secret_once_then_never(client, sandbox, app):
    redirect_uri = uri()
    response = register(client, redirect_uri)
    assert response.status_code == 303
    assert "secret" not in response.headers["Location"].split("/secret")[0]
    made = by_uri(sandbox, redirect_uri)
    assert len(made) == 1 and made[0]["scope"] == "profile"
    secret = made[0]["client_secret"]
    # The secret is in no URL.
    assert secret not in response.headers["Location"]

    page = client.get(response.headers["Location"])
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    assert html.count(secret) == 2  # shown, and in its copy button
    assert "it will not be shown again" in html and made[0]["client_id"] in html

    again = client.get(response.headers["Location"]).get_data(as_text=True)
    assert secret not in again and "was shown once" in again
    assert secret not in client.get("/oauth2").get_data(as_text=True)

    [event] = [e for e in events(app, "oauth2.create") if redirect_uri in str(e.changes)]
    assert event.outcome == "ok" and made[0]["client_id"] in event.target
    assert secret not in str(event.changes) + str(event.detail) + event.target


def test_the_secret_hand_over_is_only_for_its_own_client(client, sandbox):
    other = add_client(sandbox)
    response = register(client, uri())
    # Opening another client's reveal page uses up the hand-over without showing it.
    html = client.get(f"/oauth2/{other['id']}/secret").get_data(as_text=True)
    assert "was shown once" in html and other["client_secret"] not in html
    gone = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was shown once" in gone


@pytest.mark.parametrize("value, message", [
    ("", "This field is required."),
    ("app.example.test/callback", "Enter an absolute https:// address"),
    ("http://app.example.test/cb", "Plain http:// is only accepted for localhost"),
    ("https://app.example.test/cb#frag", "must not contain a fragment"),
    ("https://app.example.test/a b", "cannot contain spaces"),
    ("javascript:alert(1)", "Enter an absolute https:// address"),
    ("https://app.example.test/" + "x" * 2000, "Field cannot be longer than 2000 characters."),
])
def test_bad_redirect_uri_is_refused_beside_the_field(client, sandbox, value, message):
    before = len(clients(sandbox))
    response = register(client, value)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'class="field-error"' in html and message in html
    assert len(clients(sandbox)) == before


@pytest.mark.parametrize("value", ["http://localhost:8080/cb", "http://127.0.0.1/cb",
                                   "com.example.app:/oauth2redirect",
                                   "https://app.example.test/cb?x=1"])
def test_loopback_and_app_schemes_are_accepted(client, sandbox, value):
    assert register(client, value).status_code == 303
    assert by_uri(sandbox, value)


@pytest.mark.parametrize("kind, seconds, expected", OUTAGES)
def test_outage_is_a_banner(client, faults, kind, seconds, expected):
    faults.inject_fault(kind, seconds=seconds)
    assert_outage_banner(client, "/oauth2", expected)


def test_register_during_outage_creates_nothing_and_is_audited(client, faults, sandbox, app):
    redirect_uri = uri()
    token = csrf_token(client, "/oauth2/new")
    faults.inject_fault("http500", path_prefix="/api/v1/add/")
    response = client.post("/oauth2/new", data={"csrf_token": token,
                                                "redirect_uri": redirect_uri})
    assert response.status_code == 502
    faults.clear_faults()
    assert not by_uri(sandbox, redirect_uri)
    [event] = [e for e in events(app, "oauth2.create") if e.target == redirect_uri]
    assert event.outcome == "failed" and "HTTP 500" in event.detail


# -- edit, renew, revoke, delete -------------------------------------------------------

def test_edit_redirect_uri(client, sandbox, app):
    made = add_client(sandbox)
    page = client.get(f"/oauth2/{made['id']}/edit").get_data(as_text=True)
    assert made["redirect_uri"] in page
    new = uri("new")
    token = csrf_token(client, f"/oauth2/{made['id']}/edit")
    bad = client.post(f"/oauth2/{made['id']}/edit",
                      data={"csrf_token": token, "redirect_uri": "ftp://x"})
    assert bad.status_code == 422
    assert api(sandbox, "get", f"oauth2-client/{made['id']}")["redirect_uri"] == \
        made["redirect_uri"]
    response = client.post(f"/oauth2/{made['id']}/edit",
                           data={"csrf_token": token, "redirect_uri": new})
    assert response.status_code == 303
    now = api(sandbox, "get", f"oauth2-client/{made['id']}")
    assert now["redirect_uri"] == new and now["client_secret"] == made["client_secret"]
    assert events(app, "oauth2.update")[-1].changes == {
        "redirect_uri": [made["redirect_uri"], new]}


def test_renew_asks_then_shows_the_new_secret_once(client, sandbox, app):
    made = add_client(sandbox)
    ask = client.get(f"/oauth2/{made['id']}/renew").get_data(as_text=True)
    assert "cannot renew tokens" in ask
    assert api(sandbox, "get", f"oauth2-client/{made['id']}")["client_secret"] == \
        made["client_secret"]
    token = csrf_token(client, f"/oauth2/{made['id']}/renew")
    response = client.post(f"/oauth2/{made['id']}/renew", data={"csrf_token": token})
    assert response.status_code == 303
    new_secret = api(sandbox, "get", f"oauth2-client/{made['id']}")["client_secret"]
    assert new_secret != made["client_secret"]
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert new_secret in html and "New secret for" in html
    assert new_secret not in client.get(response.headers["Location"]).get_data(as_text=True)
    event = events(app, "oauth2.renew_secret")[-1]
    assert new_secret not in str(event.detail) and made["client_id"] in event.target


def test_revoke_tokens_asks_then_revokes(client, sandbox, app):
    made = add_client(sandbox)
    give_tokens(sandbox, made["client_id"])
    assert tokens(sandbox, made["client_id"]) == 4
    ask = client.get(f"/oauth2/{made['id']}/revoke").get_data(as_text=True)
    assert "must sign in again" in ask and tokens(sandbox, made["client_id"]) == 4
    token = csrf_token(client, f"/oauth2/{made['id']}/revoke")
    response = client.post(f"/oauth2/{made['id']}/revoke", data={"csrf_token": token},
                           headers=HTMX)
    assert response.status_code == 204 and "revoked" in response.headers["HX-Trigger"]
    assert tokens(sandbox, made["client_id"]) == 0
    assert api(sandbox, "get", f"oauth2-client/{made['id']}")["client_secret"] == \
        made["client_secret"]
    assert events(app, "oauth2.revoke_tokens")[-1].outcome == "ok"


def test_delete_asks_then_deletes(client, sandbox, app):
    made = add_client(sandbox)
    ask = client.get(f"/oauth2/{made['id']}/delete").get_data(as_text=True)
    assert "cannot be undone" in ask and made["client_id"] in ask
    token = csrf_token(client, f"/oauth2/{made['id']}/delete")
    response = client.post(f"/oauth2/{made['id']}/delete", data={"csrf_token": token},
                           follow_redirects=True)
    assert response.status_code == 200 and "deleted" in response.get_data(as_text=True)
    assert api(sandbox, "get", f"oauth2-client/{made['id']}") == {}
    assert events(app, "oauth2.delete")[-1].outcome == "ok"


def test_unknown_client_is_404(client):
    for path in ("edit", "renew", "revoke", "delete", "secret"):
        assert client.get(f"/oauth2/999999/{path}").status_code == 404


def test_client_deleted_meanwhile_is_404(client, sandbox):
    made = add_client(sandbox)
    token = csrf_token(client, f"/oauth2/{made['id']}/revoke")
    api(sandbox, "delete", "oauth2-client", [str(made["id"])])
    assert client.post(f"/oauth2/{made['id']}/revoke",
                       data={"csrf_token": token}).status_code == 404


def test_mailcow_refusal_is_a_banner_beside_the_question(client, sandbox, app, monkeypatch):
    """Gone between MailApp's read and its write: Mailcow refuses with access_denied."""
    from panel.mailcow.oauth2 import OAuth2Client
    from panel.views import oauth2 as view

    stale = OAuth2Client(id=987654, client_id="0123456789ab", redirect_uri=uri(),
                         scope="profile")
    monkeypatch.setattr(view, "_load", lambda client_id: stale)
    token = csrf_token(client, "/oauth2")
    for action in ("revoke", "renew"):
        response = client.post(f"/oauth2/{stale.id}/{action}", data={"csrf_token": token})
        html = response.get_data(as_text=True)
        assert response.status_code == 422
        assert "Mailcow refused the change." in html
        assert "Access denied, or the object does not exist" in html
    assert events(app, "oauth2.revoke_tokens")[-1].outcome == "failed"
    assert events(app, "oauth2.renew_secret")[-1].outcome == "failed"


def test_csrf_is_required(client, sandbox):
    made = add_client(sandbox)
    assert client.post(f"/oauth2/{made['id']}/delete").status_code == 400
    assert api(sandbox, "get", f"oauth2-client/{made['id']}")["id"] == made["id"]


# -- who may -------------------------------------------------------------------------

def test_domain_admin_cannot_reach_oauth2(app, sandbox, admin):
    made = add_client(sandbox)
    c = signed_in_as(app, "da-oauth", ["example.test"], ["mailboxes", "ratelimit"])
    token = csrf_token(c, "/mailboxes")
    for path in ("/oauth2", "/oauth2/new", f"/oauth2/{made['id']}/secret",
                 f"/oauth2/{made['id']}/edit"):
        assert c.get(path).status_code == 404
    assert c.post(f"/oauth2/{made['id']}/delete", data={"csrf_token": token}).status_code == 404
    assert api(sandbox, "get", f"oauth2-client/{made['id']}")["id"] == made["id"]
    nav = c.get("/mailboxes").get_data(as_text=True)
    assert "/oauth2" not in nav
