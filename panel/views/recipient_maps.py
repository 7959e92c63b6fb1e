"""The recipient maps area: rewrite a recipient address (or a whole domain's) before
delivery; list, add, edit, delete, bulk.

Global administrators only, as in Mailcow: its recipient_map() refuses every role but
admin, whatever a domain administrator's ACL says, because a map can redirect mail of
any domain on the server (the original recipient is not tied to a domain one manages).
"""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from panel import access
from panel.forms.recipient_maps import RecipientMapForm
from panel.mailcow import mailcow
from panel.mailcow.recipient_maps import RecipientMapSettings
from panel.services import recipient_maps as service
from panel.views import map_pages
from panel.views.listing import page_request

bp = Blueprint("recipient_maps", __name__, url_prefix="/recipient-maps")

SORTABLE = tuple(service.SORT_KEYS)


def _load(map_id: int):
    return map_pages.found_or_404(service.find(mailcow(), map_id))


def _label(m) -> str:
    return f"{m.old_display} → {m.new}"


@bp.get("")
@access.global_admin
def index():
    req = page_request(SORTABLE, "old")
    return map_pages.list_page("recipient_maps", service.list_maps(mailcow(), req), req)


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = RecipientMapForm()
    error = None
    if form.validate_on_submit():
        settings = form.settings()
        done, error = map_pages.attempt(
            lambda: service.create_map(mailcow(), settings),
            url_for("recipient_maps.index", q=settings.old),
            _("Recipient map for %(old)s added.", old=settings.old))
        if done is not None:
            return done
    return map_pages.form_page("recipient_maps/form.html", form, error, None)


@bp.route("/<int:map_id>/edit", methods=["GET", "POST"])
@access.global_admin
def edit(map_id: int):
    found = _load(map_id)
    form = RecipientMapForm()
    error = None
    if request.method == "GET":
        form.fill(RecipientMapSettings.of(found))
    elif form.validate_on_submit():
        done, error = map_pages.attempt(
            lambda: service.update_map(mailcow(), found, form.settings()),
            url_for("recipient_maps.index"),
            _("Recipient map for %(old)s saved.", old=form.old.data))
        if done is not None:
            return done
    return map_pages.form_page("recipient_maps/form.html", form, error, found)


@bp.route("/<int:map_id>/delete", methods=["GET", "POST"])
@access.global_admin
def delete(map_id: int):
    found = _load(map_id)
    return map_pages.delete_page(
        bp, "recipient_maps/delete.html", found, lambda: service.delete_map(mailcow(), found),
        _("Recipient map for %(old)s deleted.", old=found.old_display))


@bp.post("/bulk")
@access.global_admin
def bulk():
    return map_pages.bulk_action(
        bp, field="ids", key=int, actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one recipient map, then an action."),
        entries=lambda: mailcow().recipient_maps.all(), key_of=lambda m: m.id,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        area=_("Recipient maps"), label=_label,
        titles=lambda n: {
            "activate": ngettext("Activate %(num)s recipient map?",
                                 "Activate %(num)s recipient maps?", n),
            "deactivate": ngettext("Deactivate %(num)s recipient map?",
                                   "Deactivate %(num)s recipient maps?", n),
            "delete": ngettext("Delete %(num)s recipient map?",
                               "Delete %(num)s recipient maps?", n)},
        explains=lambda: {
            "activate": _("Mail for the original recipients is rewritten again."),
            "deactivate": _("Mail goes to the original recipients again while a map "
                            "is inactive; the map itself is kept."),
            "delete": _("Mail goes to the original recipients again and the maps are "
                        "removed. This cannot be undone.")},
        done=lambda n: {
            "activate": ngettext("%(num)s recipient map activated.",
                                 "%(num)s recipient maps activated.", n),
            "deactivate": ngettext("%(num)s recipient map deactivated.",
                                   "%(num)s recipient maps deactivated.", n),
            "delete": ngettext("%(num)s recipient map deleted.",
                               "%(num)s recipient maps deleted.", n)})
