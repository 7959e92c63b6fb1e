"""The forwarding hosts area: servers whose forwarded mail is always accepted; list, add
(address, network or name), spam filter on/off, delete, bulk. Global administrators only,
as in Mailcow. Entries have no ids: the address or network itself names one, so it
travels in the form or query string (it may hold "/" and ":")."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext

from panel import access
from panel.forms.fwdhosts import ForwardingHostForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, mailcow
from panel.services import fwdhosts as service
from panel.views import map_pages
from panel.views.listing import page_request

bp = Blueprint("fwdhosts", __name__, url_prefix="/forwarding-hosts")

SORTABLE = tuple(service.SORT_KEYS)


def _load(host: str):
    found = service.find(mailcow(), (host or "").strip()) if host else None
    if found is None:
        abort(404)
    return found


def _back() -> str:
    return map_pages.back_url(bp)


def _label(h) -> str:
    return h.host if not h.resolved else f"{h.host} ({h.source.strip()})"


@bp.get("")
@access.global_admin
def index():
    req = page_request(SORTABLE, "host")
    return map_pages.list_page("fwdhosts", service.list_hosts(mailcow(), req), req)


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = ForwardingHostForm()
    error = None
    if form.validate_on_submit():
        try:
            added = service.add_host(mailcow(), form.hostname.data, form.spam_filter.data)
        except MailcowRefused as exc:
            if "invalid_host" in exc.keys:
                form.hostname.errors = [*form.hostname.errors, exc.message]
            else:
                error = exc.message
        else:
            return after_change(url_for("fwdhosts.index"),
                                ngettext("Forwarding host added: %(hosts)s.",
                                         "%(num)s forwarding hosts added: %(hosts)s.",
                                         len(added), hosts=", ".join(added)))
    status = 422 if request.method == "POST" else 200
    return render_template("fwdhosts/form.html", form=form, error=error), status


@bp.post("/spam-filter")
@access.global_admin
def spam_filter():
    found = _load(request.form.get("host", ""))
    wanted = request.form.get("spam_filter") == "1"
    service.set_spam_filter(mailcow(), found, wanted)
    message = _("Spam filter on for %(host)s.", host=found.host) if wanted else \
        _("Spam filter off for %(host)s.", host=found.host)
    return after_change(_back(), message)


@bp.route("/delete", methods=["GET", "POST"])
@access.global_admin
def delete():
    found = _load(request.values.get("host", ""))
    return map_pages.delete_page(
        bp, "fwdhosts/delete.html", found, lambda: service.delete_host(mailcow(), found),
        _("Forwarding host %(host)s removed.", host=found.host))


@bp.post("/bulk")
@access.global_admin
def bulk():
    return map_pages.bulk_action(
        bp, field="hosts", key=lambda h: h.strip() or None, actions=service.BULK_ACTIONS,
        nothing_chosen=_("Select at least one forwarding host, then an action."),
        entries=lambda: mailcow().fwdhosts.all(), key_of=lambda h: h.host,
        run=lambda action, chosen: service.bulk(mailcow(), action, chosen),
        area=_("Forwarding hosts"), label=_label,
        titles=lambda n: {
            "filter_on": ngettext("Turn the spam filter on for %(num)s forwarding host?",
                                  "Turn the spam filter on for %(num)s forwarding "
                                  "hosts?", n),
            "filter_off": ngettext("Turn the spam filter off for %(num)s forwarding "
                                   "host?", "Turn the spam filter off for %(num)s "
                                   "forwarding hosts?", n),
            "delete": ngettext("Remove %(num)s forwarding host?",
                               "Remove %(num)s forwarding hosts?", n)},
        explains=lambda: {
            "filter_on": _("Spam from these hosts is filed into the Junk folder."),
            "filter_off": _("Spam from these hosts is delivered to the inbox like "
                            "any other mail."),
            "delete": _("Mail from these hosts is checked like any other sender's "
                        "again: DNS blocklists, greylisting and spam rejection "
                        "apply.")},
        done=lambda n: {
            "filter_on": ngettext("Spam filter on for %(num)s forwarding host.",
                                  "Spam filter on for %(num)s forwarding hosts.", n),
            "filter_off": ngettext("Spam filter off for %(num)s forwarding host.",
                                   "Spam filter off for %(num)s forwarding hosts.", n),
            "delete": ngettext("%(num)s forwarding host removed.",
                               "%(num)s forwarding hosts removed.", n)})
