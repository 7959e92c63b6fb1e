"""The Mailboxes area: list with search, domain filter, sort and paging; add, edit,
password, enable/disable, delete; bulk actions; CSV export."""
from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, \
    request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from panel import access
from panel.forms.domains import DOMAIN_RE
from panel.forms.mailboxes import MailboxAddForm, MailboxEditForm, PasswordForm, \
    parse_senders, policy_text
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.mailboxes import PROTOCOLS, SORTABLE, MailboxSettings
from panel.mailcow.wire import mib
from panel.services import mailboxes as service
from panel.services import routing as routing_service
from panel.views.listing import page_request
from panel.views.listing import state_args as table_state

bp = Blueprint("mailboxes", __name__, url_prefix="/mailboxes")

MIB = 1024 * 1024
BULK_LIMIT = 100
BULK_ACTIONS = {"activate": 1, "deactivate": 0, "delete": None}


def _domains() -> list[str]:
    """The domains the current user may pick, in name order."""
    scope = access.visible_domains(current_user)
    if scope is None:
        return sorted(mailcow().domains.names())
    return sorted(scope)


def _domain_filter() -> str | None:
    domain = (request.args.get("domain") or "").strip().lower()
    if not domain:
        return None
    return access.require_domain(current_user, domain)


def _load(username: str):
    username = username.strip().lower()
    local, at, domain = username.rpartition("@")
    access.require_domain(current_user, domain)
    if not (local and at and DOMAIN_RE.match(domain)):
        abort(404)
    try:
        mailbox = mailcow().mailboxes.get(username)
    except NotFound:
        abort(404)
    access.require_domain(current_user, mailbox.domain)
    return mailbox


def _state_args(domain: str | None):
    def state_args(req, **changes):
        args = table_state(req, **changes)
        if domain:
            args["domain"] = domain
        return args
    return state_args


def _lock(field, value) -> None:
    """Keep a field the user may not change at `value`, shown but not editable."""
    field.data = value
    field.raw_data = ["y" if value is True else "" if value is False else str(value)]
    field.render_kw = {**(field.render_kw or {}), "disabled": True}


def _apply_permissions(form, mailbox=None, default_quota_mib: int | None = None) -> None:
    user = current_user
    if not user.may("mailbox_quota"):
        _lock(form.quota_mib, mib(mailbox.quota) if mailbox else default_quota_mib)
    if not user.may("protocol_access"):
        for protocol in PROTOCOLS:
            _lock(getattr(form, f"{protocol}_access"),
                  getattr(mailbox, f"{protocol}_access") if mailbox else True)
    if not user.may("ratelimit"):
        _lock(form.rate_limit_value, form.rate_limit_value.data or 0)
        form.rate_limit_frame.render_kw = {"disabled": True}
    if not user.may("tls_policy"):
        _lock(form.tls_enforce_in, mailbox.tls_enforce_in if mailbox else False)
        _lock(form.tls_enforce_out, mailbox.tls_enforce_out if mailbox else False)
    if mailbox is not None and not user.may("quarantine"):
        for name in ("quarantine_notification", "quarantine_category"):
            field = getattr(form, name)
            field.data = getattr(mailbox, name)
            field.render_kw = {"disabled": True}


@bp.get("")
@access.domain_admin()
def index():
    domain = _domain_filter()
    req = page_request(tuple(SORTABLE), "username")
    page = service.list_mailboxes(mailcow(), current_user, req, domain)
    template = "mailboxes/_table.html" if is_htmx() else "mailboxes/index.html"
    return render_template(template, page=page, req=req, domain=domain,
                           domains=[] if is_htmx() else _domains(),
                           state_args=_state_args(domain))


