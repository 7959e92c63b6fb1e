"""The Postfix queue page: counts, search, headers and the queue actions."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from panel import access
from panel.docker.queue import QUEUE_ID_RE, InvalidQueueId, PostfixQueue, QueueUnavailable
from panel.htmx import is_htmx
from panel.mailcow.paging import Page
from panel.services import queue as service
from panel.views.listing import page_request, state_args

bp = Blueprint("queue", __name__, url_prefix="/queue")

UNAVAILABLE = ("Postfix queue is unavailable. Ensure the Postfix container is running and "
               "Docker socket access is configured.")
SELECTION_LIMIT = 1000
SORT_KEYS = {
    "arrival": lambda m: (m.arrival, m.queue_id),
    "size": lambda m: (m.size, m.queue_id),
    "sender": lambda m: (m.sender.lower(), m.queue_id),
    "queue": lambda m: (m.queue, m.arrival),
}


def _queue() -> PostfixQueue:
    from panel.docker.postfix import postfix_queue

    return postfix_queue()


def _unavailable(reason: str):
    """The page, saying why the queue cannot be read; it is an answer, not an error page."""
    template = "queue/_unavailable.html" if is_htmx() else "queue/index.html"
    return render_template(template, unavailable=_(UNAVAILABLE), reason=reason, listing=None,
                           which="", req=page_request(tuple(SORT_KEYS), "arrival"),
                           state_args=state_args, back=url_for("queue.index"))


def _back() -> str:
    target = request.form.get("back", "")
    return target if target.startswith("/queue") and "//" not in target \
        else url_for("queue.index")


def _which() -> str:
    which = request.args.get("queue", "")
    return which if which in service.SHOWN_QUEUES else ""


@bp.get("")
@access.domain_admin("logs")
def index():
    req = page_request(tuple(SORT_KEYS), "arrival")
    which = _which()
    try:
        listing = service.listing(_queue(), current_user, req.search, which)
    except QueueUnavailable as exc:
        return _unavailable(str(exc))
    messages = sorted(listing.messages, key=SORT_KEYS[req.sort], reverse=req.descending)
    start = (req.page - 1) * req.per_page
    page = Page(messages[start:start + req.per_page], len(messages), req)

    def table_state(r, **changes):
        return state_args(r, queue=which or None, **changes)

    template = "queue/_table.html" if is_htmx() else "queue/index.html"
    return render_template(template, listing=listing, page=page, req=req, which=which,
                           state_args=table_state, back=request.full_path.rstrip("?"))


@bp.get("/<queue_id>")
@access.domain_admin("logs")
def headers(queue_id: str):
    if not QUEUE_ID_RE.match(queue_id):
        abort(404)  # before Docker is asked anything
    queue = _queue()
    try:
        message = service.find(queue, current_user, queue_id)
        result = queue.headers(message.queue_id)
    except service.NotInQueue:
        abort(404)
    except QueueUnavailable as exc:
        return _unavailable(str(exc))
    return render_template("queue/headers.html", message=message, result=result)


@bp.post("/act")
@access.domain_admin("logs")
def act():
    action = request.form.get("action", "")
    ids = request.form.getlist("ids")[:SELECTION_LIMIT]
    if action not in service.ACTIONS or not ids:
        flash(_("Select at least one message, then an action."), "warning")
        return redirect(_back(), code=303)
    queue = _queue()
    try:
        if action == "delete" and request.form.get("confirm") != "1":
            messages = [service.find(queue, current_user, i) for i in ids]
            return render_template("queue/delete.html", messages=messages, back=_back())
        result = service.act(queue, current_user, action, ids)
    except (service.NotInQueue, InvalidQueueId):
        # Ids come from our own page: a missing one was delivered or removed meanwhile,
        # or is not this administrator's to touch; neither says which.
        flash(_("Some of the selected messages are no longer in the queue. Nothing was done; "
                "the list below is current."), "warning")
        return redirect(_back(), code=303)
    except QueueUnavailable as exc:
        return _unavailable(str(exc))
    _report(result, ngettext("%(num)s message: %(action)s.", "%(num)s messages: %(action)s.",
                             len(ids), action=_action_label(action)))
    return redirect(_back(), code=303)


@bp.post("/flush")
@access.global_admin
def flush():
    try:
        result = service.flush(_queue())
    except QueueUnavailable as exc:
        return _unavailable(str(exc))
    _report(result, _("Flush requested: Postfix tries every deferred message now."))
    return redirect(_back(), code=303)


@bp.post("/delete-deferred")
@access.global_admin
def delete_deferred():
    queue = _queue()
    try:
        if request.form.get("confirm") != "1":
            deferred = service.listing(queue, current_user, which="deferred").messages
            return render_template("queue/delete_deferred.html", count=len(deferred),
                                   back=_back())
        result = service.delete_deferred(queue)
    except QueueUnavailable as exc:
        return _unavailable(str(exc))
    _report(result, _("Deferred messages deleted."))
    return redirect(_back(), code=303)


def _action_label(action: str) -> str:
    return {"deliver": _("delivery scheduled"), "hold": _("put on hold"),
            "release": _("released from hold"), "delete": _("deleted")}[action]


def _report(result, summary: str) -> None:
    """Our one-line summary, then Postfix's own words as it printed them."""
    if result.exit_code != 0:
        flash(_("Postfix reported a failure (exit code %(code)s).", code=result.exit_code),
              "error")
    else:
        flash(summary, "success")
    if result.report:
        flash(result.report, "report")
