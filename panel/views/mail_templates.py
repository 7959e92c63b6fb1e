"""The Mail templates area: the quota-warning mail Mailcow sends when a mailbox fills up,
and the password-recovery mail; sender, subject and templates with their variables.
Global administrators only."""
from __future__ import annotations

from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.forms.password_policy import PasswordResetForm, QuotaNotificationForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, mailcow
from panel.mailcow.mail_templates import QUOTA_DEFAULT_SENDER, QUOTA_DEFAULT_SUBJECT
from panel.services import mail_templates as service

bp = Blueprint("mail_templates", __name__, url_prefix="/mail-templates")


def _page(quota_form=None, reset_form=None, quota_error=None, reset_error=None, status=200):
    quota, reset = service.quota_notification(), service.password_reset()
    if quota_form is None:
        quota_form = QuotaNotificationForm(prefix="quota")
        quota_form.fill(quota.settings)
    if reset_form is None:
        reset_form = PasswordResetForm(prefix="reset")
        reset_form.fill(reset.settings)
    return render_template("mail_templates/index.html", quota_form=quota_form,
                           reset_form=reset_form, quota=quota, reset=reset,
                           quota_error=quota_error, reset_error=reset_error,
                           default_sender=QUOTA_DEFAULT_SENDER,
                           default_subject=QUOTA_DEFAULT_SUBJECT), status


@bp.get("")
@access.global_admin
def index():
    return _page()


def _save(which: str, form, save, anchor: str, message: str):
    """Save the `which` ("quota" or "reset") form with `save`; a refusal or an invalid
    form shows the page again with that form (422), else back to its section."""
    if form.validate_on_submit():
        try:
            save(mailcow(), form.settings(), current_user.username)
        except MailcowRefused as exc:
            return _page(**{f"{which}_form": form, f"{which}_error": exc.message}, status=422)
        return after_change(url_for("mail_templates.index") + anchor, message)
    return _page(**{f"{which}_form": form}, status=422)


@bp.post("/quota")
@access.global_admin
def save_quota():
    return _save("quota", QuotaNotificationForm(prefix="quota"),
                 service.save_quota_notification, "#quota", _("Quota notification saved."))


@bp.post("/password-reset")
@access.global_admin
def save_password_reset():
    return _save("reset", PasswordResetForm(prefix="reset"), service.save_password_reset,
                 "#password-reset", _("Password recovery mail saved."))
