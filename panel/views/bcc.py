"""The BCC maps area: silent copies of a domain's or address's mail; list, add, edit,
delete, bulk. Domain administrators with the bcc_maps permission manage their domains'."""
from __future__ import annotations

from flask import Blueprint, abort, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.bcc import TYPE_LABELS, BccAddForm, BccEditForm
from panel.mailcow import mailcow
from panel.mailcow.bcc import BccSettings
from panel.services import bcc as service
from panel.views import map_pages
from panel.views.domain_scope import domain_choices
from panel.views.listing import page_request

bp = Blueprint("bcc", __name__, url_prefix="/bcc")

SORTABLE = tuple(service.SORT_KEYS)


def _load(bcc_id: int):
    found = service.find(mailcow(), current_user, bcc_id)
    if found is None:
        abort(404)
    access.require_domain(current_user, found.domain)
    return found


@bp.get("")
@access.domain_admin("bcc_maps")
def index():
    req = page_request(SORTABLE, "local")
    return map_pages.list_page("bcc", service.list_maps(mailcow(), current_user, req), req,
                               types=TYPE_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin("bcc_maps")
def create():
    form = BccAddForm()
    form.local_dest.render_kw = {"list": "bcc-domains", "autocomplete": "off"}
    error = None
    if form.validate_on_submit():
        access.require_domain(current_user, service.local_domain(form.local_dest.data))
        settings = form.settings()
        # Mailcow's access_denied answers a destination it does not know: it belongs beside
        # the field, not in a banner.
        done, error = map_pages.attempt(
            lambda: service.create_map(mailcow(), settings),
            url_for("bcc.index", q=settings.local_dest),
            _("BCC map for %(dest)s added.", dest=settings.local_dest),
            beside=form.local_dest, beside_keys=("access_denied",))
        if done is not None:
            return done
    elif request.method == "GET" and request.args.get("local_dest"):
        form.local_dest.data = request.args["local_dest"].strip().lower()
    return map_pages.form_page("bcc/form.html", form, error, None, domains=domain_choices())


@bp.route("/<int:bcc_id>/edit", methods=["GET", "POST"])
@access.domain_admin("bcc_maps")
def edit(bcc_id: int):
    found = _load(bcc_id)
    form = BccEditForm()
    error = None
    if request.method == "GET":
        form.fill(BccSettings.of(found))
    elif form.validate_on_submit():
        done, error = map_pages.attempt(
            lambda: service.update_map(mailcow(), found, form.settings(found.local_display)),
            url_for("bcc.index"), _("BCC map for %(dest)s saved.", dest=found.local_display))
        if done is not None:
            return done
    return map_pages.form_page("bcc/form.html", form, error, found, domains=[])


@bp.route("/<int:bcc_id>/delete", methods=["GET", "POST"])
@access.domain_admin("bcc_maps")
def delete(bcc_id: int):
    found = _load(bcc_id)
    return map_pages.delete_page(
        bp, "bcc/delete.html", found, lambda: service.delete_map(mailcow(), found),
        _("BCC map for %(dest)s deleted.", dest=found.local_display), types=TYPE_LABELS)


def _label(m) -> str:
    return f"{m.local_display} → {m.bcc_dest}"


def _confirm_label(m) -> str:
    return f"{_label(m)} ({TYPE_LABELS[m.type]})" if m.type in TYPE_LABELS else _label(m)


@bp.post("/bulk")
@access.domain_admin("bcc_maps")
def bulk():
    return map_pages.bulk_action(
        bp, field="ids", key=int, actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one BCC map, then an action."),
        entries=lambda: service.visible(mailcow(), current_user), key_of=lambda m: m.id,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        area=_("BCC maps"), label=_label, confirm_label=_confirm_label,
        titles=lambda n: {
            "activate": ngettext("Activate %(num)s BCC map?", "Activate %(num)s BCC maps?", n),
            "deactivate": ngettext("Deactivate %(num)s BCC map?",
                                   "Deactivate %(num)s BCC maps?", n),
            "delete": ngettext("Delete %(num)s BCC map?", "Delete %(num)s BCC maps?", n)},
        explains=lambda: {
            "activate": _("Copies are sent again from now on."),
            "deactivate": _("No copies are sent while a map is inactive; the map "
                            "itself is kept."),
            "delete": _("Copies stop at once and the maps are removed. This cannot "
                        "be undone.")},
        done=lambda n: {
            "activate": ngettext("%(num)s BCC map activated.", "%(num)s BCC maps activated.", n),
            "deactivate": ngettext("%(num)s BCC map deactivated.",
                                   "%(num)s BCC maps deactivated.", n),
            "delete": ngettext("%(num)s BCC map deleted.", "%(num)s BCC maps deleted.", n)})
