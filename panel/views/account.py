"""My account → Security: the signed-in admin's own second factors, and the
"require a second factor" policy for global administrators.

While the policy is on, an admin without a factor can reach only the enrolment pages
here (see `require_enrolment`).
"""
from __future__ import annotations

import json

from flask import (Blueprint, abort, current_app, flash, jsonify, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length

from panel import access, crypto
from panel.auth import reauth, security_keys, totp
from panel.crypto import DecryptionError
from panel.extensions import db
from panel.htmx import is_htmx
from panel.models import Admin
from panel.services import second_factors
from panel.services import settings as app_settings
from panel.services.second_factors import SecondFactorError

bp = Blueprint("account", __name__)

FRESH_CODES = "fresh_recovery_codes"
FRESH_CODES_TTL = 300
# What an admin who must still enrol may open (plus signing out).
ENROLMENT_ENDPOINTS = {"account.index", "account.confirm", "account.totp_enrol",
                       "account.totp_restart", "account.key_options", "account.key_add",
                       "account.recovery_codes", "auth.logout", "static"}


class ConfirmForm(FlaskForm):
    secret = PasswordField(_l("Your password, or a code from your authenticator app"),
                           validators=[DataRequired(), Length(max=1024)],
                           render_kw={"autocomplete": "current-password"})


class TotpConfirmForm(FlaskForm):
    code = StringField(_l("Code shown by the app"), validators=[DataRequired(), Length(max=16)],
                       render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"})


class KeyNameForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])


class SecurityPolicyForm(FlaskForm):
    require_2fa = BooleanField(_l("Require a second factor for all administrators"))


@bp.before_app_request
def require_enrolment():
    """With the policy on, an admin without a second factor can only enrol."""
    if not current_user.is_authenticated or request.endpoint in ENROLMENT_ENDPOINTS:
        return None
    if request.endpoint is None or not app_settings.require_2fa() or \
            second_factors.has_second_factor(current_user):
        return None
    target = url_for("account.index")
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Redirect"] = target
        return response
    if request.method != "GET" or request.accept_mimetypes.best == "application/json":
        abort(403)
    return redirect(target)


def _me() -> Admin:
    return current_user._get_current_object()


def _reconfirmed(admin: Admin) -> tuple[ConfirmForm, bool, int]:
    """The re-confirmation form, whether the password or TOTP code just checked out, and
    the status to answer otherwise: 401 for a wrong secret, 422 for an incomplete form."""
    form = ConfirmForm()
    if form.validate_on_submit():
        error = reauth.check(admin, form.secret.data)
        if error is None:
            return form, True, 200
        form.secret.errors.append(error)
        return form, False, 401
    return form, False, 422 if request.method == "POST" else 200


def _needs_reauth():
    return redirect(url_for("account.confirm", next=request.full_path.rstrip("?")))


def _local(target: str | None) -> str:
    if target and target.startswith("/account") and not target.startswith("//"):
        return target
    return url_for("account.index")


def _stash_codes(codes: list[str]) -> None:
    """Hand new codes to the next page (one GET) without putting them in the clear
    in the session cookie; an old copy of the cookie stops revealing them after
    FRESH_CODES_TTL."""
    session[FRESH_CODES] = crypto.encrypt(json.dumps({"admin": _me().id, "codes": codes}))


def _take_codes() -> list[str] | None:
    token = session.pop(FRESH_CODES, None)
    if not token:
        return None
    try:
        data = json.loads(crypto.decrypt(token, ttl=FRESH_CODES_TTL))
    except (DecryptionError, ValueError):
        return None
    if not isinstance(data, dict) or data.get("admin") != _me().id:
        return None
    return data.get("codes")


@bp.get("/account")
@access.signed_in
def index():
    state = second_factors.status(_me())
    must_enrol = app_settings.require_2fa() and not state.any
    return render_template("account/index.html", state=state, must_enrol=must_enrol,
                           short_id=second_factors.short_id)


@bp.route("/account/confirm", methods=["GET", "POST"])
@access.signed_in
def confirm():
    """Prove it is still you (password or TOTP code) before adding a factor."""
    form, confirmed, status = _reconfirmed(_me())
    if confirmed:
        return redirect(_local(request.args.get("next")))
    return render_template("account/confirm.html", form=form), status


# --- TOTP -------------------------------------------------------------------------

@bp.route("/account/totp", methods=["GET", "POST"])
@access.signed_in
def totp_enrol():
    admin = _me()
    if not reauth.recent():
        return _needs_reauth()
    try:
        secret = second_factors.pending_totp_secret(admin)
    except SecondFactorError as exc:
        flash(str(exc), "info")
        return redirect(url_for("account.index"))
    form = TotpConfirmForm()
    status = 200
    if form.validate_on_submit():
        codes = second_factors.confirm_totp(admin, form.code.data, actor=admin.username)
        if codes is not None:
            flash(_("Your authenticator app is set up. MailApp will ask for a code when "
                    "you sign in."), "success")
            if codes:
                _stash_codes(codes)
                return redirect(url_for("account.recovery_codes"), code=303)
            return redirect(url_for("account.index"), code=303)
        form.code.errors.append(_("That code does not match. Check the time on your phone "
                                  "and enter the newest code."))
        status = 422
    elif request.method == "POST":
        status = 422
    uri = totp.provisioning_uri(secret, admin.username)
    return render_template("account/totp.html", form=form, qr=totp.qr_data_uri(uri),
                           secret=totp.formatted(secret)), status


