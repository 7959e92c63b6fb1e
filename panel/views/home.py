"""Home: the system overview. The page renders at once; every figure that may be slow
(Mailcow, the Docker engine, DNS) arrives in its own partial, loaded by htmx."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, url_for
from flask_login import current_user

from panel import access
from panel.dns.check import ResolverSpec
from panel.docker.engine import DockerError, engine
from panel.docker.postfix import postfix_queue
from panel.docker.queue import QueueUnavailable
from panel.mailcow import mailcow
from panel.services import overview
from panel.services import queue as queue_service

bp = Blueprint("home", __name__)


@bp.route("/")
@access.signed_in
def root():
    return render_template("home/index.html")


@bp.get("/overview/counts")
@access.signed_in
def counts():
    return render_template("home/_counts.html", counts=overview.counts(mailcow(), current_user))


@bp.get("/overview/system")
@access.global_admin
def system():
    settings = current_app.extensions["settings"]
    try:
        resolver = ResolverSpec.parse(settings.dns_resolver)
    except ValueError:
        resolver = ResolverSpec()
    figures = overview.system(mailcow(), engine(), settings.mail_hostname, resolver)
    return render_template("home/_system.html", f=figures)


@bp.get("/overview/storage")
@access.global_admin
def storage():
    return render_template("home/_storage.html", storage=overview.storage(mailcow(), engine()))


@bp.get("/overview/services")
@access.global_admin
def services():
    try:
        summary, reason = overview.services(engine()), ""
    except DockerError as exc:
        summary, reason = None, exc.message
    containers = "containers.index" in current_app.view_functions
    return render_template("home/_services.html", summary=summary, reason=reason,
                           containers_url=url_for("containers.index") if containers else None)


@bp.get("/overview/queue")
@access.domain_admin("logs")
def queue():
    try:
        listing, reason = queue_service.listing(postfix_queue(), current_user), ""
    except QueueUnavailable as exc:
        listing, reason = None, str(exc)
    return render_template("home/_queue.html", listing=listing, reason=reason)
