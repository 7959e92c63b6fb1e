"""Two-step sign-in: password, then TOTP / security key / recovery code; throttling,
audit, the pending marker, and the "require a second factor" policy."""
import os
import subprocess
import sys
import time
from pathlib import Path

import pyotp
from sqlalchemy import select

from panel.auth import pending
from panel.extensions import db
from panel.models import LoginAttempt, RecoveryCode, TotpSecret, WebAuthnCredential
from panel.services import second_factors
from panel.services import settings as app_settings
from tests.conftest import ADMIN_PASSWORD, csrf_token, sign_in
from tests.integration.test_second_factor_support import (SoftKey, admin_named, b64url, enable_totp,
                                                          events, post_json,
                                                          recovery_codes_for, register_key,
                                                          second_step)

ROOT = Path(__file__).resolve().parents[2]


def step_token(client) -> str:
    # Not from /login: opening the first step again drops the half-finished sign-in.
    return csrf_token(client, "/login/second-factor")


def step_options(client):
    return post_json(client, "/login/second-factor/key/options", token=step_token(client))


def step_answer(client, answer: dict):
    return post_json(client, "/login/second-factor/key", answer, token=step_token(client))


def test_password_alone_signs_in_an_admin_without_second_factor(app, admin, anon):
    response = sign_in(anon)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert events(app, "auth.login")[-1].changes == {"method": "password"}


def test_totp_admin_is_not_signed_in_until_the_code(app, admin, anon):
    secret = enable_totp(app)
    response = sign_in(anon)
    assert response.headers["Location"] == "/login/second-factor"
    assert anon.get("/domains").status_code == 302  # nothing signed in yet
    page = anon.get("/login/second-factor").get_data(as_text=True)
    assert "Signing in as root" in page and "Code from your authenticator app" in page
    assert events(app, "auth.login") == []

    response = second_step(anon, "totp", pyotp.TOTP(secret).now())
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert anon.get("/domains").status_code == 200
    login = events(app, "auth.login")[-1]
    assert login.actor == "root" and login.changes == {"method": "password+totp"}


def test_a_totp_code_cannot_be_used_twice(app, admin, anon):
    secret = enable_totp(app)
    code = pyotp.TOTP(secret).now()
    sign_in(anon)
    assert second_step(anon, "totp", code).status_code == 302
    anon.post("/logout", data={"csrf_token": csrf_token(anon, "/domains")})
    sign_in(anon)
    again = second_step(anon, "totp", code)
    assert again.status_code == 401
    assert "already used" in again.get_data(as_text=True)


def test_wrong_codes_are_audited_and_throttled(app, admin, anon):
    secret = enable_totp(app)
    sign_in(anon)
    for _ in range(5):
        response = second_step(anon, "totp", "000000" if pyotp.TOTP(secret).now() != "000000"
                               else "111111")
        assert response.status_code == 401
    failed = events(app, "auth.2fa_failed")
    assert len(failed) == 5
    assert all(e.outcome == "refused" and e.target == "root" for e in failed)
    assert failed[0].changes == {"method": "totp"}  # which method, never the code
    with app.app_context():
        assert db.session.scalar(select(LoginAttempt).where(LoginAttempt.username == "root"))
    blocked = second_step(anon, "totp", pyotp.TOTP(secret).now())
    assert blocked.status_code == 429
    assert "Too many failed attempts" in blocked.get_data(as_text=True)
    # A fresh password does not reset the budget.
    assert sign_in(anon).status_code == 429


def test_success_after_a_wrong_code_clears_the_counter(app, admin, anon):
    secret = enable_totp(app)
    sign_in(anon)
    assert second_step(anon, "totp", "12345x").status_code in (401, 422)
    assert second_step(anon, "totp", pyotp.TOTP(secret).now()).status_code == 302
    with app.app_context():
        assert db.session.scalars(select(LoginAttempt)).all() == []