@bp.post("/account/totp/restart")
@access.signed_in
def totp_restart():
    if not reauth.recent():
        return _needs_reauth()
    try:
        second_factors.pending_totp_secret(_me(), restart=True)
    except SecondFactorError as exc:
        flash(str(exc), "info")
        return redirect(url_for("account.index"))
    return redirect(url_for("account.totp_enrol"), code=303)


@bp.route("/account/totp/disable", methods=["GET", "POST"])
@access.signed_in
def totp_disable():
    admin = _me()
    if second_factors.active_totp(admin) is None:
        return redirect(url_for("account.index"))
    form, confirmed, status = _reconfirmed(admin)
    if confirmed:
        second_factors.disable_totp(admin, actor=admin.username)
        flash(_("Your authenticator app is turned off."), "success")
        return redirect(url_for("account.index"), code=303)
    state = second_factors.status(admin)
    return render_template("account/totp_disable.html", form=form, state=state,
                           last_factor=not state.keys,
                           policy=app_settings.require_2fa()), status


# --- Security keys ------------------------------------------------------------------

def _json_error(message: str, status: int, **extra):
    return jsonify({"error": message, **extra}), status


@bp.post("/account/keys/options")
@access.signed_in
def key_options():
    if not reauth.recent():
        return _json_error(_("Confirm your password first."), 403,
                           redirect=url_for("account.confirm", next=url_for("account.index")))
    return jsonify(security_keys.registration_options(_me()))


@bp.post("/account/keys")
@access.signed_in
def key_add():
    admin = _me()
    if not reauth.recent():
        return _json_error(_("Confirm your password first."), 403,
                           redirect=url_for("account.confirm", next=url_for("account.index")))
    body = request.get_json(silent=True) or {}
    try:
        fields = security_keys.verify_registration(admin, body.get("credential"))
        cred, codes = second_factors.add_credential(admin, name=body.get("name"),
                                                    actor=admin.username, **fields)
    except (security_keys.CeremonyError, SecondFactorError) as exc:
        return _json_error(str(exc), 400)
    flash(_("Security key “%(name)s” added.", name=cred.name), "success")
    if codes:
        _stash_codes(codes)
        return jsonify({"redirect": url_for("account.recovery_codes")})
    return jsonify({"redirect": url_for("account.index")})


def _key_id() -> int:
    """The key an action is about, from the form or query string (ids are not in paths:
    these are own-account pages); someone else's key, or none, answers 404."""
    value = request.values.get("key", "")
    if not value.isdigit() or second_factors.get_credential(_me(), int(value)) is None:
        abort(404)
    return int(value)


@bp.route("/account/keys/rename", methods=["GET", "POST"])
@access.signed_in
def key_rename():
    admin = _me()
    key_id = _key_id()
    cred = second_factors.get_credential(admin, key_id)
    form = KeyNameForm(data={"name": cred.name} if request.method == "GET" else None)
    if form.validate_on_submit():
        cred = second_factors.rename_credential(admin, key_id, form.name.data,
                                                actor=admin.username)
        flash(_("Security key renamed to “%(name)s”.", name=cred.name), "success")
        return redirect(url_for("account.index"), code=303)
    status = 422 if request.method == "POST" else 200
    return render_template("account/key_rename.html", form=form, cred=cred,
                           short_id=second_factors.short_id), status


@bp.route("/account/keys/remove", methods=["GET", "POST"])
@access.signed_in
def key_remove():
    admin = _me()
    key_id = _key_id()
    cred = second_factors.get_credential(admin, key_id)
    form, confirmed, status = _reconfirmed(admin)
    if confirmed:
        second_factors.remove_credential(admin, key_id, actor=admin.username)
        flash(_("Security key “%(name)s” removed.", name=cred.name), "success")
        return redirect(url_for("account.index"), code=303)
    state = second_factors.status(admin)
    last_factor = state.totp is None and len(state.keys) == 1
    return render_template("account/key_remove.html", form=form, cred=cred,
                           short_id=second_factors.short_id, last_factor=last_factor,
                           policy=app_settings.require_2fa()), status


# --- Recovery codes -----------------------------------------------------------------

@bp.route("/account/recovery-codes", methods=["GET", "POST"])
@access.signed_in
def recovery_codes():
    """GET shows codes just made (once); POST makes new ones after re-confirmation."""
    admin = _me()
    codes = _take_codes() if request.method == "GET" else None
    if codes:
        return render_template("account/recovery_codes.html", codes=codes)
    state = second_factors.status(admin)
    if not state.any:
        return redirect(url_for("account.index"))
    form, confirmed, status = _reconfirmed(admin)
    if confirmed:
        _stash_codes(second_factors.regenerate_recovery_codes(admin, actor=admin.username))
        return redirect(url_for("account.recovery_codes"), code=303)
    return render_template("account/recovery_regenerate.html", form=form,
                           remaining=state.recovery_remaining), status


# --- Policy (global administrators) -------------------------------------------------

@bp.route("/settings/security", methods=["GET", "POST"])
@access.global_admin
def security_policy():
    form = SecurityPolicyForm()
    if request.method == "GET":
        form.require_2fa.data = app_settings.require_2fa()
    elif form.validate_on_submit():
        changed = app_settings.set_require_2fa(form.require_2fa.data,
                                               actor=current_user.username)
        if changed:
            flash(_("Every administrator now needs a second factor.")
                  if form.require_2fa.data else
                  _("A second factor is now optional."), "success")
        return redirect(url_for("account.security_policy"), code=303)
    admins = db.session.scalars(select(Admin).order_by(Admin.username)).all()
    without = [a for a in admins if a.active and not second_factors.has_second_factor(a)]
    return render_template("settings/security.html", form=form, without=without,
                           total=len([a for a in admins if a.active]))
