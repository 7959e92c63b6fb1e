"""The Domains area: list with search, sort and paging; add, edit, delete; DNS records."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from panel.services import routing as routing_service

from panel import access
from panel.dns.records import expected_records
from panel.forms.domains import DomainAddForm, DomainEditForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.domains import DomainSettings
from panel.services import domains as service
from panel.views.listing import page_request, state_args

bp = Blueprint("domains", __name__, url_prefix="/domains")

SORTABLE = tuple(service.SORT_KEYS)


def _load(name: str):
    access.require_domain(current_user, name)
    try:
        return mailcow().domains.get(name)
    except NotFound:
        abort(404)


@bp.get("")
@access.domain_admin()
def index():
    req = page_request(SORTABLE, "domain")
    page = service.list_domains(mailcow(), current_user, req)
    template = "domains/_table.html" if is_htmx() else "domains/index.html"
    return render_template(template, page=page, req=req, state_args=state_args)


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = DomainAddForm()
    error = None
    if form.validate_on_submit():
        name = form.domain.data
        try:
            outcome = service.create_domain(mailcow(), name, form.settings(),
                                            form.dkim_selector.data,
                                            int(form.dkim_key_size.data))
        except MailcowRefused as exc:
            error = exc.message
        else:
            message = _("Domain %(name)s added.", name=name)
            if outcome.warnings:
                message += " " + " ".join(outcome.warnings)
            return after_change(url_for("domains.detail", name=name, added=1), message)
    status = 422 if request.method == "POST" else 200
    return render_template("domains/form.html", form=form, error=error, domain=None), status


@bp.get("/<name>")
@access.domain_admin()
def detail(name: str):
    domain = _load(name)
    dkim = mailcow().dkim.get(domain.name)
    settings = current_app.extensions["settings"]
    records = expected_records(domain.name, settings.mail_hostname, dkim)
    return render_template("domains/detail.html", domain=domain, dkim=dkim, records=records,
                           just_added=request.args.get("added") == "1")


def relayhost_choices(current: int) -> list[SelectChoice]:
    """The default route, then every sender-dependent transport (see Routing)."""
    return [SelectChoice(i, label) for i, label in
            routing_service.relayhost_choices(mailcow(), current)]


@bp.route("/<name>/edit", methods=["GET", "POST"])
@access.global_admin
def edit(name: str):
    domain = _load(name)
    form = DomainEditForm()
    form.relayhost.choices = relayhost_choices(domain.relayhost)
    error = None
    if request.method == "GET":
        form.fill(DomainSettings.of(domain))
    elif form.validate_on_submit():
        try:
            service.update_domain(mailcow(), domain, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("domains.detail", name=name),
                                _("Domain %(name)s saved.", name=name))
    status = 422 if request.method == "POST" else 200
    return render_template("domains/form.html", form=form, error=error, domain=domain), status


@bp.route("/<name>/delete", methods=["GET", "POST"])
@access.global_admin
def delete(name: str):
    domain = _load(name)
    error = None
    if request.method == "POST":
        try:
            service.delete_domain(mailcow(), domain.name)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("domains.index"), _("Domain %(name)s deleted.", name=name))
    status = 422 if error else 200
    return render_template("domains/delete.html", domain=domain, error=error), status
