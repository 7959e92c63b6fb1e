"""Signing in and out, throttling, CSRF, sessions and security headers."""
from sqlalchemy import select

from panel.extensions import db
from panel.models import Admin, AuditEvent
from tests.conftest import ADMIN_PASSWORD, csrf_token, sign_in


def _events(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_sign_in_lands_on_home_and_is_audited(app, admin, anon):
    response = sign_in(anon)
    assert response.status_code == 302
    assert anon.get(response.headers["Location"], follow_redirects=True).request.path == "/"
    event = _events(app, "auth.login")[-1]
    assert event.actor == "root" and event.remote_addr == "127.0.0.1"


def test_wrong_password_gives_one_message_beside_the_field(app, admin, anon):
    response = sign_in(anon, password="not-the-password")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Wrong username or password." in html and 'class="field-error"' in html
    unknown = sign_in(anon, username="nobody", password="whatever-else")
    assert "Wrong username or password." in unknown.get_data(as_text=True)
    assert [e.outcome for e in _events(app, "auth.login_failed")] == ["refused", "refused"]


def test_empty_form_is_rejected_with_field_messages(anon, admin):
    response = anon.post("/login", data={"csrf_token": csrf_token(anon)})
    assert response.status_code == 422
    assert "This field is required." in response.get_data(as_text=True)


def test_account_is_throttled_after_five_failures(app, admin, anon):
    for _ in range(5):
        assert sign_in(anon, password="bad-password").status_code == 401
    blocked = sign_in(anon)  # even the right password is refused while throttled
    assert blocked.status_code == 429
    assert "Too many failed sign-ins" in blocked.get_data(as_text=True)


def test_address_is_throttled_across_accounts(app, admin, anon):
    for i in range(20):
        sign_in(anon, username=f"guess{i}", password="bad-password")
    assert sign_in(anon).status_code == 429


def test_success_clears_the_account_counter(app, admin, anon):
    for _ in range(4):
        sign_in(anon, password="bad-password")
    assert sign_in(anon).status_code == 302
    anon.post("/logout", data={"csrf_token": csrf_token(anon, "/domains")})
    for _ in range(4):
        sign_in(anon, password="bad-password")
    assert sign_in(anon).status_code == 302


def test_inactive_admin_cannot_sign_in(app, admin, anon):
    with app.app_context():
        db.session.scalar(select(Admin)).active = False
        db.session.commit()
    assert sign_in(anon).status_code == 401


def test_post_without_csrf_token_is_refused(app, admin, anon):
    response = anon.post("/login", data={"username": "root", "password": ADMIN_PASSWORD})
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)


def test_logout_needs_post_with_token(client):
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400
    response = client.post("/logout", data={"csrf_token": csrf_token(client, "/domains")})
    assert response.status_code == 302
    assert client.get("/domains").status_code == 302


def test_changed_password_ends_existing_sessions(app, client):
    from panel.auth.passwords import hash_password

    assert client.get("/domains").status_code == 200
    with app.app_context():
        db.session.scalar(select(Admin)).password_hash = hash_password("another-password-1")
        db.session.commit()
    assert client.get("/domains").status_code == 302


def test_next_only_follows_local_paths(app, admin, anon):
    token = csrf_token(anon)
    data = {"username": "root", "password": ADMIN_PASSWORD, "csrf_token": token}
    response = anon.post("/login?next=https://evil.example/", data=data)
    assert response.headers["Location"] == "/"
    anon.post("/logout", data={"csrf_token": csrf_token(anon, "/domains")})
    data["csrf_token"] = csrf_token(anon)
    response = anon.post("/login?next=/domains?page=2", data=data)
    assert response.headers["Location"] == "/domains?page=2"


def test_security_headers_and_cookie_flags(tmp_path, sandbox):
    from panel import create_app
    from panel.services.admins import create_admin
    from tests.conftest import app_config

    app = create_app(app_config(tmp_path, sandbox, MAILAPP_SECURE_COOKIES="1"))
    with app.app_context():
        create_admin("root", ADMIN_PASSWORD)
    client = app.test_client()
    response = client.get("/login")
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" in cookie


def test_pages_have_no_inline_script(client):
    html = client.get("/domains").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html and 'style="' not in html


def test_unknown_usernames_stay_out_of_the_audit_trail(app, admin, anon):
    # Someone typing their password into the username box must not leave it on record.
    sign_in(anon, username="hunter2-secret", password="whatever-else")
    sign_in(anon, username="root", password="bad-password")
    failed = _events(app, "auth.login_failed")
    assert [e.target for e in failed] == ["(no such user)", "root"]
    assert all("hunter2" not in (e.actor + (e.target or "")) for e in failed)
