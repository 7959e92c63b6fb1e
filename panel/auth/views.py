"""Login and logout pages for MailApp administrators."""
from __future__ import annotations

from datetime import datetime, timezone
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from panel import access
from panel.audit import record
from panel.auth import throttle
from panel.auth.passwords import hash_password, needs_rehash, verify_password
from panel.extensions import db
from panel.models import Admin

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired(), Length(max=64)],
                           render_kw={"autocomplete": "username", "autofocus": True})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=1024)],
                             render_kw={"autocomplete": "current-password"})


def _safe_next(target: str | None) -> str:
    """Only same-site relative paths: never let `next` send a user elsewhere."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") \
                and not target.startswith("//"):
            return target
    return url_for("home.root")


@bp.route("/login", methods=["GET", "POST"])
@access.public
def login():
    if current_user.is_authenticated:
        return redirect(_safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        username = form.username.data.strip().lower()
        addr = request.remote_addr or "unknown"
        if throttle.is_blocked(username, addr):
            record("auth.login_blocked", target=username, outcome="refused", actor=username)
            form.password.errors.append(_("Too many failed sign-ins. Wait 15 minutes and "
                                          "try again."))
            return render_template("auth/login.html", form=form), 429
        session = db.session()
        admin = session.scalar(select(Admin).where(Admin.username == username))
        if admin is not None and verify_password(admin.password_hash, form.password.data) \
                and admin.active:
            throttle.clear(username)
            if needs_rehash(admin.password_hash):
                admin.password_hash = hash_password(form.password.data)
            admin.last_login_at = datetime.now(timezone.utc)
            session.commit()
            login_user(admin)
            record("auth.login", target=username)
            return redirect(_safe_next(request.args.get("next")))
        throttle.record_failure(username, addr)
        record("auth.login_failed", target=username, outcome="refused", actor=username)
        # One message whether the user exists or not.
        form.password.errors.append(_("Wrong username or password."))
        status = 401
    elif request.method == "POST":
        status = 422
    return render_template("auth/login.html", form=form), status


@bp.route("/logout", methods=["POST"])
@access.signed_in
def logout():
    record("auth.logout", target=current_user.username)
    logout_user()
    flash(_("You are signed out."), "info")
    return redirect(url_for("auth.login"))
