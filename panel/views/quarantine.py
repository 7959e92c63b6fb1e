"""The Quarantine area: held messages with preview, release, learn, delete, bulk; settings."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.forms.quarantine import QuarantineSettingsForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.quarantine import ACTIONS, QuarantineSettings
from panel.services import quarantine as service
from panel.views.listing import page_request, state_args

bp = Blueprint("quarantine", __name__, url_prefix="/quarantine")

SORTABLE = tuple(service.SORT_KEYS)
# Actions that lose the item (learning as spam removes it too): confirmed first.
CONFIRMED = ("learnspam", "delete")


def _labels() -> dict[str, str]:
    return {"release": _("Release to inbox"), "learnham": _("Learn as ham"),
            "learnspam": _("Learn as spam and delete"), "delete": _("Delete")}


def _done_messages(n: int) -> dict[str, str]:
    return {
        "release": ngettext("%(num)s message released to its inbox.",
                            "%(num)s messages released to their inboxes.", n),
        "learnham": ngettext("%(num)s message learned as ham.",
                             "%(num)s messages learned as ham.", n),
        "learnspam": ngettext("%(num)s message learned as spam and deleted.",
                              "%(num)s messages learned as spam and deleted.", n),
        "delete": ngettext("%(num)s message deleted.", "%(num)s messages deleted.", n),
    }


def _domain_choices() -> list[str]:
    scope = access.visible_domains(current_user)
    return sorted(scope) if scope is not None else mailcow().domains.names()


def _load(item_id: int):
    """The item with its message, or 404 when it is gone or not in the user's domains."""
    try:
        found = mailcow().quarantine.get(item_id)
    except NotFound:
        abort(404)
    if not service.may_see(mailcow(), current_user, found.item):
        abort(404)
    return found


def _back() -> str:
    target = request.form.get("back", "") or request.args.get("back", "")
    return target if target.startswith("/quarantine") and "//" not in target \
        else url_for("quarantine.index")


@bp.get("")
@access.domain_admin("quarantine")
def index():
    req = page_request(SORTABLE, "created")
    if "sort" not in request.args:
        req = type(req)(page=req.page, per_page=req.per_page, search=req.search,
                        sort="created", descending=True)
    domain = request.args.get("domain", "").strip().lower()
    if domain:
        access.require_domain(current_user, domain)
    only = request.args.get("only", "")
    only = only if only in service.FILTERS else ""
    page = service.list_items(mailcow(), current_user, req, domain, only)

    def list_args(r, **changes):
        return state_args(r, **{"domain": domain or None, "only": only or None, **changes})

    template = "quarantine/_table.html" if is_htmx() else "quarantine/index.html"
    return render_template(template, page=page, req=req, state_args=list_args, domain=domain,
                           only=only, domains=_domain_choices(), labels=_labels(),
                           settings=service.saved_settings(),
                           back=request.full_path.rstrip("?"))


@bp.get("/<int:item_id>")
@access.domain_admin("quarantine")
def show(item_id: int):
    found = _load(item_id)
    return render_template("quarantine/show.html", found=found, item=found.item,
                           labels=_labels(), back=_back())


@bp.route("/<int:item_id>/act", methods=["GET", "POST"])
@access.domain_admin("quarantine")
def act(item_id: int):
    found = _load(item_id)
    action = request.values.get("action", "")
    if action not in ACTIONS:
        abort(404)
    item = found.item
    if request.method == "GET" or (action in CONFIRMED and request.form.get("confirm") != "1"):
        return render_template("quarantine/confirm.html", action=action, chosen=[item],
                               labels=_labels(), back=_back(), single=True)
    try:
        service.act(mailcow(), action, item)
    except MailcowRefused as exc:
        return render_template("quarantine/show.html", found=found, item=item,
                               labels=_labels(), back=_back(), error=exc.message,
                               failed_action=action), 422
    return after_change(_back(), _done_messages(1)[action])


@bp.post("/bulk")
@access.domain_admin("quarantine")
def bulk():
    action = request.form.get("action", "")
    wanted = set()
    for raw in request.form.getlist("ids"):
        if not raw.isdigit():
            abort(404)
        wanted.add(int(raw))
    if not wanted or action not in ACTIONS:
        flash(_("Select at least one message, then an action."), "warning")
        return redirect(_back(), code=303)
    mine = {i.id: i for i in service.visible(mailcow(), current_user)}
    if any(i not in mine for i in wanted):
        abort(404)
    chosen = [mine[i] for i in sorted(wanted)]
    if request.form.get("confirm") != "1":
        return render_template("quarantine/confirm.html", action=action, chosen=chosen,
                               labels=_labels(), back=_back(), single=False)
    result = service.bulk(mailcow(), action, chosen)
    if result.failed:
        return render_template("quarantine/bulk_result.html", result=result,
                               labels=_labels(), back=_back()), 422
    return after_change(_back(), _done_messages(len(result.done))[action])


@bp.route("/settings", methods=["GET", "POST"])
@access.global_admin
def settings():
    form = QuarantineSettingsForm()
    form.exclude_domains.choices = [(d, d) for d in mailcow().domains.names()]
    saved = service.saved_settings()
    error = None
    if request.method == "GET":
        form.fill(saved or QuarantineSettings(retention_size=20, max_size=15))
    elif form.validate_on_submit():
        try:
            service.save_settings(mailcow(), form.settings())
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("quarantine.settings"), _("Quarantine settings saved."))
    status = 422 if request.method == "POST" else 200
    return render_template("quarantine/settings.html", form=form, error=error,
                           saved=saved), status
