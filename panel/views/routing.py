"""The Routing area (global administrators): sender-dependent transports and transport maps."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _

from panel import access
from panel.forms.routing import RelayhostForm, TransportForm, edit_form
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.services import routing as service
from panel.views.listing import page_request, state_args

bp = Blueprint("routing", __name__, url_prefix="/routing")


# -- sender-dependent transports -------------------------------------------------------

@bp.get("")
@access.global_admin
def index():
    req = page_request(tuple(service.RELAYHOST_SORT), "id")
    page = service.list_relayhosts(mailcow(), req)
    template = "routing/_relayhosts.html" if is_htmx() else "routing/relayhosts.html"
    return render_template(template, page=page, req=req, state_args=state_args)


def _relayhost(relayhost_id: int):
    try:
        return mailcow().relayhosts.get(relayhost_id)
    except NotFound:
        abort(404)


@bp.route("/relayhosts/new", methods=["GET", "POST"])
@access.global_admin
def relayhost_create():
    form = RelayhostForm()
    error = None
    if form.validate_on_submit():
        settings = form.settings()
        try:
            service.create_relayhost(mailcow(), settings)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("routing.index"),
                                _("Sender-dependent transport %(host)s added.",
                                  host=settings.hostname))
    status = 422 if request.method == "POST" else 200
    return render_template("routing/relayhost_form.html", form=form, error=error,
                           relayhost=None), status


@bp.route("/relayhosts/<int:relayhost_id>/edit", methods=["GET", "POST"])
@access.global_admin
def relayhost_edit(relayhost_id: int):
    found = _relayhost(relayhost_id)
    form = edit_form(RelayhostForm)
    error = None
    if request.method == "GET":
        form.hostname.data, form.username.data = found.hostname, found.username
        form.active.data = found.active
    elif form.validate_on_submit():
        try:
            service.update_relayhost(mailcow(), found, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("routing.index"),
                                _("Sender-dependent transport %(host)s saved.",
                                  host=form.hostname.data))
    status = 422 if request.method == "POST" else 200
    return render_template("routing/relayhost_form.html", form=form, error=error,
                           relayhost=found), status


@bp.route("/relayhosts/<int:relayhost_id>/delete", methods=["GET", "POST"])
@access.global_admin
def relayhost_delete(relayhost_id: int):
    found = _relayhost(relayhost_id)
    error = None
    status = 200
    if request.method == "POST":
        if found.in_use and request.form.get("confirm_in_use") != "1":
            error = _("This transport is in use. Tick the box to confirm that its users "
                      "should lose it.")
            status = 422
        else:
            try:
                service.delete_relayhost(mailcow(), found)
            except MailcowRefused as exc:
                error, status = exc.message, 422
            else:
                return after_change(url_for("routing.index"),
                                    _("Sender-dependent transport %(host)s deleted.",
                                      host=found.hostname))
    return render_template("routing/relayhost_delete.html", relayhost=found,
                           error=error), status


# -- transport maps --------------------------------------------------------------------

@bp.get("/transports")
@access.global_admin
def transports():
    req = page_request(tuple(service.TRANSPORT_SORT), "id")
    page = service.list_transports(mailcow(), req)
    template = "routing/_transports.html" if is_htmx() else "routing/transports.html"
    return render_template(template, page=page, req=req, state_args=state_args)


def _transport(transport_id: int):
    try:
        return mailcow().transports.get(transport_id)
    except NotFound:
        abort(404)


@bp.route("/transports/new", methods=["GET", "POST"])
@access.global_admin
def transport_create():
    form = TransportForm()
    error = None
    if form.validate_on_submit():
        settings = form.settings()
        try:
            service.create_transport(mailcow(), settings)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("routing.transports"),
                                _("Transport for %(destination)s added.",
                                  destination=settings.destination))
    status = 422 if request.method == "POST" else 200
    return render_template("routing/transport_form.html", form=form, error=error,
                           transport=None, sharing=[]), status


@bp.route("/transports/<int:transport_id>/edit", methods=["GET", "POST"])
@access.global_admin
def transport_edit(transport_id: int):
    found = _transport(transport_id)
    form = edit_form(TransportForm)
    error = None
    if request.method == "GET":
        form.destination.data, form.nexthop.data = found.destination, found.nexthop
        form.username.data, form.is_mx_based.data = found.username, found.is_mx_based
        form.active.data = found.active
    elif form.validate_on_submit():
        try:
            service.update_transport(mailcow(), found, form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("routing.transports"),
                                _("Transport for %(destination)s saved.",
                                  destination=form.destination.data))
    status = 422 if request.method == "POST" else 200
    sharing = service.shared_next_hop(mailcow(), found.nexthop, except_id=found.id)
    return render_template("routing/transport_form.html", form=form, error=error,
                           transport=found, sharing=sharing), status


@bp.route("/transports/<int:transport_id>/delete", methods=["GET", "POST"])
@access.global_admin
def transport_delete(transport_id: int):
    found = _transport(transport_id)
    error = None
    if request.method == "POST":
        try:
            service.delete_transport(mailcow(), found)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("routing.transports"),
                                _("Transport for %(destination)s deleted.",
                                  destination=found.destination))
    return render_template("routing/transport_delete.html", transport=found,
                           error=error), 422 if error else 200