@bp.get("/export.csv")
@access.domain_admin()
def export():
    domain = _domain_filter()
    req = page_request(tuple(SORTABLE), "username")
    mc, user = mailcow(), current_user._get_current_object()
    columns = ["username", "name", "domain", "active", "quota_mib", "quota_used_bytes",
               "messages", "last_imap_login", "last_pop3_login", "last_smtp_login", "tags",
               "created"]

    def cell(value) -> str:
        text = "" if value is None else value.isoformat() if hasattr(value, "isoformat") \
            else str(value)
        # Spreadsheets run cells starting with these as formulas.
        return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text

    def rows():
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(columns)
        for m in service.iter_mailboxes(mc, user, req, domain):
            writer.writerow([cell(v) for v in (
                m.username, m.name, m.domain, m.active_state, mib(m.quota), m.quota_used,
                m.messages, m.last_imap_login, m.last_pop3_login, m.last_smtp_login,
                " ".join(m.tags), m.created)])
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
        yield buffer.getvalue()

    name = f"mailboxes-{domain}.csv" if domain else "mailboxes.csv"
    return Response(stream_with_context(rows()), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("mailboxes")
def create():
    mc = mailcow()
    domains = _domains()
    form = MailboxAddForm()
    form.domain.choices = [(d, d) for d in domains]
    if request.method == "POST" and form.domain.data:
        access.require_domain(current_user, form.domain.data)
    wanted = (form.domain.data if request.method == "POST" else request.args.get("domain")) or \
        (domains[0] if domains else None)
    domain = None
    if wanted in domains:
        access.require_domain(current_user, wanted)
        try:
            domain = mc.domains.get(wanted)
        except NotFound:
            domain = None
    policy = mc.password_policy.get()
    form.apply_policy(policy)
    if domain is not None:
        left = max(0, domain.quota_total - domain.quota_used)
        form.limit_quota(min(domain.max_mailbox_quota, left) // MIB, current_user.is_global)
        if request.method == "GET":
            form.domain.data = domain.name
            form.quota_mib.data = min(domain.default_mailbox_quota, domain.max_mailbox_quota) \
                // MIB
    _apply_permissions(form, default_quota_mib=(domain.default_mailbox_quota // MIB)
                       if domain else 0)
    error = None
    if request.method == "POST" and form.validate_on_submit():
        access.require_domain(current_user, form.domain.data)
        try:
            service.create_mailbox(mc, form.local_part.data, form.domain.data,
                                   form.password.data, form.settings(),
                                   form.rate_limit_value.data or 0, form.rate_limit_frame.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            username = f"{form.local_part.data}@{form.domain.data}"
            problem = _save_extras(mc, username, form)
            if problem:
                flash(_("The mailbox was added, but Mailcow refused part of its settings: "
                        "%(why)s", why=problem), "error")
            return after_change(url_for("mailboxes.detail", username=username, added=1),
                                _("Mailbox %(name)s added.", name=username))
    status = 422 if request.method == "POST" else 200
    return render_template("mailboxes/form.html", form=form, error=error, mailbox=None,
                           domain=domain, policy=policy_text(policy)), status


def _save_extras(mc, username: str, form, mailbox=None) -> str | None:
    """The user ACL, tagged-mail handling and custom attributes, which Mailcow sets through
    routes of their own; Mailcow's refusal text, or None."""
    try:
        if mailbox is None:
            mailbox = mc.mailboxes.get(username)
        attributes = form.attributes() if hasattr(form, "attributes") else None
        service.save_extras(mc, mailbox, list(form.user_acl.data or []),
                            form.tagged_mail.data, attributes)
    except MailcowRefused as exc:
        return exc.message
    except NotFound:
        return None
    return None


@bp.get("/<username>")
@access.domain_admin()
def detail(username: str):
    from panel.views.mailbox_extras import detail_context

    mailbox = _load(username)
    settings = current_app.extensions["settings"]
    return render_template("mailboxes/detail.html", **detail_context(mailbox),
                           hostname=settings.mail_hostname,
                           just_added=request.args.get("added") == "1")


@bp.route("/<username>/edit", methods=["GET", "POST"])
@access.domain_admin("mailboxes")
def edit(username: str):
    mailbox = _load(username)
    mc = mailcow()
    form = MailboxEditForm()
    if current_user.is_global:
        form.relayhost.choices = [SelectChoice(i, label) for i, label in
                                  routing_service.relayhost_choices(
                                      mc, mailbox.relayhost, _("As the domain routes it"))]
    else:
        del form.relayhost  # Mailcow lets only its admins pick a mailbox's relay
    shown = service.unreadable_settings(mailbox.username)
    if request.method == "GET":
        form.fill(mailbox)
        form.user_acl.data = list(shown.user_acl)
        form.tagged_mail.data = shown.tagged_mail
    form.limit_quota(max(mailbox.max_new_quota // MIB, mib(mailbox.quota)),
                     current_user.is_global)
    _apply_permissions(form, mailbox)
    error = None
    if request.method == "POST" and form.validate_on_submit():
        settings = form.settings(MailboxSettings.of(mailbox))
        rate = (form.rate_limit_value.data or 0, form.rate_limit_frame.data) \
            if current_user.may("ratelimit") else None
        try:
            service.update_mailbox(mc, mailbox, settings, parse_senders(form.sender_acl.data),
                                   rate)
        except MailcowRefused as exc:
            error = exc.message
        else:
            error = _save_extras(mc, mailbox.username, form, mailbox)
        if error is None:
            return after_change(url_for("mailboxes.detail", username=mailbox.username),
                                _("Mailbox %(name)s saved.", name=mailbox.username))
    status = 422 if request.method == "POST" else 200
    return render_template("mailboxes/form.html", form=form, error=error, mailbox=mailbox,
                           domain=None, policy=None, remembered=shown.acl_known), status


@bp.route("/<username>/password", methods=["GET", "POST"])
@access.domain_admin("mailboxes")
def password(username: str):
    mailbox = _load(username)
    mc = mailcow()
    form = PasswordForm()
    policy = mc.password_policy.get()
    form.apply_policy(policy)
    if request.method == "GET":
        form.force_pw_update.data = mailbox.force_pw_update
    error = None
    if request.method == "POST" and form.validate_on_submit():
        try:
            service.set_password(mc, mailbox, form.password.data, form.force_pw_update.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("mailboxes.detail", username=mailbox.username),
                                _("Password of %(name)s changed.", name=mailbox.username))
    status = 422 if request.method == "POST" else 200
    return render_template("mailboxes/password.html", form=form, error=error, mailbox=mailbox,
                           policy=policy_text(policy)), status


@bp.post("/<username>/active")
@access.domain_admin("mailboxes")
def set_active(username: str):
    mailbox = _load(username)
    try:
        state = int(request.form.get("state", ""))
    except ValueError:
        state = -1
    if state not in (0, 1, 2):
        abort(422)
    result = service.set_active(mailcow(), [mailbox.username], state)
    target = url_for("mailboxes.detail", username=mailbox.username)
    if result.failed:
        flash(_("Mailcow did not change %(name)s: %(why)s", name=mailbox.username,
                why=result.failed[0][1]), "error")
        return redirect(target, code=303)
    message = {1: _("Mailbox %(name)s activated."), 0: _("Mailbox %(name)s deactivated."),
               2: _("Mailbox %(name)s no longer accepts logins.")}[state]
    return after_change(target, message % {"name": mailbox.username})


@bp.route("/<username>/delete", methods=["GET", "POST"])
@access.domain_admin("mailboxes")
def delete(username: str):
    mailbox = _load(username)
    error = None
    if request.method == "POST":
        result = service.delete_mailboxes(mailcow(), [mailbox.username])
        if not result.failed:
            return after_change(url_for("mailboxes.index"),
                                _("Mailbox %(name)s deleted.", name=mailbox.username))
        error = result.failed[0][1]
    status = 422 if error else 200
    return render_template("mailboxes/delete.html", mailbox=mailbox, error=error), status


def _safe_back(value: str | None) -> str:
    value = value or ""
    if value.startswith("/mailboxes") and not value.startswith("//") and "\\" not in value:
        return value
    return url_for("mailboxes.index")


@bp.post("/bulk")
@access.domain_admin("mailboxes")
def bulk():
    action = request.form.get("action", "")
    back = _safe_back(request.form.get("back"))
    selected = []
    for name in request.form.getlist("selected"):
        name = name.strip().lower()
        if name and name not in selected:
            selected.append(name)
    if action not in BULK_ACTIONS or not selected or len(selected) > BULK_LIMIT:
        message = _("Choose an action and between 1 and %(n)s mailboxes.", n=BULK_LIMIT)
        return render_template("mailboxes/bulk.html", problem=message, back=back,
                               selected=[], action=action, result=None), 422
    for name in selected:
        local, at, domain = name.rpartition("@")
        access.require_domain(current_user, domain)
        if not (local and at):
            abort(404)
    if action == "delete" and request.form.get("confirm") != "1":
        return render_template("mailboxes/bulk.html", problem=None, back=back,
                               selected=selected, action=action, result=None)
    mc = mailcow()
    if action == "delete":
        result = service.delete_mailboxes(mc, selected)
        done = ngettext("%(num)s mailbox deleted.", "%(num)s mailboxes deleted.",
                        len(result.done))
    else:
        result = service.set_active(mc, selected, BULK_ACTIONS[action])
        done = ngettext("%(num)s mailbox activated.", "%(num)s mailboxes activated.",
                        len(result.done)) if action == "activate" else \
            ngettext("%(num)s mailbox deactivated.", "%(num)s mailboxes deactivated.",
                     len(result.done))
    if not result.failed:
        return after_change(back, done)
    return render_template("mailboxes/bulk.html", problem=None, back=back, selected=selected,
                           action=action, result=result, done=done), 422
