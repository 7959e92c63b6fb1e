"""The Sync jobs area: imapsync jobs pulling remote mailboxes in; list, add, edit, log, delete."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.syncjobs import SyncJobAddForm, SyncJobForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.syncjobs import DEFAULT_PORTS, SyncJobSettings
from panel.services import syncjobs as service
from panel.views.listing import page_request, state_args

bp = Blueprint("syncjobs", __name__, url_prefix="/syncjobs")

SORTABLE = tuple(service.SORT_KEYS)


def _domain_choices() -> list[str]:
    scope = access.visible_domains(current_user)
    return sorted(scope) if scope is not None else mailcow().domains.names()


def _load(syncjob_id: int, with_log: bool = False):
    try:
        job = mailcow().syncjobs.get(syncjob_id)
    except NotFound:
        abort(404)
    access.require_domain(current_user, job.domain)
    if with_log:
        try:
            job = mailcow().syncjobs.with_log(job)
        except NotFound:
            abort(404)
    return job


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/syncjobs") and "//" not in target \
        else url_for("syncjobs.index")


def _render_form(form, job, error, status):
    return render_template("syncjobs/form.html", form=form, job=job, error=error,
                           default_ports=DEFAULT_PORTS), status


@bp.get("")
@access.domain_admin("syncjobs")
def index():
    req = page_request(SORTABLE, "id")
    domain = request.args.get("domain", "").strip().lower()
    if domain:
        access.require_domain(current_user, domain)
    page = service.list_syncjobs(mailcow(), current_user, req, domain)

    def list_args(r, **changes):
        return state_args(r, **{"domain": domain or None, **changes})

    template = "syncjobs/_table.html" if is_htmx() else "syncjobs/index.html"
    return render_template(template, page=page, req=req, state_args=list_args, domain=domain,
                           domains=_domain_choices(), describe_exit=service.describe_exit,
                           back=request.full_path.rstrip("?"))


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def create():
    form = SyncJobAddForm()
    if request.method == "GET":
        owner = request.args.get("owner", "").strip().lower()
        if owner:
            access.require_domain(current_user, owner.rpartition("@")[2])
            form.owner.data = owner
    error = None
    if form.validate_on_submit():
        owner = form.owner.data
        access.require_domain(current_user, owner.rpartition("@")[2])
        try:
            mailcow().mailboxes.get(owner)
        except NotFound:
            form.owner.errors = [_("There is no mailbox %(name)s.", name=owner)]
        else:
            try:
                service.create_syncjob(mailcow(), owner, form.settings())
            except MailcowRefused as exc:
                error = exc.message
            else:
                return after_change(url_for("syncjobs.index", q=owner),
                                    _("Sync job for %(name)s added.", name=owner))
    return _render_form(form, None, error, 422 if request.method == "POST" else 200)


@bp.route("/<int:syncjob_id>/edit", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def edit(syncjob_id: int):
    job = _load(syncjob_id)
    form = SyncJobForm()
    error = None
    if request.method == "GET":
        form.fill(SyncJobSettings.of(job))
    elif form.validate_on_submit():
        try:
            service.update_syncjob(mailcow(), job, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("syncjobs.index"),
                                _("Sync job %(id)s saved.", id=job.id))
    return _render_form(form, job, error, 422 if request.method == "POST" else 200)


@bp.get("/<int:syncjob_id>/log")
@access.domain_admin("syncjobs")
def log(syncjob_id: int):
    job = _load(syncjob_id, with_log=True)
    return render_template("syncjobs/log.html", job=job, describe_exit=service.describe_exit)


@bp.route("/<int:syncjob_id>/delete", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def delete(syncjob_id: int):
    job = _load(syncjob_id)
    error = None
    if request.method == "POST":
        try:
            service.delete_syncjob(mailcow(), job)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("syncjobs.index"),
                                _("Sync job %(id)s deleted.", id=job.id))
    return render_template("syncjobs/delete.html", job=job, error=error), 422 if error else 200


@bp.post("/bulk")
@access.domain_admin("syncjobs")
def bulk():
    action = request.form.get("action", "")
    try:
        ids = sorted({int(i) for i in request.form.getlist("ids")})
    except ValueError:
        abort(404)
    if not ids or action not in service.BULK_ACTIONS:
        flash(_("Select at least one sync job, then an action."), "warning")
        return redirect(_back(), code=303)
    mine = {j.id: j for j in service.visible(mailcow(), current_user)}
    if any(i not in mine for i in ids):
        abort(404)
    chosen = [mine[i] for i in ids]
    if action == "delete" and request.form.get("confirm") != "1":
        return render_template("syncjobs/bulk_delete.html", chosen=chosen, back=_back())
    result = service.bulk(mailcow(), action, chosen)
    if result.failed:
        return render_template("syncjobs/bulk_result.html", action=action, result=result,
                               back=_back()), 422
    n = len(result.done)
    message = {
        "activate": ngettext("%(num)s sync job activated.", "%(num)s sync jobs activated.", n),
        "deactivate": ngettext("%(num)s sync job deactivated.",
                               "%(num)s sync jobs deactivated.", n),
        "run": ngettext("%(num)s sync job runs at the next minute.",
                        "%(num)s sync jobs run at the next minute.", n),
        "delete": ngettext("%(num)s sync job deleted.", "%(num)s sync jobs deleted.", n),
    }[action]
    return after_change(_back(), message)

