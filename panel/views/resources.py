"""The Resources area: bookable rooms, groups and things; list, add, edit, delete, bulk."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.resources import KIND_LABELS, ResourceAddForm, ResourceForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.resources import ResourceSettings
from panel.services import resources as service
from panel.views import map_pages
from panel.views.domain_scope import domain_choices, domain_filter, filtered_state_args
from panel.views.listing import page_request

bp = Blueprint("resources", __name__, url_prefix="/resources")

SORTABLE = tuple(service.SORT_KEYS)


def _load(resource: str):
    # The address names its domain: refuse out-of-scope ones before asking Mailcow.
    access.require_domain(current_user, resource.rpartition("@")[2])
    try:
        found = mailcow().resources.get(resource)
    except NotFound:
        abort(404)
    access.require_domain(current_user, found.domain)
    return found


@bp.get("")
@access.domain_admin("resources")
def index():
    req = page_request(SORTABLE, "description")
    domain = domain_filter()
    page = service.list_resources(mailcow(), current_user, req, domain)
    return map_pages.list_page(
        "resources", page, req, state_args=filtered_state_args(domain=domain), domain=domain,
        domains=domain_choices(), kinds=KIND_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("resources")
def create():
    form = ResourceAddForm()
    if request.method == "POST" and request.form.get("domain"):
        access.require_domain(current_user, request.form["domain"].strip().lower())
    choices = domain_choices()
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
    return map_pages.form_page("resources/form.html", form, error, None, item_name="resource")


@bp.route("/<resource>/edit", methods=["GET", "POST"])
@access.domain_admin("resources")
def edit(resource: str):
    found = _load(resource)
    form = ResourceForm()
    error = None
    if request.method == "GET":
        form.fill(ResourceSettings.of(found))
    elif form.validate_on_submit():
        done, error = map_pages.attempt(
            lambda: service.update_resource(mailcow(), found, form.settings()),
            url_for("resources.index"), _("Resource %(name)s saved.", name=found.name))
        if done is not None:
            return done
    return map_pages.form_page("resources/form.html", form, error, found,
                               item_name="resource")


@bp.route("/<resource>/delete", methods=["GET", "POST"])
@access.domain_admin("resources")
def delete(resource: str):
    found = _load(resource)
    return map_pages.delete_page(
        bp, "resources/delete.html", found, lambda: service.delete_resource(mailcow(), found),
        _("Resource %(name)s deleted.", name=found.name), item_name="resource",
        kinds=KIND_LABELS)


def _chosen_names(values: list[str]) -> list[str]:
    """The submitted names, once each whatever their case, in the order of their spelling;
    lowercased, as the resources are keyed."""
    return [n.lower() for n in sorted({n.lower(): n for n in values}.values())]


@bp.post("/bulk")
@access.domain_admin("resources")
def bulk():
    return map_pages.run_bulk(
        bp, keys=_chosen_names, field="names", actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one resource, then an action."),
        entries=lambda: service.visible(mailcow(), current_user),
        key_of=lambda r: r.name.lower(),
        confirm=lambda action, chosen, back: render_template(
            "resources/bulk_delete.html", chosen=chosen, back=back, kinds=KIND_LABELS)
        if action == "delete" else None,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        failed=lambda action, result, back: render_template(
            "resources/bulk_result.html", action=action, result=result, back=back),
        done=lambda n: {
            "activate": ngettext("%(num)s resource activated.",
                                 "%(num)s resources activated.", n),
            "deactivate": ngettext("%(num)s resource deactivated.",
                                   "%(num)s resources deactivated.", n),
            "delete": ngettext("%(num)s resource deleted.", "%(num)s resources deleted.", n)})
