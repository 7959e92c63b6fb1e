"""The Password policy area: Mailcow's rules for mailbox passwords (length and character
classes), which Mailcow checks on every password it sets. Global administrators only."""
from __future__ import annotations

from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _

from panel import access
from panel.forms.password_policy import PasswordPolicyForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, mailcow
from panel.services import password_policy as service

bp = Blueprint("password_policy", __name__, url_prefix="/password-policy")


@bp.route("", methods=["GET", "POST"])
@access.global_admin
def index():
    current = mailcow().password_policy.get()
    form = PasswordPolicyForm()
    error = None
    if request.method == "GET":
        form.fill(current)
    elif form.validate_on_submit():
        try:
            service.save_policy(mailcow(), current, form.policy())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("password_policy.index"),
                                _("Password policy saved."))
    status = 422 if request.method == "POST" else 200
    return render_template("password_policy/index.html", form=form, error=error,
                           current=current), status
