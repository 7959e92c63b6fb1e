"""The Sync jobs area: imapsync jobs pulling remote mailboxes in; list, add, edit, log, delete."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.syncjobs import SyncJobAddForm, SyncJobForm
from panel.mailcow import NotFound, mailcow
from panel.mailcow.syncjobs import DEFAULT_PORTS, SyncJobSettings
from panel.services import syncjobs as service
from panel.views import map_pages
from panel.views.domain_scope import domain_choices, domain_filter, filtered_state_args, \
    owner_exists, prefill_owner
from panel.views.listing import page_request

bp = Blueprint("syncjobs", __name__, url_prefix="/syncjobs")

SORTABLE = tuple(service.SORT_KEYS)


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


def _render_form(form, job, error):
    return map_pages.form_page("syncjobs/form.html", form, error, job, item_name="job",
                               default_ports=DEFAULT_PORTS)


@bp.get("")
@access.domain_admin("syncjobs")
def index():
    req = page_request(SORTABLE, "id")
    domain = domain_filter()
    page = service.list_syncjobs(mailcow(), current_user, req, domain)
    return map_pages.list_page(
        "syncjobs", page, req, state_args=filtered_state_args(domain=domain), domain=domain,
        domains=domain_choices(), describe_exit=service.describe_exit)


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def create():
    form = SyncJobAddForm()
    if request.method == "GET":
        prefill_owner(form.owner, "owner")
    error = None
    if form.validate_on_submit() and owner_exists(form.owner):
        owner = form.owner.data
        done, error = map_pages.attempt(
            lambda: service.create_syncjob(mailcow(), owner, form.settings()),
            url_for("syncjobs.index", q=owner), _("Sync job for %(name)s added.", name=owner))
        if done is not None:
            return done
    return _render_form(form, None, error)


@bp.route("/<int:syncjob_id>/edit", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def edit(syncjob_id: int):
    job = _load(syncjob_id)
    form = SyncJobForm()
    error = None
    if request.method == "GET":
        form.fill(SyncJobSettings.of(job))
    elif form.validate_on_submit():
        done, error = map_pages.attempt(
            lambda: service.update_syncjob(mailcow(), job, form.settings()),
            url_for("syncjobs.index"), _("Sync job %(id)s saved.", id=job.id))
        if done is not None:
            return done
    return _render_form(form, job, error)


@bp.get("/<int:syncjob_id>/log")
@access.domain_admin("syncjobs")
def log(syncjob_id: int):
    job = _load(syncjob_id, with_log=True)
    return render_template("syncjobs/log.html", job=job, describe_exit=service.describe_exit)


@bp.route("/<int:syncjob_id>/delete", methods=["GET", "POST"])
@access.domain_admin("syncjobs")
def delete(syncjob_id: int):
    job = _load(syncjob_id)
    return map_pages.delete_page(
        bp, "syncjobs/delete.html", job, lambda: service.delete_syncjob(mailcow(), job),
        _("Sync job %(id)s deleted.", id=job.id), item_name="job")


@bp.post("/bulk")
@access.domain_admin("syncjobs")
def bulk():
    return map_pages.run_bulk(
        bp, keys=lambda values: sorted({int(i) for i in values}), field="ids",
        actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one sync job, then an action."),
        entries=lambda: service.visible(mailcow(), current_user), key_of=lambda j: j.id,
        confirm=lambda action, chosen, back: render_template(
            "syncjobs/bulk_delete.html", chosen=chosen, back=back)
        if action == "delete" else None,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        failed=lambda action, result, back: render_template(
            "syncjobs/bulk_result.html", action=action, result=result, back=back),
        done=lambda n: {
            "activate": ngettext("%(num)s sync job activated.",
                                 "%(num)s sync jobs activated.", n),
            "deactivate": ngettext("%(num)s sync job deactivated.",
                                   "%(num)s sync jobs deactivated.", n),
            "run": ngettext("%(num)s sync job runs at the next minute.",
                            "%(num)s sync jobs run at the next minute.", n),
            "delete": ngettext("%(num)s sync job deleted.", "%(num)s sync jobs deleted.", n)})

