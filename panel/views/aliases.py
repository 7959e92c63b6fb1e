"""The Aliases area: list with search, domain filter and paging; add, edit, delete;
enable/disable; bulk actions; expand over alias domains; CSV export."""
from __future__ import annotations

from datetime import datetime, timezone

from flask import (Blueprint, Response, abort, flash, redirect, render_template, request,
                   stream_with_context, url_for)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.aliases import AliasForm, ConfirmForm
from panel.htmx import after_change, is_htmx, toast
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.services import aliases as service
from panel.views.listing import page_request, state_args

bp = Blueprint("aliases", __name__, url_prefix="/aliases")

SORTABLE = tuple(service.SORT_KEYS)
BULK_LIMIT = 5000  # ids in one request; Mailcow takes them in one call


def _owning_domain(domain: str) -> str:
    """404 unless the user may act on `domain` (a domain, or an alias domain of theirs)."""
    scope = access.visible_domains(current_user)
    if scope is None or domain.lower() in scope:
        return domain
    try:
        target = mailcow().alias_domains.get(domain).target_domain
    except NotFound:
        abort(404)
    return access.require_domain(current_user, target)


def _load(alias_id: int):
    try:
        alias = mailcow().aliases.get(alias_id)
    except NotFound:
        abort(404)
    access.require_domain(current_user, alias.in_primary_domain or alias.domain)
    return alias


def _filter_domain() -> str | None:
    domain = request.args.get("domain", "").strip().lower() or None
    if domain:
        _owning_domain(domain)
    return domain


def _ids() -> list[int]:
    ids = []
    for value in request.values.getlist("ids")[:BULK_LIMIT]:
        try:
            ids.append(int(value))
        except ValueError:
            abort(404)
    return sorted(set(ids))


def _chosen(ids: list[int]):
    found = service.visible_by_id(mailcow(), current_user, ids)
    if found is None:
        abort(404)
    return found


def _back() -> str:
    """The list, in the state the bulk form was sent from."""
    target = request.form.get("back", "")
    return target if target.startswith("/aliases") and "//" not in target \
        else url_for("aliases.index")


@bp.get("")
@access.domain_admin("aliases")
def index():
    req = page_request(SORTABLE, "address")
    domain = _filter_domain()
    mc = mailcow()
    page = service.list_aliases(mc, current_user, req, domain)

    def table_state(r, **changes):
        return state_args(r, domain=domain, **changes)

    template = "aliases/_table.html" if is_htmx() else "aliases/index.html"
    domains = [] if is_htmx() else service.filter_domains(mc, current_user)
    return render_template(template, page=page, req=req, state_args=table_state,
                           domain=domain, domains=domains, back=request.full_path.rstrip("?"))


@bp.get("/export.csv")
@access.domain_admin("aliases")
def export():
    req = page_request(SORTABLE, "address")
    domain = _filter_domain()
    found = service.filtered(mailcow(), current_user, req, domain)
    stamp = datetime.now(timezone.utc).strftime("%Y%m%d-%H%M")
    name = f"aliases-{domain or 'all'}-{stamp}.csv"
    return Response(stream_with_context(service.export_rows(found)),
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("aliases")
def create():
    form = AliasForm()
    error = None
    if form.validate_on_submit():
        _owning_domain(form.domain)
        address = form.address.data
        try:
            service.create_alias(mailcow(), address, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("aliases.index", q=address),
                                _("Alias %(address)s added.", address=address))
    status = 422 if request.method == "POST" else 200
    return render_template("aliases/form.html", form=form, error=error, alias=None), status


@bp.route("/<int:alias_id>/edit", methods=["GET", "POST"])
@access.domain_admin("aliases")
def edit(alias_id: int):
    alias = _load(alias_id)
    form = AliasForm()
    error = None
    if request.method == "GET":
        form.fill(alias)
    elif form.validate_on_submit():
        if form.address.data != alias.address:
            _owning_domain(form.domain)
        try:
            service.update_alias(mailcow(), alias, form.settings(), form.address.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("aliases.index", q=form.address.data),
                                _("Alias %(address)s saved.", address=form.address.data))
    status = 422 if request.method == "POST" else 200
    return render_template("aliases/form.html", form=form, error=error, alias=alias), status


@bp.route("/<int:alias_id>/delete", methods=["GET", "POST"])
@access.domain_admin("aliases")
def delete(alias_id: int):
    alias = _load(alias_id)
    error = None
    if request.method == "POST":
        try:
            service.delete_alias(mailcow(), alias)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("aliases.index"),
                                _("Alias %(address)s deleted.", address=alias.address))
    status = 422 if error else 200
    return render_template("aliases/delete.html", alias=alias, error=error), status


