"""A mailbox's extras on its detail page: app passwords (shown once), time-limited
aliases and the spam score. Each section is a partial the same routes answer for HTMX."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from panel import access
from panel.forms.mailboxes import APP_PROTOCOL_LABELS, USER_ACL_LABELS, TAGGED_CHOICES, \
    AppPasswordForm, SpamScoreForm, TimeLimitedAliasForm
from panel.htmx import after_change, is_htmx, toast
from panel.mailcow import MailcowError, MailcowRefused, NotFound, mailcow
from panel.mailcow.spam_score import SpamScore
from panel.services import mailboxes as service
from panel.views.mailboxes import _load

bp = Blueprint("mailbox_extras", __name__, url_prefix="/mailboxes")

SECTIONS = {"app_passwords": "mailboxes/_app_passwords.html",
            "time_limited_aliases": "mailboxes/_time_limited_aliases.html",
            "spam_score": "mailboxes/_spam_score.html"}


def _alias_domain_choices(mc, mailbox) -> list[SelectChoice]:
    """The mailbox's domain and its alias domains: where Mailcow may make the address."""
    names = [mailbox.domain]
    try:
        names += sorted(a.name for a in mc.alias_domains.all()
                        if a.target_domain.lower() == mailbox.domain.lower())
    except MailcowError:
        pass
    return [SelectChoice(d, d) for d in names]


def _section(name: str, mc, mailbox, **given) -> dict:
    """The context of one section: its items read from Mailcow (or why they could not
    be), and its form unless one is given."""
    ctx: dict = {f"{name}_error": None}
    try:
        if name == "app_passwords":
            ctx["app_passwords"] = service.app_passwords(mc, mailbox)
        elif name == "time_limited_aliases":
            ctx["time_limited_aliases"] = service.time_limited_aliases(mc, mailbox)
        else:
            ctx["spam_score"] = mc.spam_score.get(mailbox.username)
    except (MailcowError, NotFound) as exc:
        ctx[f"{name}_unreadable"] = getattr(exc, "message", str(exc))
    if name == "app_passwords":
        form = given.pop("app_password_form", None) or AppPasswordForm(formdata=None)
        ctx["app_password_form"] = form
        ctx["app_protocol_labels"] = APP_PROTOCOL_LABELS
    elif name == "time_limited_aliases":
        form = given.pop("alias_form", None) or TimeLimitedAliasForm(formdata=None)
        form.domain.choices = _alias_domain_choices(mc, mailbox)
        ctx["alias_form"] = form
    else:
        form = given.pop("spam_form", None)
        if form is None:
            form = SpamScoreForm(formdata=None)
            score = ctx.get("spam_score")
            if score is not None:
                form.low.data, form.high.data = score.low, score.high
        ctx["spam_form"] = form
    ctx.update(given)
    return ctx


def detail_context(mailbox) -> dict:
    """Everything the detail page shows, the sections only for users who may use them."""
    mc = mailcow()
    ctx = {"mailbox": mailbox, "aliases": service.aliases_of(mc, mailbox),
           "unreadable": service.unreadable_settings(mailbox.username),
           "user_acl_labels": USER_ACL_LABELS,
           "tagged_labels": {c.value: c.label for c in TAGGED_CHOICES}}
    for name, permission in (("app_passwords", "app_passwds"),
                             ("time_limited_aliases", "spam_alias"),
                             ("spam_score", "spam_policy")):
        if current_user.may(permission):
            ctx.update(_section(name, mc, mailbox))
    return ctx


def _answer(name: str, mailbox, status: int = 200, message: str | None = None, **given):
    """The section partial for HTMX, else the whole detail page with this section's state."""
    mc = mailcow()
    if is_htmx():
        ctx = {"mailbox": mailbox, **_section(name, mc, mailbox, **given)}
        response = current_app.make_response((render_template(SECTIONS[name], **ctx), status))
        return toast(response, message) if message else response
    ctx = detail_context(mailbox)
    ctx.update(_section(name, mc, mailbox, **given))
    settings = current_app.extensions["settings"]
    return render_template("mailboxes/detail.html", **ctx, hostname=settings.mail_hostname,
                           just_added=False), status


# -- app passwords -------------------------------------------------------------------------

