"""The outgoing TLS policy maps area: per-destination overrides of Postfix's TLS rules;
list, add, edit, delete, bulk. Global administrators only, as in Mailcow."""
from __future__ import annotations

from flask import Blueprint, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from panel import access
from panel.forms.tls_policy import KNOWN_PARAMETERS, POLICY_HINTS, TlsPolicyForm
from panel.mailcow import mailcow
from panel.mailcow.tls_policy import TlsPolicySettings
from panel.services import tls_policy as service
from panel.views import map_pages
from panel.views.listing import page_request

bp = Blueprint("tls_policy", __name__, url_prefix="/tls-policy")

SORTABLE = tuple(service.SORT_KEYS)


def _load(map_id: int):
    return map_pages.found_or_404(service.find(mailcow(), map_id))


def _label(m) -> str:
    return f"{m.dest}: {m.policy}" + (f" ({m.parameters})" if m.parameters else "")


def _form_page(form, error, item):
    return map_pages.form_page("tls_policy/form.html", form, error, item,
                               policies=POLICY_HINTS, known=KNOWN_PARAMETERS)


@bp.get("")
@access.global_admin
def index():
    req = page_request(SORTABLE, "dest")
    return map_pages.list_page("tls_policy", service.list_maps(mailcow(), req), req,
                               policies=POLICY_HINTS)


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = TlsPolicyForm()
    error = None
    if form.validate_on_submit():
        settings = form.settings()
        done, error = map_pages.attempt(
            lambda: service.create_map(mailcow(), settings),
            url_for("tls_policy.index", q=settings.dest),
            _("TLS policy for %(dest)s added.", dest=settings.dest))
        if done is not None:
            return done
    return _form_page(form, error, None)


@bp.route("/<int:map_id>/edit", methods=["GET", "POST"])
@access.global_admin
def edit(map_id: int):
    found = _load(map_id)
    form = TlsPolicyForm()
    error = None
    if request.method == "GET":
        form.fill(TlsPolicySettings.of(found))
    elif form.validate_on_submit():
        done, error = map_pages.attempt(
            lambda: service.update_map(mailcow(), found, form.settings()),
            url_for("tls_policy.index"), _("TLS policy for %(dest)s saved.", dest=form.dest.data))
        if done is not None:
            return done
    return _form_page(form, error, found)


@bp.route("/<int:map_id>/delete", methods=["GET", "POST"])
@access.global_admin
def delete(map_id: int):
    found = _load(map_id)
    return map_pages.delete_page(
        bp, "tls_policy/delete.html", found, lambda: service.delete_map(mailcow(), found),
        _("TLS policy for %(dest)s deleted.", dest=found.dest))


@bp.post("/bulk")
@access.global_admin
def bulk():
    return map_pages.bulk_action(
        bp, field="ids", key=int, actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one TLS policy map, then an action."),
        entries=lambda: mailcow().tls_policy.all(), key_of=lambda m: m.id,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        area=_("TLS policy maps"), label=_label,
        titles=lambda n: {
            "activate": ngettext("Activate %(num)s TLS policy map?",
                                 "Activate %(num)s TLS policy maps?", n),
            "deactivate": ngettext("Deactivate %(num)s TLS policy map?",
                                   "Deactivate %(num)s TLS policy maps?", n),
            "delete": ngettext("Delete %(num)s TLS policy map?",
                               "Delete %(num)s TLS policy maps?", n)},
        explains=lambda: {
            "activate": _("Postfix applies these policies to the destinations again."),
            "deactivate": _("Mail to these destinations falls back to the default "
                            "TLS rules while a map is inactive; the map is kept."),
            "delete": _("Mail to these destinations falls back to the default TLS "
                        "rules and the maps are removed. This cannot be "
                        "undone.")},
        done=lambda n: {
            "activate": ngettext("%(num)s TLS policy map activated.",
                                 "%(num)s TLS policy maps activated.", n),
            "deactivate": ngettext("%(num)s TLS policy map deactivated.",
                                   "%(num)s TLS policy maps deactivated.", n),
            "delete": ngettext("%(num)s TLS policy map deleted.",
                               "%(num)s TLS policy maps deleted.", n)})
