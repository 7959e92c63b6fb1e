"""The Security page: enrol and turn off TOTP, add/rename/remove security keys, recovery
codes shown once; re-confirmation before changes; audit without secrets."""
import base64
import json
import re
import time
import zlib

import pyotp
from sqlalchemy import select

from panel.auth import reauth
from panel.extensions import db
from panel.models import AuditEvent, RecoveryCode, TotpSecret, WebAuthnCredential
from panel.services import second_factors
from panel.services.admins import create_admin
from tests.conftest import ADMIN_PASSWORD, app_config, csrf_token, sign_in
from tests.integration.test_second_factor_support import (SoftKey, admin_named, b64url,
                                                          enable_totp, events, page_token,
                                                          post_json, register_key,
                                                          shown_codes)


def _secret_from(html: str) -> str:
    return re.search(r'data-copy="([A-Z2-7]{32})"', html).group(1)


def _age_reauth(client) -> None:
    with client.session_transaction() as sess:
        sess[reauth.KEY] = int(time.time()) - reauth.WINDOW - 5


def _all_audit_text(app) -> str:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent)).all()
        return json.dumps([[r.action, r.target, r.changes, r.detail] for r in rows])


def test_security_page_lists_the_three_kinds(client):
    html = client.get("/account").get_data(as_text=True)
    for text in ("Authenticator app", "Security keys and passkeys", "Recovery codes",
                 "Set up an authenticator app", "Add security key", "webauthn.js"):
        assert text in html
    assert "<script>" not in html and 'style="' not in html and " onclick=" not in html


def test_security_page_needs_sign_in(anon, admin):
    response = anon.get("/account")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_enrol_totp_with_qr_and_confirmation(app, client):
    page = client.get("/account/totp")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Scan the QR code or enter this secret" in html
    qr = re.search(r'<img src="data:image/svg\+xml;base64,([^"]+)"', html).group(1)
    assert base64.b64decode(qr).startswith(b"<svg")
    secret = _secret_from(html)
    # Reloading keeps the same secret: the phone already scanned it.
    assert _secret_from(client.get("/account/totp").get_data(as_text=True)) == secret
    with app.app_context():
        row = db.session.scalar(select(TotpSecret))
        assert row.active is False and secret not in row.secret_encrypted

    token = csrf_token(client, "/account/totp")
    wrong = client.post("/account/totp", data={"csrf_token": token, "code": "000000"
                                               if pyotp.TOTP(secret).now() != "000000"
                                               else "111111"})
    assert wrong.status_code == 422 and "does not match" in wrong.get_data(as_text=True)
    with app.app_context():
        assert second_factors.active_totp(admin_named()) is None

    done = client.post("/account/totp", data={"csrf_token": token,
                                              "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303 and done.headers["Location"] == "/account/recovery-codes"
    shown = client.get("/account/recovery-codes").get_data(as_text=True)
    codes = shown_codes(shown)
    assert len(codes) == 10 and "only time they are shown" in shown
    # Shown once: the next visit offers to generate new ones instead.
    assert shown_codes(client.get("/account/recovery-codes").get_data(as_text=True)) == []
    assert "Since" in client.get("/account").get_data(as_text=True)

    assert len(events(app, "2fa.totp_enabled")) == 1
    assert events(app, "2fa.recovery_regenerated")[-1].changes == {"count": 10,
                                                                   "reason": "first_factor"}
    audit = _all_audit_text(app)
    assert secret not in audit and not any(c in audit for c in codes)
    with app.app_context():
        hashes = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(hashes) == 10 and not any(c in h for c in codes for h in hashes)


def test_codes_are_not_in_the_session_cookie_in_the_clear(app, client):
    secret = _secret_from(client.get("/account/totp").get_data(as_text=True))
    token = csrf_token(client, "/account/totp")
    client.post("/account/totp", data={"csrf_token": token, "code": pyotp.TOTP(secret).now()})
    cookie = client.get_cookie("session").value
    compressed = cookie.startswith(".")
    payload = cookie.split(".")[1 if compressed else 0]
    raw = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    raw = zlib.decompress(raw) if compressed else raw
    assert b"fresh_recovery_codes" in raw
    codes = shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))
    assert codes and not any(c.encode() in raw for c in codes)


