"""The Filters area: mailboxes' sieve prefilters and postfilters, and the global filters."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.filters import FilterAddForm, FilterForm, GlobalFilterForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.filters import FILTER_TYPES, FilterSettings, sieve_error
from panel.services import filters as service
from panel.views import map_pages
from panel.views.domain_scope import domain_choices, domain_filter, filtered_state_args, \
    owner_exists, prefill_owner
from panel.views.listing import page_request

bp = Blueprint("filters", __name__, url_prefix="/filters")

SORTABLE = tuple(service.SORT_KEYS)


def _load(filter_id: int):
    try:
        found = mailcow().filters.get(filter_id)
    except NotFound:
        abort(404)
    access.require_domain(current_user, found.domain)
    return found


def _refused(form, exc: MailcowRefused) -> str | None:
    """A parse error goes beside the editor; anything else is the banner's."""
    message = sieve_error(exc)
    if message:
        form.script.errors = [*form.script.errors, message]
        return None
    return exc.message


def _displaced_note(displaced) -> str:
    if not displaced:
        return ""
    return " " + ngettext("%(names)s is now inactive.", "%(names)s are now inactive.",
                          len(displaced), names=", ".join(f"“{f.description}”"
                                                          for f in displaced))


def _render_form(form, item, error):
    return map_pages.form_page("filters/form.html", form, error, item,
                               presets=service.PRESETS, type_labels=service.TYPE_LABELS)


@bp.get("")
@access.domain_admin("filters")
def index():
    req = page_request(SORTABLE, "owner")
    domain = domain_filter()
    filter_type = request.args.get("type", "")
    filter_type = filter_type if filter_type in FILTER_TYPES else ""
    page = service.list_filters(mailcow(), current_user, req, domain, filter_type)
    return map_pages.list_page(
        "filters", page, req, state_args=filtered_state_args(domain=domain, type=filter_type),
        domain=domain, domains=domain_choices(), filter_type=filter_type,
        type_labels=service.TYPE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("filters")
def create():
    form = FilterAddForm()
    if request.method == "GET":
        prefill_owner(form.username, "username")
        if request.args.get("type") in FILTER_TYPES:
            form.filter_type.data = request.args["type"]
    error = None
    if form.validate_on_submit():
        username = form.username.data
        if owner_exists(form.username):
            try:
                displaced = service.create_filter(mailcow(), username, form.settings())
            except MailcowRefused as exc:
                error = _refused(form, exc)
            else:
                return after_change(url_for("filters.index", q=username),
                                    _("Filter for %(name)s added.", name=username)
                                    + _displaced_note(displaced))
    return _render_form(form, None, error)


@bp.route("/<int:filter_id>/edit", methods=["GET", "POST"])
@access.domain_admin("filters")
def edit(filter_id: int):
    item = _load(filter_id)
    form = FilterForm()
    error = None
    if request.method == "GET":
        form.fill(FilterSettings.of(item))
    elif form.validate_on_submit():
        try:
            displaced = service.update_filter(mailcow(), item, form.settings())
        except MailcowRefused as exc:
            error = _refused(form, exc)
        else:
            return after_change(url_for("filters.index", q=item.username),
                                _("Filter “%(name)s” saved.", name=form.description.data)
                                + _displaced_note(displaced))
    return _render_form(form, item, error)


@bp.route("/<int:filter_id>/delete", methods=["GET", "POST"])
@access.domain_admin("filters")
def delete(filter_id: int):
    item = _load(filter_id)
    return map_pages.delete_page(
        bp, "filters/delete.html", item, lambda: service.delete_filter(mailcow(), item),
        _("Filter “%(name)s” deleted.", name=item.description),
        type_labels=service.TYPE_LABELS)


@bp.post("/bulk")
@access.domain_admin("filters")
def bulk():
    return map_pages.run_bulk(
        bp, keys=lambda values: sorted({int(i) for i in values}), field="ids",
        actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one filter, then an action."),
        entries=lambda: service.visible(mailcow(), current_user), key_of=lambda f: f.id,
        confirm=lambda action, chosen, back: render_template(
            "filters/bulk_delete.html", chosen=chosen, back=back,
            type_labels=service.TYPE_LABELS) if action == "delete" else None,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        failed=lambda action, result, back: render_template(
            "filters/bulk_result.html", result=result, back=back),
        done=lambda n: {
            "deactivate": ngettext("%(num)s filter deactivated.",
                                   "%(num)s filters deactivated.", n),
            "delete": ngettext("%(num)s filter deleted.", "%(num)s filters deleted.", n)})


@bp.get("/global")
@access.global_admin
def global_filters():
    current = mailcow().filters.global_filters()
    forms = {}
    for filter_type in FILTER_TYPES:
        form = GlobalFilterForm(prefix=filter_type)
        form.script.data = current.of_type(filter_type) or ""
        forms[filter_type] = form
    return render_template("filters/global.html", forms=forms, current=current, error=None,
                           saved=None, presets=service.PRESETS)


@bp.post("/global/<filter_type>")
@access.global_admin
def save_global(filter_type: str):
    if filter_type not in FILTER_TYPES:
        abort(404)
    current = mailcow().filters.global_filters()
    forms = {}
    for kind in FILTER_TYPES:
        form = GlobalFilterForm(prefix=kind)
        if kind != filter_type:
            form.script.data = current.of_type(kind) or ""
        forms[kind] = form
    form = forms[filter_type]
    error = None
    if form.validate_on_submit():
        try:
            outcome = service.save_global(mailcow(), filter_type, form.script.data or "")
        except MailcowRefused as exc:
            error = _refused(form, exc)
        else:
            label = str(service.TYPE_LABELS[filter_type]).lower()
            message = _("Global %(type)s saved.", type=label)
            if outcome.warnings:
                message += " " + " ".join(outcome.warnings)
            return after_change(url_for("filters.global_filters"), message)
    return render_template("filters/global.html", forms=forms, current=current, error=error,
                           saved=filter_type, presets=service.PRESETS), 422
