"""The Resources area: bookable rooms, groups and things; list, add, edit, delete, bulk."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.resources import KIND_LABELS, ResourceAddForm, ResourceForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.resources import ResourceSettings
from panel.services import resources as service
from panel.views.listing import page_request, state_args

bp = Blueprint("resources", __name__, url_prefix="/resources")

SORTABLE = tuple(service.SORT_KEYS)


def _domain_choices() -> list[str]:
    scope = access.visible_domains(current_user)
    return sorted(scope) if scope is not None else mailcow().domains.names()


def _load(resource: str):
    # The address names its domain: refuse out-of-scope ones before asking Mailcow.
    access.require_domain(current_user, resource.rpartition("@")[2])
    try:
        found = mailcow().resources.get(resource)
    except NotFound:
        abort(404)
    access.require_domain(current_user, found.domain)
    return found


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/resources") and "//" not in target \
        else url_for("resources.index")


@bp.get("")
@access.domain_admin("resources")
def index():
    req = page_request(SORTABLE, "description")
    domain = request.args.get("domain", "").strip().lower()
    if domain:
        access.require_domain(current_user, domain)
    page = service.list_resources(mailcow(), current_user, req, domain)

    def list_args(r, **changes):
        # The table macros keep search, sort and page; the domain filter rides along.
        return state_args(r, **{"domain": domain or None, **changes})

    template = "resources/_table.html" if is_htmx() else "resources/index.html"
    return render_template(template, page=page, req=req, state_args=list_args, domain=domain,
                           domains=_domain_choices(), kinds=KIND_LABELS,
                           back=request.full_path.rstrip("?"))


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("resources")
def create():
    form = ResourceAddForm()
    if request.method == "POST" and request.form.get("domain"):
        access.require_domain(current_user, request.form["domain"].strip().lower())
    choices = _domain_choices()
    form.domain.choices = [(d, d) for d in choices]
    if request.method == "GET" and request.args.get("domain") in choices:
        form.domain.data = request.args["domain"]
    error = None
    if form.validate_on_submit():
        try:
            name = service.create_resource(mailcow(), form.domain.data, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("resources.index", q=name),
                                _("Resource %(name)s added.", name=name))
    status = 422 if request.method == "POST" else 200
    return render_template("resources/form.html", form=form, error=error,
                           resource=None), status


@bp.route("/<resource>/edit", methods=["GET", "POST"])
@access.domain_admin("resources")
def edit(resource: str):
    found = _load(resource)
    form = ResourceForm()
    error = None
    if request.method == "GET":
        form.fill(ResourceSettings.of(found))
    elif form.validate_on_submit():
        try:
            service.update_resource(mailcow(), found, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("resources.index"),
                                _("Resource %(name)s saved.", name=found.name))
    status = 422 if request.method == "POST" else 200
    return render_template("resources/form.html", form=form, error=error,
                           resource=found), status


@bp.route("/<resource>/delete", methods=["GET", "POST"])
@access.domain_admin("resources")
def delete(resource: str):
    found = _load(resource)
    error = None
    if request.method == "POST":
        try:
            service.delete_resource(mailcow(), found)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("resources.index"),
                                _("Resource %(name)s deleted.", name=found.name))
    status = 422 if error else 200
    return render_template("resources/delete.html", resource=found, error=error,
                           kinds=KIND_LABELS), status


@bp.post("/bulk")
@access.domain_admin("resources")
def bulk():
    action = request.form.get("action", "")
    names = sorted({n.lower(): n for n in request.form.getlist("names")}.values())
    if not names or action not in service.BULK_ACTIONS:
        flash(_("Select at least one resource, then an action."), "warning")
        return redirect(_back(), code=303)
    mine = {r.name.lower(): r for r in service.visible(mailcow(), current_user)}
    if any(n.lower() not in mine for n in names):
        abort(404)
    chosen = [mine[n.lower()] for n in names]
    if action == "delete" and request.form.get("confirm") != "1":
        return render_template("resources/bulk_delete.html", chosen=chosen, back=_back(),
                               kinds=KIND_LABELS)
    result = service.bulk(mailcow(), action, chosen)
    if result.failed:
        return render_template("resources/bulk_result.html", action=action, result=result,
                               back=_back()), 422
    n = len(result.done)
    message = {
        "activate": ngettext("%(num)s resource activated.", "%(num)s resources activated.", n),
        "deactivate": ngettext("%(num)s resource deactivated.",
                               "%(num)s resources deactivated.", n),
        "delete": ngettext("%(num)s resource deleted.", "%(num)s resources deleted.", n),
    }[action]
    return after_change(_back(), message)
