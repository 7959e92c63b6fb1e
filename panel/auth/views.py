"""Signing in to MailApp: password, then a second factor when the admin has one;
passwordless with a security key; signing out."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import (Blueprint, flash, jsonify, redirect, render_template, request, session,
                   url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from panel import access, crypto
from panel.audit import record
from panel.auth import pending, reauth, security_keys, throttle
from panel.auth.passwords import hash_password, needs_rehash, verify_password
from panel.extensions import db
from panel.models import Admin
from panel.services import second_factors
from panel.services import settings as app_settings

UNKNOWN_USER = "(no such user)"

bp = Blueprint("auth", __name__)


@bp.record_once
def _init_crypto(state) -> None:
    # At start, so a missing or bad MAILAPP_ENCRYPTION_KEY shows up in the log at once.
    crypto.init_app(state.app)


class LoginForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


class TotpStepForm(FlaskForm):
    method = HiddenField(default="totp")
    code = StringField(_l("Code from your authenticator app"),
                       validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric",
                                  "autofocus": True})


class RecoveryStepForm(FlaskForm):
    method = HiddenField(default="recovery")
    code = StringField(_l("Recovery code"), validators=[DataRequired(), Length(max=32)],
                       render_kw={"autocomplete": "off", "spellcheck": "false"})


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never let `next` send a user elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//") and "\\" not in target:
            return target
    return url_for("home.root")


def _addr() -> str:
    return request.remote_addr or "unknown"


def _complete_login(admin: Admin, method: str, next_url: str | None) -> str:
    """Sign the admin in (all checks passed); returns where to go next."""
    throttle.clear(admin.username)
    admin.last_login_at = datetime.now(timezone.utc)
    db.session.commit()
    pending.clear()
    session.pop(security_keys.AUTH_KEY, None)
    login_user(admin)
    reauth.mark()
    record("auth.login", target=admin.username, actor=admin.username,
           changes={"method": method})
    if not second_factors.has_second_factor(admin) and app_settings.require_2fa():
        flash(_("A second factor is required for every administrator. Set one up to "
                "continue."), "warning")
        return url_for("account.index")
    return _safe_next(next_url)


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    if request.method == "GET":
        pending.clear()  # back on the first step: start over
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        addr = _addr()
        admin = db.session.scalar(select(Admin).where(Admin.username == username))
        # A name that is no account may be a password typed in the wrong box: keep it
        # out of the audit trail.
        who = admin.username if admin is not None else UNKNOWN_USER
        if throttle.is_blocked(username, addr):
            record("auth.login_blocked", target=who, outcome="refused", actor=who)
            form.password.errors.append(_("Too many failed sign-ins. Wait 15 minutes and "
                                          "try again."))
            return render_template("auth/login.html", form=form), 429
        if admin is not None and verify_password(admin.password_hash, form.password.data) \
                and admin.active:
            if needs_rehash(admin.password_hash):
                admin.password_hash = hash_password(form.password.data)
                db.session.commit()
            if second_factors.has_second_factor(admin):
                # The throttle counter is kept: wrong codes add to the same budget.
                pending.start(admin, request.args.get("next"))
                return redirect(url_for("auth.second_factor"))
            return redirect(_complete_login(admin, "password", request.args.get("next")))
        throttle.record_failure(username, addr)
        record("auth.login_failed", target=who, outcome="refused", actor=who)
        # One message whether the user exists or not.
        form.password.errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


def _second_step_page(admin: Admin, totp_form=None, recovery_form=None, error=None,
                      status=200):
    state = second_factors.status(admin)
    totp_form = totp_form or TotpStepForm(prefix="totp", formdata=None)
    recovery_form = recovery_form or RecoveryStepForm(prefix="recovery", formdata=None)
    show_recovery = request.args.get("use") == "recovery" or bool(recovery_form.code.data)
    return render_template("auth/second_factor.html", admin=admin, state=state,
                           totp_form=totp_form,
                           recovery_form=recovery_form, error=error,
                           show_recovery=show_recovery), status


def _refuse_second_factor(admin: Admin, method: str) -> None:
    throttle.record_failure(admin.username, _addr())
    record("auth.2fa_failed", target=admin.username, actor=admin.username,
           outcome="refused", changes={"method": method})


def _expired():
    flash(_("Your sign-in took too long or was interrupted. Sign in again."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/login/second-factor", methods=["GET", "POST"])
@access.public
def second_factor():
    admin = pending.admin()
    if admin is None:
        return _expired()
    if request.method == "GET":
        return _second_step_page(admin)
    method = request.form.get("totp-method") or request.form.get("recovery-method")
    totp_form = TotpStepForm(prefix="totp")
    recovery_form = RecoveryStepForm(prefix="recovery")
    form = recovery_form if method == "recovery" else totp_form
    if not form.validate_on_submit():
        return _second_step_page(admin, totp_form, recovery_form, status=422)
    if throttle.is_blocked(admin.username, _addr()):
        record("auth.login_blocked", target=admin.username, outcome="refused",
               actor=admin.username)
        return _second_step_page(admin, totp_form, recovery_form, status=429, error=_(
            "Too many failed attempts. Wait 15 minutes and try again."))
    if method == "recovery":
        if second_factors.use_recovery_code(admin, form.code.data):
            left = second_factors.recovery_remaining(admin)
            flash(ngettext("You used a recovery code: %(num)s is left. Generate new codes "
                           "on your Security page if you are running out.",
                           "You used a recovery code: %(num)s are left. Generate new codes "
                           "on your Security page if you are running out.", left),
                  "warning")
            return redirect(_complete_login(admin, "password+recovery_code", pending.next_url()))
        _refuse_second_factor(admin, "recovery_code")
        form.code.errors.append(_("That recovery code is wrong or was already used."))
        return _second_step_page(admin, totp_form, recovery_form, status=401)
    if second_factors.verify_totp(admin, form.code.data):
        return redirect(_complete_login(admin, "password+totp", pending.next_url()))
    _refuse_second_factor(admin, "totp")
    form.code.errors.append(_("Wrong or already used code. Wait for a new one and try again."))
    return _second_step_page(admin, totp_form, recovery_form, status=401)


def _json_error(message: str, status: int):
    return jsonify({"error": message}), status


@bp.post("/login/second-factor/key/options")
@access.public
def second_factor_key_options():
    admin = pending.admin()
    if admin is None:
        return _json_error(_("Your sign-in took too long. Sign in again."), 401)
    if throttle.is_blocked(admin.username, _addr()):
        return _json_error(_("Too many failed attempts. Wait 15 minutes and try again."), 429)
    if not second_factors.credentials(admin):
        return _json_error(_("You have no security key registered."), 400)
    return jsonify(security_keys.authentication_options(security_keys.SECOND_FACTOR, admin))


@bp.post("/login/second-factor/key")
@access.public
def second_factor_key():
    admin = pending.admin()
    if admin is None:
        return _json_error(_("Your sign-in took too long. Sign in again."), 401)
    if throttle.is_blocked(admin.username, _addr()):
        return _json_error(_("Too many failed attempts. Wait 15 minutes and try again."), 429)
    try:
        security_keys.verify_authentication(request.get_json(silent=True),
                                            security_keys.SECOND_FACTOR, admin)
    except security_keys.CeremonyError as exc:
        _refuse_second_factor(admin, "security_key")
        return _json_error(str(exc), 400)
    return jsonify({"redirect": _complete_login(admin, "password+security_key",
                                                pending.next_url())})


@bp.post("/login/key/options")
@access.public
def passwordless_options():
    if current_user.is_authenticated:
        return jsonify({"redirect": url_for("home.root")})
    if throttle.is_address_blocked(_addr()):
        return _json_error(_("Too many failed sign-ins. Wait 15 minutes and try again."), 429)
    return jsonify(security_keys.authentication_options(security_keys.PASSWORDLESS))


@bp.post("/login/key")
@access.public
def passwordless():
    if throttle.is_address_blocked(_addr()):
        return _json_error(_("Too many failed sign-ins. Wait 15 minutes and try again."), 429)
    answer = request.get_json(silent=True)
    named = security_keys.credential_named(answer)
    owner = db.session.get(Admin, named.admin_id) if named is not None else None
    username = owner.username if owner is not None else "(security key)"
    if owner is not None and throttle.is_blocked(owner.username, _addr()):
        return _json_error(_("Too many failed sign-ins. Wait 15 minutes and try again."), 429)
    try:
        cred = security_keys.verify_authentication(answer, security_keys.PASSWORDLESS)
        admin = db.session.get(Admin, cred.admin_id)
        if admin is None or not admin.active:
            raise security_keys.CeremonyError(_("This security key is not registered here."))
    except security_keys.CeremonyError as exc:
        throttle.record_failure(username, _addr())
        record("auth.login_failed", target=username, actor=username, outcome="refused",
               changes={"method": "security_key"})
        return _json_error(str(exc), 401)
    return jsonify({"redirect": _complete_login(admin, "security_key",
                                                request.args.get("next"))})


@bp.route("/logout", methods=["POST"])
@access.signed_in
def logout():
    record("auth.logout", target=current_user.username)
    logout_user()
    for key in (reauth.KEY, security_keys.REGISTER_KEY, security_keys.AUTH_KEY):
        session.pop(key, None)
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