@bp.post("/<username>/app-passwords")
@access.domain_admin("app_passwds")
def add_app_password(username: str):
    mailbox = _load(username)
    mc = mailcow()
    form = AppPasswordForm()
    form.policy = mc.password_policy.get()
    if not form.validate_on_submit():
        return _answer("app_passwords", mailbox, 422, app_password_form=form)
    try:
        password = service.create_app_password(
            mc, mailbox, form.app_name.data.strip(),
            None if form.generate.data else form.app_passwd.data, list(form.protocols.data))
    except MailcowRefused as exc:
        return _answer("app_passwords", mailbox, 422, app_password_form=form,
                       app_passwords_error=exc.message)
    # Shown in this answer only: nothing else keeps it, a reload no longer has it.
    response = _answer("app_passwords", mailbox, 201,
                       _("App password “%(name)s” added.", name=form.app_name.data.strip()),
                       new_app_password={"name": form.app_name.data.strip(),
                                         "password": password},
                       app_password_form=AppPasswordForm(formdata=None))
    if isinstance(response, tuple):
        response = current_app.make_response(response)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.post("/<username>/app-passwords/<int:app_passwd_id>/active")
@access.domain_admin("app_passwds")
def set_app_password_active(username: str, app_passwd_id: int):
    mailbox = _load(username)
    active = request.form.get("active") == "1"
    try:
        found = service.set_app_password_active(mailcow(), mailbox, app_passwd_id, active)
    except NotFound:
        abort(404)
    except MailcowRefused as exc:
        return _answer("app_passwords", mailbox, 422, app_passwords_error=exc.message)
    message = (_("App password “%(name)s” enabled.", name=found.name) if active
               else _("App password “%(name)s” disabled.", name=found.name))
    return _done("app_passwords", mailbox, message)


@bp.post("/<username>/app-passwords/<int:app_passwd_id>/delete")
@access.domain_admin("app_passwds")
def delete_app_password(username: str, app_passwd_id: int):
    mailbox = _load(username)
    mc = mailcow()
    try:
        found = service.delete_app_password(mc, mailbox, app_passwd_id)
    except NotFound:
        abort(404)
    except MailcowRefused as exc:
        return _answer("app_passwords", mailbox, 422, app_passwords_error=exc.message)
    return _done("app_passwords", mailbox,
                 _("App password “%(name)s” deleted.", name=found.name))


# -- time-limited aliases ------------------------------------------------------------------

@bp.post("/<username>/time-limited-aliases")
@access.domain_admin("spam_alias")
def add_time_limited_alias(username: str):
    mailbox = _load(username)
    mc = mailcow()
    form = TimeLimitedAliasForm()
    form.domain.choices = _alias_domain_choices(mc, mailbox)
    if not form.validate_on_submit():
        return _answer("time_limited_aliases", mailbox, 422, alias_form=form)
    try:
        service.add_time_limited_alias(mc, mailbox, form.domain.data,
                                       (form.description.data or "").strip(),
                                       int(form.validity.data), form.permanent.data)
    except MailcowRefused as exc:
        return _answer("time_limited_aliases", mailbox, 422, alias_form=form,
                       time_limited_aliases_error=exc.message)
    return _done("time_limited_aliases", mailbox, _("Time-limited alias added."))


@bp.post("/<username>/time-limited-aliases/<tla_address>/delete")
@access.domain_admin("spam_alias")
def delete_time_limited_alias(username: str, tla_address: str):
    mailbox = _load(username)
    mc = mailcow()
    try:
        found = service.delete_time_limited_alias(mc, mailbox, tla_address)
    except NotFound:
        abort(404)
    except MailcowRefused as exc:
        return _answer("time_limited_aliases", mailbox, 422,
                       time_limited_aliases_error=exc.message)
    return _done("time_limited_aliases", mailbox,
                 _("Time-limited alias %(address)s deleted.", address=found.address))


# -- spam score ----------------------------------------------------------------------------

@bp.post("/<username>/spam-score")
@access.domain_admin("spam_policy")
def set_spam_score(username: str):
    mailbox = _load(username)
    mc = mailcow()
    form = SpamScoreForm()
    if not form.validate_on_submit():
        return _answer("spam_score", mailbox, 422, spam_form=form)
    try:
        before = mc.spam_score.get(mailbox.username)
    except NotFound:
        before = None
    score = SpamScore(float(form.low.data), float(form.high.data))
    try:
        service.set_spam_score(mc, mailbox, score, before)
    except MailcowRefused as exc:
        return _answer("spam_score", mailbox, 422, spam_form=form, spam_score_error=exc.message)
    return _done("spam_score", mailbox,
                 _("Spam score of %(name)s saved.", name=mailbox.username))


def _done(name: str, mailbox, message: str):
    """After a section's change: the section with a toast for HTMX, else back to its place
    on the detail page."""
    if is_htmx():
        return _answer(name, mailbox, 200, message)
    return after_change(url_for("mailboxes.detail", username=mailbox.username) + "#"
                        + name.replace("_", "-"), message)

