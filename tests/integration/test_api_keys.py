"""The API keys page: make a key (shown once), field checks beside the fields, revoke."""
from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from panel.extensions import db
from panel.models import ApiKey, AuditEvent
from tests.conftest import csrf_token, sign_in

HTMX = {"HX-Request": "true"}
KEY_RE = re.compile(r"mailapp_[0-9a-f]{12}_[A-Za-z0-9_-]{43}")


def form(client, **fields):
    data = {"csrf_token": csrf_token(client, "/api-keys/new"), "name": "billing-sync",
            "access": "ro", "domains": "", "networks": "", "expires_at": ""}
    data.update(fields)
    return data


def stored(app, name):
    with app.app_context():
        key = db.session.scalar(select(ApiKey).where(ApiKey.name == name))
        db.session.remove()
    return key


def audit(app, action):
    with app.app_context():
        found = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()
        db.session.remove()
    return found


def test_only_global_administrators_reach_the_page(app, anon, client):
    assert anon.get("/api-keys").status_code == 302
    page = client.get("/api-keys")
    assert page.status_code == 200 and "No API keys yet." in page.get_data(as_text=True)
    assert 'href="/api-keys"' in client.get("/domains").get_data(as_text=True)  # navigation

    from panel.services.admins import create_admin

    with app.app_context():
        create_admin("dadmin", "correct-horse-battery", domains=["example.org"])
        db.session.remove()
    other = app.test_client()
    assert sign_in(other, "dadmin").status_code == 302
    assert other.get("/api-keys").status_code == 404
    assert other.get("/api-keys/new").status_code == 404
    assert 'href="/api-keys"' not in other.get("/domains").get_data(as_text=True)


def test_a_new_key_is_shown_once_and_stored_hashed(app, client):
    expires = (datetime.now(timezone.utc) + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/api-keys/new", data=form(
        client, access="rw", domains="Example.org, example.net",
        networks="192.0.2.0/24\n10.0.0.0/8", expires_at=expires,
        permissions=["mailboxes", "aliases"]))
    html = response.get_data(as_text=True)
    assert response.status_code == 200, html
    assert "shown only this once" in html
    raw = KEY_RE.search(html).group(0)
    assert response.headers["Cache-Control"] == "no-store"

    key = stored(app, "billing-sync")
    assert key.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert (key.writable, key.domains, key.networks) == (
        True, ["example.net", "example.org"], ["192.0.2.0/24", "10.0.0.0/8"])
    assert key.permissions == ["mailboxes", "aliases"] and key.created_by == "root"
    assert key.expires_at.strftime("%Y-%m-%dT%H:%M") == expires

    listing = client.get("/api-keys").get_data(as_text=True)
    assert "billing-sync" in listing and f"mailapp_{key.prefix}_" in listing
    assert raw not in listing and raw.split("_", 2)[2] not in listing
    event = audit(app, "api_key.create")[0]
    assert event.actor == "root" and event.target == "billing-sync"
    assert raw not in str(event.changes) and event.changes["domains"] == ["example.net",
                                                                           "example.org"]

    # The key works, and its first use shows on the page.
    api = app.test_client().get("/api/v1/domains", headers={"X-API-Key": raw},
                                environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert api.status_code == 200
    assert "from 192.0.2.7" in client.get("/api-keys").get_data(as_text=True)


def test_field_checks_are_shown_beside_the_fields(app, client):
    past = (datetime.now(timezone.utc) - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post("/api-keys/new", data=form(
        client, name="bad!name", domains="example.org, no-such-domain.test",
        networks="10.0.0.1/8, 300.1.1.1/24", expires_at=past))
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="name-error"' in html
    assert "Mailcow has no domain no-such-domain.test." in html
    assert "did you mean 10.0.0.0/8?" in html
    assert "Choose a moment in the future." in html
    assert html.count('class="field-error"') == 4
    assert stored(app, "bad!name") is None

    assert client.post("/api-keys/new", data=form(client, networks="300.1.1.1/24")
                       ).status_code == 422
    assert "not a network in CIDR notation" in client.post(
        "/api-keys/new", data=form(client, networks="nonsense")).get_data(as_text=True)


def test_names_are_unique(client):
    assert client.post("/api-keys/new", data=form(client, name="twice")).status_code == 200
    again = client.post("/api-keys/new", data=form(client, name="twice"))
    assert again.status_code == 422
    assert "already exists" in again.get_data(as_text=True)


def test_revoke_asks_then_refuses_the_key(app, client):
    html = client.post("/api-keys/new", data=form(client, name="to-go")).get_data(as_text=True)
    raw = KEY_RE.search(html).group(0)
    key = stored(app, "to-go")
    confirm = client.get(f"/api-keys/{key.id}/revoke").get_data(as_text=True)
    assert "Revoke API key to-go?" in confirm and "refused from now on" in confirm

    response = client.post(f"/api-keys/{key.id}/revoke",
                           data={"csrf_token": csrf_token(client, f"/api-keys/{key.id}/revoke")})
    assert response.status_code == 303 and response.headers["Location"] == "/api-keys"
    assert stored(app, "to-go").revoked_by == "root"
    assert "Revoked" in client.get("/api-keys").get_data(as_text=True)
    assert app.test_client().get("/api/v1/domains", headers={"X-API-Key": raw}).status_code == 401
    assert [e.target for e in audit(app, "api_key.revoke")] == ["to-go"]
    assert client.get("/api-keys/999999/revoke").status_code == 404


def test_revoke_over_htmx_redirects_with_a_toast(app, client):
    client.post("/api-keys/new", data=form(client, name="htmx-go"))
    key = stored(app, "htmx-go")
    token = csrf_token(client, f"/api-keys/{key.id}/revoke")
    response = client.post(f"/api-keys/{key.id}/revoke", headers={**HTMX, "X-CSRFToken": token})
    assert response.status_code == 204
    assert response.headers["HX-Location"] == "/api-keys"
    assert "API key htmx-go revoked." in response.headers["HX-Trigger"]
    table = client.get("/api-keys", headers=HTMX).get_data(as_text=True)
    assert "<html" not in table and "htmx-go" in table


def test_revoking_needs_the_csrf_token(app, client):
    client.post("/api-keys/new", data=form(client, name="csrf-kept"))
    key = stored(app, "csrf-kept")
    assert client.post(f"/api-keys/{key.id}/revoke").status_code == 400
    assert stored(app, "csrf-kept").revoked_at is None


def test_blank_domain_names_never_make_a_global_key(app):
    from panel.services.api_keys import ApiKeyInputError, create_key

    with app.app_context():
        try:
            create_key("blank-scope", writable=True, actor="root", domains=[" "])
        except ApiKeyInputError as exc:
            assert exc.field == "domains"
        else:
            raise AssertionError("a key was created from blank domain names")
        assert db.session.scalar(select(ApiKey).where(ApiKey.name == "blank-scope")) is None
