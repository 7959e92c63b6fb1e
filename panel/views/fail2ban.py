"""The Fail2ban area: parameters, allow and deny lists, regular expressions, active and
permanent bans with unban / allow / deny, and the external ban-list link."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _

from panel import access
from panel.forms.fail2ban import Fail2banForm, NetworkForm, RegexForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, mailcow
from panel.mailcow.fail2ban import banlist_url
from panel.services import fail2ban as service

bp = Blueprint("fail2ban", __name__, url_prefix="/fail2ban")


def _page(state=None, form=None, regex_form=None, error=None, regex_error=None,
          ban_error=None, status=200):
    state = state or mailcow().fail2ban.get()
    if form is None:
        form = Fail2banForm(formdata=None)
        form.fill(state.settings)
    if regex_form is None:
        regex_form = RegexForm(formdata=None)
        regex_form.regex.data = "\n".join(p for _, p in state.regex)
    hostname = current_app.extensions["settings"].mail_hostname
    return render_template("fail2ban/index.html", state=state, form=form,
                           regex_form=regex_form, error=error, regex_error=regex_error,
                           ban_error=ban_error,
                           banlist=banlist_url(hostname, state.banlist_id)), status


@bp.get("")
@access.global_admin
def index():
    if is_htmx() and request.args.get("part") == "bans":
        return render_template("fail2ban/_bans.html", state=mailcow().fail2ban.get())
    return _page()


@bp.post("")
@access.global_admin
def save():
    state = mailcow().fail2ban.get()
    form = Fail2banForm()
    if not form.validate_on_submit():
        return _page(state, form=form, status=422)
    try:
        service.save_settings(mailcow(), state, form.settings())
    except MailcowRefused as exc:
        return _page(state, form=form, error=exc.message, status=422)
    return after_change(url_for("fail2ban.index"), _("Fail2ban parameters saved."))


@bp.post("/regex")
@access.global_admin
def regex():
    state = mailcow().fail2ban.get()
    form = RegexForm()
    if not form.validate_on_submit():
        return _page(state, regex_form=form, status=422)
    try:
        service.save_regex(mailcow(), state, form.patterns())
    except MailcowRefused as exc:
        return _page(state, regex_form=form, regex_error=exc.message, status=422)
    return after_change(url_for("fail2ban.index") + "#regex",
                        _("Regular expressions saved."))


@bp.route("/regex/reset", methods=["GET", "POST"])
@access.global_admin
def reset_regex():
    state = mailcow().fail2ban.get()
    if request.method == "GET":
        return render_template("fail2ban/reset_regex.html", state=state)
    try:
        service.reset_regex(mailcow())
    except MailcowRefused as exc:
        return _page(state, regex_error=exc.message, status=422)
    return after_change(url_for("fail2ban.index") + "#regex",
                        _("Regular expressions reset to Mailcow's defaults."))


@bp.post("/bans")
@access.global_admin
def bans():
    action = request.form.get("action", "")
    form = NetworkForm()
    if action not in service.BAN_ACTIONS:
        return _page(ban_error=_("Choose unban, allow, deny or remove from the deny list."),
                     status=422)
    if not form.validate_on_submit():
        return _page(ban_error="; ".join(str(e) for e in form.network.errors) or
                     _("The form expired; try again."), status=422)
    network = form.network.data
    try:
        service.ban_action(mailcow(), action, [network])
    except MailcowRefused as exc:
        return _page(ban_error=exc.message, status=422)
    message = {
        "unban": _("%(net)s is queued for unbanning; netfilter lifts the ban within a few "
                   "seconds.", net=network),
        "allow": _("%(net)s added to the allow list; its ban is lifted.", net=network),
        "deny": _("%(net)s added to the deny list: it stays banned.", net=network),
        "undeny": _("%(net)s removed from the deny list; its permanent ban is lifted.",
                    net=network),
    }[action]
    return after_change(url_for("fail2ban.index") + "#bans", message)
