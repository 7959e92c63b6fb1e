"""The ARC/DKIM keys page (global administrators): keys per domain, generate, import,
duplicate, delete. Mailcow lets only its admins import, duplicate and delete keys."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from wtforms.fields.choices import SelectChoice

from panel import access
from panel.forms.dkim import DkimDuplicateForm, DkimGenerateForm, DkimImportForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, mailcow
from panel.services import dkim as service
from panel.views import map_pages
from panel.views.listing import page_request, state_args

bp = Blueprint("dkim", __name__, url_prefix="/dkim")


@bp.get("")
@access.global_admin
def index():
    req = page_request(("domain",), "domain")
    page = service.list_keys(mailcow(), req)
    template = "dkim/_table.html" if is_htmx() else "dkim/index.html"
    return render_template(template, page=page, req=req, state_args=state_args)


def _domains() -> dict[str, str]:
    return service.names(mailcow())


def _known(domain: str) -> str:
    domain = domain.strip().lower()
    if domain not in _domains():
        abort(404)
    return domain


def _key(domain: str):
    key = mailcow().dkim.get(_known(domain))
    if key is None:
        abort(404)
    return key


def _offer_domains(form) -> None:
    """The domain field offers every domain; a GET's `domain` query arg picks one."""
    form.domain.choices = [SelectChoice(d, d) for d in sorted(_domains())]
    if request.method == "GET" and request.args.get("domain"):
        form.domain.data = request.args["domain"]


def _key_in_the_way(form, domain: str):
    """The key `domain` already has (None if none), and whether it is in the way: there
    is one and the form's "replace" box is not ticked, which that box then says."""
    existing = mailcow().dkim.get(domain)
    if existing is not None and not form.overwrite.data:
        form.overwrite.errors = [_("%(domain)s already has a key (selector %(selector)s). "
                                   "Tick this to replace it.", domain=domain,
                                   selector=existing.selector)]
        return existing, True
    return existing, False


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = DkimGenerateForm()
    _offer_domains(form)
    error = None
    if form.validate_on_submit():
        domain = form.domain.data
        try:
            service.generate(mailcow(), domain, form.selector.data, int(form.key_size.data))
        except MailcowRefused as exc:
            error = exc.message
            if mailcow().dkim.get(domain) is not None:
                error = _("%(domain)s already has a DKIM key. Delete it first, or import a "
                          "key with “replace” ticked.", domain=domain)
        else:
            return after_change(url_for("dkim.index", q=domain),
                                _("DKIM key for %(domain)s created.", domain=domain))
    status = 422 if request.method == "POST" else 200
    return render_template("dkim/generate.html", form=form, error=error), status


@bp.route("/import", methods=["GET", "POST"])
@access.global_admin
def import_key():
    form = DkimImportForm()
    _offer_domains(form)
    error = None
    if form.validate_on_submit():
        domain = form.domain.data
        _existing, in_the_way = _key_in_the_way(form, domain)
        if not in_the_way:
            try:
                service.import_key(mailcow(), domain, form.selector.data, form.pem(),
                                   form.bits, bool(form.overwrite.data))
            except MailcowRefused as exc:
                error = exc.message
            else:
                form.forget_key()
                return after_change(url_for("dkim.index", q=domain),
                                    _("DKIM key for %(domain)s imported.", domain=domain))
    form.forget_key()
    status = 422 if request.method == "POST" else 200
    return render_template("dkim/import.html", form=form, error=error), status


@bp.route("/<domain>/duplicate", methods=["GET", "POST"])
@access.global_admin
def duplicate(domain: str):
    source = _key(domain)
    form = DkimDuplicateForm()
    form.to_domain.choices = [SelectChoice(d, d) for d in sorted(_domains())
                              if d != source.domain]
    error = None
    if form.validate_on_submit():
        target = form.to_domain.data
        replaced, in_the_way = _key_in_the_way(form, target)
        if not in_the_way:
            try:
                service.duplicate(mailcow(), source, target, replaced)
            except MailcowRefused as exc:
                error = exc.message
            else:
                return after_change(url_for("dkim.index", q=target),
                                    _("DKIM key of %(source)s copied to %(target)s.",
                                      source=source.domain, target=target))
    status = 422 if request.method == "POST" else 200
    return render_template("dkim/duplicate.html", form=form, key=source, error=error), status


@bp.route("/<domain>/delete", methods=["GET", "POST"])
@access.global_admin
def delete(domain: str):
    key = _key(domain)
    return map_pages.delete_page(
        bp, "dkim/delete.html", key, lambda: service.delete(mailcow(), key),
        _("DKIM key for %(domain)s deleted.", domain=key.domain), item_name="key")
