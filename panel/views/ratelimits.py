"""The Rate limits area: outgoing limits of domains and mailboxes in one list; set,
change and remove them. Domain administrators with the rate-limit permission see and
change those of their own domains only."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.forms.ratelimits import FRAME_LABELS, NewRateLimitForm, RateLimitForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.ratelimits import DOMAIN, MAILBOX
from panel.services import ratelimits as service
from panel.views.listing import page_request, state_args

bp = Blueprint("ratelimits", __name__, url_prefix="/ratelimits")

SORTABLE = tuple(service.SORT_KEYS)
PERMISSION = "ratelimit"


def _domain_choices() -> list[str]:
    scope = access.visible_domains(current_user)
    if scope is not None:
        return sorted(scope)
    # Alias domains carry limits of their own in Mailcow.
    mc = mailcow()
    return sorted(set(mc.domains.names()) | {a.name for a in mc.alias_domains.all()})


def _check_mailbox(address: str) -> str:
    """The mailbox's address as Mailcow has it; 404 outside the user's domains."""
    access.require_domain(current_user, address.rpartition("@")[2].lower())
    found = mailcow().mailboxes.get(address)
    access.require_domain(current_user, found.domain)
    return found.username


@bp.get("")
@access.domain_admin(PERMISSION)
def index():
    req = page_request(SORTABLE, "target")
    domain = request.args.get("domain", "").strip().lower()
    kind = request.args.get("kind", "")
    kind = kind if kind in (DOMAIN, MAILBOX) else ""
    if domain:
        access.require_domain(current_user, domain)
    page = service.list_limits(mailcow(), current_user, req, domain, kind)

    def list_args(r, **changes):
        return state_args(r, **{"domain": domain or None, "kind": kind or None, **changes})

    template = "ratelimits/_table.html" if is_htmx() else "ratelimits/index.html"
    return render_template(template, page=page, req=req, state_args=list_args, domain=domain,
                           kind=kind, domains=_domain_choices(), frames=FRAME_LABELS)


@bp.route("/new", methods=["GET", "POST"])
@access.domain_admin(PERMISSION)
def create():
    form = NewRateLimitForm()
    choices = _domain_choices()
    form.domain.choices = [(d, d) for d in choices]
    if request.method == "GET":
        if request.args.get("domain") in choices:
            form.domain.data = request.args["domain"]
        if request.args.get("mailbox"):
            form.scope.data, form.mailbox.data = MAILBOX, request.args["mailbox"].strip()
    error = None
    if form.validate_on_submit():
        target = form.target
        if form.scope.data == MAILBOX:
            try:
                target = _check_mailbox(target)
            except NotFound:
                form.mailbox.errors = [_("No mailbox %(address)s exists.", address=target)]
        if not form.errors:
            try:
                before = mailcow().rate_limits.get(form.scope.data, target)
                service.set_limit(mailcow(), form.scope.data, target, form.value.data,
                                  form.frame.data, before)
            except MailcowRefused as exc:
                error = exc.message
            else:
                return after_change(url_for("ratelimits.index", q=target),
                                    _("Rate limit for %(target)s saved.", target=target))
    status = 422 if request.method == "POST" else 200
    return render_template("ratelimits/form.html", form=form, error=error, limit=None,
                           scope=None, target=None, frames=FRAME_LABELS), status


def _edit(scope: str, target: str):
    current = mailcow().rate_limits.get(scope, target)
    form = RateLimitForm(data={"value": current.value, "frame": current.frame}
                         if current and request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            service.set_limit(mailcow(), scope, target, form.value.data, form.frame.data,
                              current)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("ratelimits.index"),
                                _("Rate limit for %(target)s saved.", target=target))
    status = 422 if request.method == "POST" else 200
    return render_template("ratelimits/form.html", form=form, error=error, limit=current,
                           scope=scope, target=target, frames=FRAME_LABELS), status


def _remove(scope: str, target: str):
    current = mailcow().rate_limits.get(scope, target)
    if current is None:
        abort(404)
    error = None
    if request.method == "POST":
        try:
            service.remove_limit(mailcow(), current)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("ratelimits.index"),
                                _("Rate limit for %(target)s removed.", target=target))
    return render_template("ratelimits/remove.html", limit=current, error=error,
                           frames=FRAME_LABELS), 422 if error else 200


def _domain_target(domain: str) -> str:
    domain = domain.strip().lower()
    access.require_domain(current_user, domain)
    if domain not in _domain_choices():
        abort(404)
    return domain


def _mailbox_target(mailbox: str) -> str:
    try:
        return _check_mailbox(mailbox.strip())
    except NotFound:
        abort(404)


@bp.route("/domain/<domain>", methods=["GET", "POST"])
@access.domain_admin(PERMISSION)
def edit_domain(domain: str):
    return _edit(DOMAIN, _domain_target(domain))


@bp.route("/domain/<domain>/remove", methods=["GET", "POST"])
@access.domain_admin(PERMISSION)
def remove_domain(domain: str):
    return _remove(DOMAIN, _domain_target(domain))


@bp.route("/mailbox/<mailbox>", methods=["GET", "POST"])
@access.domain_admin(PERMISSION)
def edit_mailbox(mailbox: str):
    return _edit(MAILBOX, _mailbox_target(mailbox))


@bp.route("/mailbox/<mailbox>/remove", methods=["GET", "POST"])
@access.domain_admin(PERMISSION)
def remove_mailbox(mailbox: str):
    return _remove(MAILBOX, _mailbox_target(mailbox))