def test_adding_a_factor_asks_for_the_password_after_a_while(app, client):
    _age_reauth(client)
    response = client.get("/account/totp")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/confirm?next=/account/totp")
    token = csrf_token(client, "/account")
    options = post_json(client, "/account/keys/options", token=token)
    assert options.status_code == 403 and options.get_json()["redirect"].startswith(
        "/account/confirm")

    wrong = client.post("/account/confirm?next=/account/totp",
                        data={"csrf_token": token, "secret": "not-my-password"})
    assert wrong.status_code == 401
    assert events(app, "auth.reauth_failed")[-1].changes == {"method": "password"}
    ok = client.post("/account/confirm?next=/account/totp",
                     data={"csrf_token": token, "secret": ADMIN_PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"] == "/account/totp"
    assert client.get("/account/totp").status_code == 200


def test_confirm_only_returns_to_account_pages(client):
    token = csrf_token(client, "/account")
    response = client.post("/account/confirm?next=https://evil.example/",
                           data={"csrf_token": token, "secret": ADMIN_PASSWORD})
    assert response.headers["Location"] == "/account"


def test_turning_totp_off_asks_for_password_or_code(app, client):
    secret = enable_totp(app)
    page = client.get("/account/totp/disable").get_data(as_text=True)
    assert "only second factor" in page and "recovery codes are deleted" in page
    token = csrf_token(client, "/account/totp/disable")
    wrong = client.post("/account/totp/disable", data={"csrf_token": token,
                                                       "secret": "wrong-password"})
    assert wrong.status_code == 401
    with app.app_context():
        assert second_factors.active_totp(admin_named()) is not None
    ok = client.post("/account/totp/disable", data={"csrf_token": token,
                                                    "secret": pyotp.TOTP(secret).now()})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(TotpSecret)).all() == []
        assert db.session.scalars(select(RecoveryCode)).all() == []
    assert len(events(app, "2fa.totp_disabled")) == 1


def test_regenerate_recovery_codes_replaces_the_old_ones(app, client):
    enable_totp(app)
    with app.app_context():
        old = second_factors.regenerate_recovery_codes(admin_named(), actor="test")
    page = client.get("/account/recovery-codes").get_data(as_text=True)
    assert "You have 10 unused codes." in page
    token = csrf_token(client, "/account/recovery-codes")
    assert client.post("/account/recovery-codes",
                       data={"csrf_token": token, "secret": "nope-nope-nope"}).status_code == 401
    done = client.post("/account/recovery-codes", data={"csrf_token": token,
                                                        "secret": ADMIN_PASSWORD})
    assert done.status_code == 303
    new = shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))
    assert len(new) == 10 and not set(new) & set(old)
    with app.app_context():
        me = admin_named()
        assert not second_factors.use_recovery_code(me, old[0])
        assert second_factors.use_recovery_code(me, new[0])
    assert events(app, "2fa.recovery_regenerated")[-1].changes == {"count": 10,
                                                                   "reason": "regenerate"}


def test_register_security_keys_list_and_summary(app, client):
    first, second = SoftKey(), SoftKey()
    response = register_key(client, first, "YubiKey 5")
    assert response.get_json() == {"redirect": "/account/recovery-codes"}
    assert len(shown_codes(client.get("/account/recovery-codes").get_data(as_text=True))) == 10
    response = register_key(client, second, "  Backup   key ")
    assert response.get_json() == {"redirect": "/account"}
    assert second.user_handle == first.user_handle  # one WebAuthn user per admin

    html = client.get("/account").get_data(as_text=True)
    cred_id = b64url(first.credential_id)
    assert "YubiKey 5" in html and "Backup key" in html
    assert second_factors.short_id(cred_id) in html and f">{cred_id}<" not in html
    assert "Passwordless" in html and "never" in html
    with app.app_context():
        me = admin_named()
        assert second_factors.summary(me) == "2 security keys"
        enable_totp(app)
        assert second_factors.summary(admin_named()) == "TOTP + 2 security keys"
    added = events(app, "2fa.key_added")
    assert [e.changes["name"] for e in added] == ["YubiKey 5", "Backup key"]
    assert added[0].changes["discoverable"] is True


def test_excluded_credentials_and_duplicates(app, client):
    key = SoftKey()
    register_key(client, key)
    token = page_token(client, "/account")
    options = post_json(client, "/account/keys/options", token=token).get_json()
    assert [c["id"] for c in options["excludeCredentials"]] == [b64url(key.credential_id)]
    assert options["authenticatorSelection"]["residentKey"] in ("preferred", "required")
    assert options["extensions"] == {"credProps": True}
    # The same authenticator answering again is refused, not stored twice.
    again = post_json(client, "/account/keys", {"name": "dup", "credential": key.create(options)},
                      token=token)
    assert again.status_code == 400 and "already registered" in again.get_json()["error"]


def test_registration_challenge_is_single_use_and_origin_checked(app, client):
    key = SoftKey()
    token = page_token(client, "/account")
    options = post_json(client, "/account/keys/options", token=token).get_json()
    bad = post_json(client, "/account/keys",
                    {"name": "x", "credential": key.create(options, origin="https://evil.example")},
                    token=token)
    assert bad.status_code == 400
    replay = post_json(client, "/account/keys", {"name": "x", "credential": key.create(options)},
                       token=token)
    assert replay.status_code == 400 and "expired" in replay.get_json()["error"]
    with app.app_context():
        assert db.session.scalars(select(WebAuthnCredential)).all() == []


