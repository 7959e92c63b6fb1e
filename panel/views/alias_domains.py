"""The Domain aliases area: alias domain -> target domain; add, enable/disable, delete, bulk."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.alias_domains import AliasDomainEditForm, AliasDomainForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.services import alias_domains as service
from panel.views.listing import page_request, state_args

bp = Blueprint("alias_domains", __name__, url_prefix="/alias-domains")

SORTABLE = tuple(service.SORT_KEYS)


def _load(alias_domain: str):
    try:
        found = mailcow().alias_domains.get(alias_domain)
    except NotFound:
        abort(404)
    access.require_domain(current_user, found.target_domain)
    return found


def _target_choices() -> list[str]:
    scope = access.visible_domains(current_user)
    return sorted(scope) if scope is not None else mailcow().domains.names()


@bp.get("")
@access.domain_admin("alias_domains")
def index():
    req = page_request(SORTABLE, "alias_domain")
    page = service.list_alias_domains(mailcow(), current_user, req)
    template = "alias_domains/_table.html" if is_htmx() else "alias_domains/index.html"
    return render_template(template, page=page, req=req, state_args=state_args,
                           back=request.full_path.rstrip("?"))


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("alias_domains")
def create():
    form = AliasDomainForm()
    if request.method == "POST" and request.form.get("target_domain"):
        access.require_domain(current_user, request.form["target_domain"].strip().lower())
    form.target_domain.choices = [(d, d) for d in _target_choices()]
    error = None
    if form.validate_on_submit():
        name, target = form.alias_domain.data, form.target_domain.data
        try:
            service.create_alias_domain(mailcow(), name, target, form.active.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("alias_domains.index", q=name),
                                _("Alias domain %(name)s added.", name=name))
    status = 422 if request.method == "POST" else 200
    return render_template("alias_domains/form.html", form=form, error=error,
                           alias_domain=None), status


@bp.route("/<alias_domain>/edit", methods=["GET", "POST"])
@access.domain_admin("alias_domains")
def edit(alias_domain: str):
    found = _load(alias_domain)
    form = AliasDomainEditForm()
    error = None
    if request.method == "GET":
        form.active.data = found.active
    elif form.validate_on_submit():
        try:
            service.set_active(mailcow(), found, form.active.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("alias_domains.index"),
                                _("Alias domain %(name)s saved.", name=found.name))
    status = 422 if request.method == "POST" else 200
    return render_template("alias_domains/form.html", form=form, error=error,
                           alias_domain=found), status


@bp.route("/<alias_domain>/delete", methods=["GET", "POST"])
@access.domain_admin("alias_domains")
def delete(alias_domain: str):
    found = _load(alias_domain)
    error = None
    if request.method == "POST":
        try:
            service.delete_alias_domain(mailcow(), found)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("alias_domains.index"),
                                _("Alias domain %(name)s deleted.", name=found.name))
    status = 422 if error else 200
    return render_template("alias_domains/delete.html", alias_domain=found,
                           error=error), status


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/alias-domains") and "//" not in target \
        else url_for("alias_domains.index")


@bp.post("/bulk")
@access.domain_admin("alias_domains")
def bulk():
    action = request.form.get("action", "")
    names = sorted(set(request.form.getlist("names")))
    if not names or action not in service.BULK_ACTIONS:
        flash(_("Select at least one alias domain, then an action."), "warning")
        return redirect(_back(), code=303)
    mine = {d.name: d for d in service.visible(mailcow(), current_user)}
    if any(n not in mine for n in names):
        abort(404)
    chosen = [mine[n] for n in names]
    if action == "delete" and request.form.get("confirm") != "1":
        return render_template("alias_domains/bulk_delete.html", chosen=chosen, back=_back())
    result = service.bulk(mailcow(), action, chosen)
    if result.failed:
        return render_template("alias_domains/bulk_result.html", action=action, result=result,
                               back=_back())
    n = len(result.done)
    message = {
        "activate": ngettext("%(num)s alias domain enabled.", "%(num)s alias domains enabled.", n),
        "deactivate": ngettext("%(num)s alias domain disabled.",
                               "%(num)s alias domains disabled.", n),
        "delete": ngettext("%(num)s alias domain deleted.", "%(num)s alias domains deleted.", n),
    }[action]
    return after_change(_back(), message)