@bp.post("/<int:alias_id>/active")
@access.domain_admin("aliases")
def set_active(alias_id: int):
    alias = _load(alias_id)
    active = request.form.get("active") == "1"
    try:
        service.set_active(mailcow(), alias, active)
    except MailcowRefused as exc:
        if not is_htmx():
            flash(exc.message, "error")
            return redirect(url_for("aliases.index"), code=303)
        response = current_row(alias)
        return toast(response, exc.message, "error")
    message = (_("Alias %(address)s enabled.", address=alias.address) if active
               else _("Alias %(address)s disabled.", address=alias.address))
    if not is_htmx():
        return after_change(url_for("aliases.index", q=alias.address), message)
    return toast(current_row(_load(alias_id)), message)


def current_row(alias) -> Response:
    return Response(render_template("aliases/_row.html", a=alias))


@bp.post("/bulk")
@access.domain_admin("aliases")
def bulk():
    ConfirmForm()  # CSRF is checked app-wide; the form keeps the pattern explicit
    action = request.form.get("action", "")
    ids = _ids()
    if not ids or action not in service.BULK_ACTIONS + ("expand",):
        flash(_("Select at least one alias, then an action."), "warning")
        return redirect(_back(), code=303)
    chosen = _chosen(ids)
    if action == "expand":
        return redirect(url_for("aliases.expand", ids=ids), code=303)
    if action == "delete" and request.form.get("confirm") != "1":
        return render_template("aliases/bulk_delete.html", aliases=chosen, back=_back())
    result = service.bulk(mailcow(), action, chosen)
    if result.failed:
        return render_template("aliases/bulk_result.html", action=action, result=result,
                               back=_back()), 200
    n = len(result.done)
    message = {
        "activate": ngettext("%(num)s alias enabled.", "%(num)s aliases enabled.", n),
        "deactivate": ngettext("%(num)s alias disabled.", "%(num)s aliases disabled.", n),
        "delete": ngettext("%(num)s alias deleted.", "%(num)s aliases deleted.", n),
    }[action]
    return after_change(_back(), message)


@bp.route("/expand", methods=["GET", "POST"])
@access.domain_admin("aliases")
def expand():
    ids = _ids()
    if not ids:
        return render_template("aliases/expand.html", aliases=[], offered=[], ids=[],
                               error=_("Select the aliases to expand in the list first.")), \
            422 if request.method == "POST" else 200
    mc = mailcow()
    chosen = [a for a in _chosen(ids) if not a.in_primary_domain]  # not already on one
    domains = {a.domain.lower() for a in chosen}
    offered = sorted((d for d in mc.alias_domains.all()
                      if d.target_domain.lower() in domains), key=lambda d: d.name)
    if request.method == "POST":
        ConfirmForm()
        wanted = set(request.form.getlist("alias_domains"))
        picked = [d for d in offered if d.name in wanted]
        if not picked or not chosen:
            return render_template("aliases/expand.html", aliases=chosen, offered=offered,
                                   ids=ids, error=_("Choose at least one alias domain.")), 422
        pairs = [(a, d.name) for a in chosen for d in picked
                 if d.target_domain.lower() == a.domain.lower()]
        results = service.expand(mc, pairs)
        return render_template("aliases/expand_result.html", results=results)
    return render_template("aliases/expand.html", aliases=chosen, offered=offered, ids=ids,
                           error=None)