def test_key_json_endpoints_need_the_csrf_header(app, client):
    assert client.post("/account/keys/options", json={}).status_code == 400


def test_rename_and_remove_a_key(app, client):
    key = SoftKey()
    register_key(client, key, "Old name")
    with app.app_context():
        key_id = db.session.scalar(select(WebAuthnCredential.id))
    token = csrf_token(client, "/account")
    form = client.get(f"/account/keys/rename?key={key_id}").get_data(as_text=True)
    assert 'value="Old name"' in form
    assert client.post("/account/keys/rename", data={"csrf_token": token, "key": key_id,
                                                     "name": ""}).status_code == 422
    client.post("/account/keys/rename", data={"csrf_token": token, "key": key_id,
                                              "name": "New name"})
    assert "New name" in client.get("/account").get_data(as_text=True)
    assert events(app, "2fa.key_renamed")[-1].changes == {"name": {"from": "Old name",
                                                                   "to": "New name"}}

    page = client.get(f"/account/keys/remove?key={key_id}").get_data(as_text=True)
    assert "Remove security key “New name”?" in page and "only second factor" in page
    wrong = client.post(f"/account/keys/remove?key={key_id}",
                        data={"csrf_token": token, "secret": "wrong-password"})
    assert wrong.status_code == 401
    ok = client.post(f"/account/keys/remove?key={key_id}",
                     data={"csrf_token": token, "secret": ADMIN_PASSWORD})
    assert ok.status_code == 303
    with app.app_context():
        assert db.session.scalars(select(WebAuthnCredential)).all() == []
        assert db.session.scalars(select(RecoveryCode)).all() == []
    removed = events(app, "2fa.key_removed")[-1]
    assert removed.changes["name"] == "New name" and "…" in removed.changes["credential"]


def test_another_admins_key_is_not_found(app, client):
    with app.app_context():
        create_admin("bob", "bob-password-123")
    bob = app.test_client()
    sign_in(bob, "bob", "bob-password-123")
    register_key(bob, SoftKey(), "Bob's key")
    with app.app_context():
        bobs = db.session.scalar(select(WebAuthnCredential.id))
    token = csrf_token(client, "/account")
    assert client.get(f"/account/keys/remove?key={bobs}").status_code == 404
    assert client.get(f"/account/keys/rename?key={bobs}").status_code == 404
    assert client.post(f"/account/keys/remove?key={bobs}",
                       data={"csrf_token": token, "secret": ADMIN_PASSWORD}).status_code == 404
    assert client.post("/account/keys/rename", data={"csrf_token": token, "key": bobs,
                                                     "name": "mine now"}).status_code == 404
    assert client.get("/account/keys/remove?key=abc").status_code == 404
    with app.app_context():
        assert db.session.scalar(select(WebAuthnCredential.name)) == "Bob's key"
    assert "Bob's key" not in client.get("/account").get_data(as_text=True)


def test_reset_second_factors_service(app, client):
    register_key(client, SoftKey())
    enable_totp(app)
    with app.app_context():
        me = admin_named()
        assert second_factors.summary(me) == "TOTP + 1 security key"
        second_factors.reset_second_factors(me, actor="someone")
        assert second_factors.summary(me) == "none"
        assert not second_factors.has_second_factor(me)
    event = events(app, "admin.2fa_reset")[-1]
    assert event.actor == "someone" and event.target == "root"
    assert event.changes == {"totp_removed": True, "credentials_removed": 1,
                             "recovery_codes_removed": 10}


def test_rp_id_and_origin_can_be_configured(tmp_path, sandbox):
    from panel import create_app

    application = create_app(app_config(tmp_path, sandbox,
                                        MAILAPP_WEBAUTHN_RP_ID="mail.example.org",
                                        MAILAPP_WEBAUTHN_ORIGIN="https://mail.example.org"))
    with application.app_context():
        create_admin("root", ADMIN_PASSWORD)
    c = application.test_client()
    sign_in(c)
    token = page_token(c, "/account")
    options = post_json(c, "/account/keys/options", token=token).get_json()
    assert options["rp"] == {"id": "mail.example.org", "name": "MailApp"}
    key = SoftKey()
    # The browser behind the proxy reports the public origin; that is what is expected.
    ok = post_json(c, "/account/keys", {"name": "k", "credential": key.create(
        options, origin="https://mail.example.org")}, token=token)
    assert ok.status_code == 200, ok.get_data(as_text=True)
    application.extensions["db_engine"].dispose()