def test_recovery_code_signs_in_once(app, admin, anon):
    enable_totp(app)
    codes = recovery_codes_for(app)
    sign_in(anon)
    response = second_step(anon, "recovery", codes[0].upper())
    assert response.status_code == 302
    assert events(app, "auth.login")[-1].changes == {"method": "password+recovery_code"}
    page = anon.get("/domains").get_data(as_text=True)
    assert "You used a recovery code: 9 are left." in page

    anon.post("/logout", data={"csrf_token": csrf_token(anon, "/domains")})
    sign_in(anon)
    again = second_step(anon, "recovery", codes[0])
    assert again.status_code == 401
    assert "wrong or was already used" in again.get_data(as_text=True)
    assert events(app, "auth.2fa_failed")[-1].changes == {"method": "recovery_code"}


def test_second_step_without_a_password_goes_back_to_login(app, admin, anon):
    enable_totp(app)
    response = anon.get("/login/second-factor")
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    token = csrf_token(anon)
    response = anon.post("/login/second-factor", data={"totp-csrf_token": token,
                                                       "totp-method": "totp",
                                                       "totp-code": "123456"})
    assert response.status_code == 302 and response.headers["Location"] == "/login"


def test_pending_sign_in_expires(app, admin, anon):
    secret = enable_totp(app)
    sign_in(anon)
    token = csrf_token(anon, "/login/second-factor")
    with anon.session_transaction() as sess:
        sess[pending.KEY] = {**sess[pending.KEY], "exp": int(time.time()) - 1}
    response = anon.post("/login/second-factor", data={
        "totp-csrf_token": token, "totp-method": "totp", "totp-code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.headers["Location"] == "/login"
    assert anon.get("/domains").status_code == 302


def test_password_change_voids_a_pending_sign_in(app, admin, anon):
    from panel.auth.passwords import hash_password

    secret = enable_totp(app)
    sign_in(anon)
    token = csrf_token(anon, "/login/second-factor")
    with app.app_context():
        admin_named().password_hash = hash_password("a-brand-new-password")
        db.session.commit()
    response = anon.post("/login/second-factor", data={
        "totp-csrf_token": token, "totp-method": "totp", "totp-code": pyotp.TOTP(secret).now()})
    assert response.headers["Location"] == "/login"


def test_next_survives_the_second_step(app, admin, anon):
    secret = enable_totp(app)
    token = csrf_token(anon)
    anon.post("/login?next=/domains?page=2", data={"username": "root",
                                                   "password": ADMIN_PASSWORD,
                                                   "csrf_token": token})
    response = second_step(anon, "totp", pyotp.TOTP(secret).now())
    assert response.headers["Location"] == "/domains?page=2"


def test_security_key_as_second_factor(app, admin, client, anon):
    key = SoftKey()
    assert register_key(client, key).status_code == 200
    assert sign_in(anon).headers["Location"] == "/login/second-factor"
    page = anon.get("/login/second-factor").get_data(as_text=True)
    assert "Use my security key" in page and "webauthn.js" in page
    options = step_options(anon).get_json()
    assert [c["id"] for c in options["allowCredentials"]] == [b64url(key.credential_id)]
    response = step_answer(anon, key.get(options))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.get_json() == {"redirect": "/"}
    assert anon.get("/domains").status_code == 200
    assert events(app, "auth.login")[-1].changes == {"method": "password+security_key"}
    with app.app_context():
        stored = db.session.scalar(select(WebAuthnCredential))
        assert stored.sign_count == 1 and stored.last_used_at is not None


def test_security_key_answer_is_single_use_and_audited_when_wrong(app, admin, client, anon):
    key = SoftKey()
    register_key(client, key)
    sign_in(anon)
    options = step_options(anon).get_json()
    answer = key.get(options, origin="http://evil.example")
    refused = step_answer(anon, answer)
    assert refused.status_code == 400 and "error" in refused.get_json()
    assert events(app, "auth.2fa_failed")[-1].changes == {"method": "security_key"}
    # The challenge went with the refused answer: a good answer to it is refused too.
    replay = step_answer(anon, key.get(options))
    assert replay.status_code == 400
    assert anon.get("/domains").status_code == 302


def test_an_old_session_cookie_cannot_replay_a_key_answer(app, admin, client, anon):
    """The challenge is in the (client-side) session; restoring an old cookie brings it
    back, but an answer to a challenge older than the key's last use is refused."""
    key = SoftKey(counter=False)
    register_key(client, key)
    options = post_json(anon, "/login/key/options").get_json()
    answer = key.get(options)
    old_cookie = anon.get_cookie("session").value
    assert post_json(anon, "/login/key", answer).status_code == 200
    anon.post("/logout", data={"csrf_token": csrf_token(anon, "/domains")})
    anon.set_cookie("session", old_cookie)
    replay = post_json(anon, "/login/key", answer)
    assert replay.status_code == 401 and "expired" in replay.get_json()["error"]
    assert anon.get("/domains").status_code == 302
    # A fresh ceremony with the same key still works.
    options = post_json(anon, "/login/key/options").get_json()
    assert post_json(anon, "/login/key", key.get(options)).status_code == 200


def test_another_admins_key_does_not_pass_the_second_step(app, admin, client, anon):
    from panel.services.admins import create_admin

    with app.app_context():
        create_admin("bob", "bob-password-123")
    bob = app.test_client()
    sign_in(bob, "bob", "bob-password-123")
    bobs_key = SoftKey()
    register_key(bob, bobs_key)
    register_key(client, SoftKey())
    sign_in(anon)  # root's password
    options = step_options(anon).get_json()
    response = step_answer(anon, bobs_key.get(options))
    assert response.status_code == 400
    assert anon.get("/domains").status_code == 302


def test_passwordless_sign_in_with_a_discoverable_key(app, admin, client, anon):
    key = SoftKey()
    register_key(client, key)
    options = post_json(anon, "/login/key/options").get_json()
    assert options["allowCredentials"] == [] and options["userVerification"] == "required"
    assert options["rpId"] == "localhost"
    response = post_json(anon, "/login/key", key.get(options))
    assert response.status_code == 200, response.get_data(as_text=True)
    assert anon.get("/domains").status_code == 200
    assert events(app, "auth.login")[-1].changes == {"method": "security_key"}


def test_passwordless_needs_user_verification_and_the_right_user_handle(app, admin, client,
                                                                        anon):
    key = SoftKey()
    register_key(client, key)
    key.uv = False
    options = post_json(anon, "/login/key/options").get_json()
    assert post_json(anon, "/login/key", key.get(options)).status_code == 401
    key.uv = True
    key.user_handle = b"someone else"
    options = post_json(anon, "/login/key/options").get_json()
    assert post_json(anon, "/login/key", key.get(options)).status_code == 401
    assert anon.get("/domains").status_code == 302
    assert [e.changes for e in events(app, "auth.login_failed")] == \
        [{"method": "security_key"}] * 2


def test_passwordless_refuses_an_unknown_key(app, admin, anon):
    stranger = SoftKey()
    stranger.user_handle = b"x"
    options = post_json(anon, "/login/key/options").get_json()
    response = post_json(anon, "/login/key", stranger.get(options))
    assert response.status_code == 401
    assert "not registered" in response.get_json()["error"]


def test_passwordless_refuses_an_inactive_admin(app, admin, client, anon):
    key = SoftKey()
    register_key(client, key)
    with app.app_context():
        admin_named().active = False
        db.session.commit()
    options = post_json(anon, "/login/key/options").get_json()
    assert post_json(anon, "/login/key", key.get(options)).status_code == 401


def test_policy_sends_admins_without_a_factor_to_enrolment(app, admin, anon):
    with app.app_context():
        app_settings.set_require_2fa(True, actor="test")
    response = sign_in(anon)
    assert response.status_code == 302 and response.headers["Location"] == "/account"
    page = anon.get("/account").get_data(as_text=True)
    assert "A second factor is required." in page
    # Nothing else opens until a factor is set up.
    for path in ("/domains", "/", "/settings/security"):
        blocked = anon.get(path)
        assert blocked.status_code == 302 and blocked.headers["Location"] == "/account", path
    htmx = anon.get("/domains", headers={"HX-Request": "true"})
    assert htmx.headers.get("HX-Redirect") == "/account"
    token = csrf_token(anon, "/account")
    assert anon.post("/settings/security", data={"csrf_token": token}).status_code == 403
    # Enrolment itself works, and afterwards everything is open again.
    enrol = anon.get("/account/totp")
    assert enrol.status_code == 200
    with app.app_context():
        secret = second_factors.pending_totp_secret(admin_named())
    done = anon.post("/account/totp", data={"csrf_token": token,
                                            "code": pyotp.TOTP(secret).now()})
    assert done.status_code == 303
    assert anon.get("/domains").status_code == 200
    # Signing out is always allowed.
    assert anon.post("/logout", data={"csrf_token": token}).status_code == 302


def test_policy_does_not_touch_admins_with_a_factor(app, admin, anon):
    secret = enable_totp(app)
    with app.app_context():
        app_settings.set_require_2fa(True, actor="test")
    sign_in(anon)
    assert second_step(anon, "totp", pyotp.TOTP(secret).now()).headers["Location"] == "/"
    assert anon.get("/domains").status_code == 200


def test_security_policy_page_is_for_global_admins(app, admin, client):
    from panel.services.admins import create_admin

    page = client.get("/settings/security")
    assert page.status_code == 200
    assert "Require a second factor for all administrators" in page.get_data(as_text=True)
    token = csrf_token(client, "/settings/security")
    response = client.post("/settings/security", data={"csrf_token": token, "require_2fa": "y"})
    assert response.status_code == 303
    with app.app_context():
        assert app_settings.require_2fa() is True
    change = events(app, "settings.change")[-1]
    assert change.target == "require_2fa" and change.actor == "root"
    assert change.changes == {"require_2fa": {"from": None, "to": True}}

    with app.app_context():
        create_admin("dom", "dom-password-123", domains=["example.org"])
    dom = app.test_client()
    sign_in(dom, "dom", "dom-password-123")
    assert dom.get("/settings/security").status_code == 404


def test_reset_2fa_command_removes_every_factor(tmp_path, sandbox):
    from panel import create_app
    from panel.services.admins import create_admin
    from tests.integration.test_second_factor_support import enable_totp as enable

    instance = tmp_path / "instance"
    db_url = f"sqlite:///{tmp_path / 'cli.sqlite3'}"
    application = create_app({"MAILAPP_INSTANCE_PATH": str(instance), "DATABASE_URL": db_url,
                              "MAILAPP_SECURE_COOKIES": "0", "TESTING": True})
    with application.app_context():
        create_admin("carol", "carol-password-1")
        db.session.remove()
    enable(application, "carol")
    recovery_codes_for(application, "carol")
    application.extensions["db_engine"].dispose()

    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAILCOW_", "MAILAPP_"))}
    env.update({"MAILAPP_INSTANCE_PATH": str(instance), "DATABASE_URL": db_url})
    done = subprocess.run([sys.executable, "app.py", "reset-2fa", "Carol"], cwd=ROOT, env=env,
                          text=True, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "Second factors of carol removed (had: TOTP)" in done.stdout
    unknown = subprocess.run([sys.executable, "app.py", "reset-2fa", "nobody"], cwd=ROOT,
                             env=env, text=True, capture_output=True, timeout=60)
    assert unknown.returncode == 1 and "No administrator named nobody" in unknown.stderr

    application = create_app({"MAILAPP_INSTANCE_PATH": str(instance), "DATABASE_URL": db_url,
                              "TESTING": True})
    with application.app_context():
        assert db.session.scalars(select(TotpSecret)).all() == []
        assert db.session.scalars(select(RecoveryCode)).all() == []
        assert second_factors.summary(admin_named("carol")) == "none"
    reset = events(application, "admin.2fa_reset")
    assert len(reset) == 1 and reset[0].actor == "cli" and reset[0].target == "carol"
    assert reset[0].changes == {"totp_removed": True, "credentials_removed": 0,
                                "recovery_codes_removed": 10}
    application.extensions["db_engine"].dispose()
