"""The Containers area: Mailcow's containers, their CPU and memory, actions, and logs."""
from __future__ import annotations

import json
import re
import threading
import time
from datetime import datetime, timedelta, timezone

from flask import Blueprint, Response, abort, redirect, render_template, request, url_for
from flask_babel import gettext as _

from panel import access
from panel.docker import containers, logs
from panel.docker.engine import (
    ContainerNotFound,
    ContainerNotRunning,
    DockerError,
    DockerUnavailable,
    engine,
)
from panel.htmx import after_change, is_htmx
from panel.services import containers as service

bp = Blueprint("containers", __name__, url_prefix="/containers")

# Compose service names: what Docker accepts in a label we look for, nothing else.
SERVICE_RE = re.compile(r"\A[a-z0-9][a-z0-9_.-]{0,62}\Z")
LINE_CHOICES = (50, 100, 200, 500, 1000, 2000, 5000)
DEFAULT_LINES = 200
PERIODS = {"15m": timedelta(minutes=15), "1h": timedelta(hours=1), "6h": timedelta(hours=6),
           "24h": timedelta(days=1), "7d": timedelta(days=7)}
TIME_FORMATS = ("%Y-%m-%dT%H:%M:%S", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M",
                "%Y-%m-%d")
# Each live follow holds one server thread (waitress has 8); the rest wait and retry.
MAX_FOLLOWERS = 4
STREAM_SECONDS = 300  # then the browser reconnects (and resumes where it was)
_followers = threading.BoundedSemaphore(MAX_FOLLOWERS)


def _service(value: str) -> str:
    if not SERVICE_RE.match(value or ""):
        abort(404)
    return value


def _unavailable_page(exc: DockerUnavailable, template: str, **context):
    # The page itself worked: it reports that the engine is down (htmx swaps only 2xx, and
    # an on-call admin must see this message, not a browser error page).
    return render_template(template, unavailable=exc.message, **context)


@bp.get("")
@access.global_admin
def index():
    try:
        found = containers.list_containers(engine())
    except DockerUnavailable as exc:
        template = "containers/_table.html" if is_htmx() else "containers/index.html"
        return _unavailable_page(exc, template, items=[], project=engine().project)
    except DockerError as exc:
        return render_template("containers/index.html", items=[], error=exc.message,
                               project=engine().project)
    template = "containers/_table.html" if is_htmx() else "containers/index.html"
    return render_template(template, items=found, project=engine().project,
                           mail_services=service.MAIL_SERVICES)


@bp.get("/<service_name>/stats")
@access.global_admin
def stats(service_name: str):
    service_name = _service(service_name)
    try:
        sample = containers.stats(engine(), service_name)
    except ContainerNotFound:
        abort(404)
    except ContainerNotRunning as exc:
        return render_template("containers/_stats.html", service=service_name,
                               note=_("Not running (%(state)s)", state=exc.state))
    except DockerError as exc:
        return render_template("containers/_stats.html", service=service_name,
                               note=exc.message)
    return render_template("containers/_stats.html", service=service_name, sample=sample)


@bp.route("/<service_name>/<any(start, stop, restart):action>", methods=["GET", "POST"])
@access.global_admin
def act(service_name: str, action: str):
    service_name = _service(service_name)
    try:
        info = containers.get(engine(), service_name)
    except ContainerNotFound:
        abort(404)
    except DockerUnavailable as exc:
        return _unavailable_page(exc, "containers/confirm.html", info=None, action=action,
                                 service=service_name, mail=None)
    mail = service.interrupts_mail(service_name)
    error = None
    if request.method == "POST":
        try:
            after = service.change(engine(), service_name, action)
        except ContainerNotFound:
            abort(404)
        except DockerError as exc:
            error = exc.message
        else:
            done = {"start": _("Started %(service)s (%(name)s): %(state)s."),
                    "stop": _("Stopped %(service)s (%(name)s): %(state)s."),
                    "restart": _("Restarted %(service)s (%(name)s): %(state)s.")}[action]
            return after_change(url_for("containers.index"),
                                done % {"service": service_name, "name": after.name,
                                        "state": after.state})
    return render_template("containers/confirm.html", info=info, action=action,
                           service=service_name, mail=mail, error=error), \
        (502 if error else 200)


# --- logs -------------------------------------------------------------------------------

class LogQuery:
    """The log form's values from the query string, with a message per bad field."""

    def __init__(self, args):
        self.errors: dict[str, str] = {}
        self.text = args.get("q", "").strip()[:200]
        try:
            self.lines = int(args.get("lines", DEFAULT_LINES))
        except ValueError:
            self.lines = DEFAULT_LINES
            self.errors["lines"] = _("Choose a number of lines.")
        if self.lines not in LINE_CHOICES:
            self.errors.setdefault("lines", _("Choose one of %(choices)s lines.",
                                              choices=", ".join(map(str, LINE_CHOICES))))
            self.lines = DEFAULT_LINES
        self.period = args.get("period", "")
        if self.period and self.period not in PERIODS:
            self.errors["period"] = _("Choose a period from the list.")
            self.period = ""
        self.since_text = args.get("since", "").strip()
        self.until_text = args.get("until", "").strip()
        self.since = self._time("since", self.since_text)
        self.until = self._time("until", self.until_text)
        if self.period:
            self.since, self.until = datetime.now(timezone.utc) - PERIODS[self.period], None
        if self.since and self.until and self.since >= self.until:
            self.errors["until"] = _("“Until” must be later than “since”.")

    def _time(self, field: str, value: str) -> datetime | None:
        if not value:
            return None
        for fmt in TIME_FORMATS:
            try:
                return datetime.strptime(value, fmt).replace(tzinfo=timezone.utc)
            except ValueError:
                continue
        self.errors[field] = _("Enter a UTC time like 2024-05-01 13:45.")
        return None

    def args(self, **changes) -> dict:
        found = {"q": self.text or None, "lines": self.lines if self.lines != DEFAULT_LINES
                 else None, "period": self.period or None,
                 "since": None if self.period else self.since_text or None,
                 "until": None if self.period else self.until_text or None}
        found.update(changes)
        return {k: v for k, v in found.items() if v is not None}

    @property
    def windowed(self) -> bool:
        return self.until is not None


@bp.get("/logs")
@access.global_admin
def logs_pick():
    """Pick a container: straight on to its logs, or the first one's."""
    wanted = request.args.get("service", "")
    if wanted:
        return redirect(url_for("containers.logs_view", service_name=_service(wanted),
                                **LogQuery(request.args).args()))
    try:
        found = containers.list_containers(engine())
    except DockerUnavailable as exc:
        return _unavailable_page(exc, "containers/logs.html", service=None, choices=[],
                                 query=LogQuery({}), tail=None, info=None,
                                 line_choices=LINE_CHOICES, periods=PERIODS)
    if not found:
        return render_template("containers/logs.html", service=None, choices=[],
                               query=LogQuery({}), tail=None, info=None,
                               line_choices=LINE_CHOICES, periods=PERIODS)
    preferred = next((c for c in found if c.service == "postfix-mailcow"), found[0])
    return redirect(url_for("containers.logs_view", service_name=preferred.service))


@bp.get("/<service_name>/logs")
@access.global_admin
def logs_view(service_name: str):
    service_name = _service(service_name)
    query = LogQuery(request.args)
    context = dict(service=service_name, query=query, line_choices=LINE_CHOICES,
                   periods=PERIODS, choices=[], tail=None, info=None)
    template = "containers/_logs.html" if is_htmx() else "containers/logs.html"
    try:
        context["choices"] = containers.list_containers(engine())
        context["info"] = next((c for c in context["choices"] if c.service == service_name),
                               None)
        if context["info"] is None:
            abort(404)
        if query.errors:
            return render_template(template, **context), 422
        context["tail"] = logs.tail(engine(), service_name, query.lines, query.since,
                                    query.until, query.text)
    except ContainerNotFound:
        abort(404)
    except DockerUnavailable as exc:
        return _unavailable_page(exc, template, **context)
    except DockerError as exc:
        return render_template(template, error=exc.message, **context)
    return render_template(template, **context)


@bp.get("/<service_name>/logs/download")
@access.global_admin
def logs_download(service_name: str):
    service_name = _service(service_name)
    query = LogQuery(request.args)
    if query.errors:
        return Response("\n".join(query.errors.values()) + "\n", status=422,
                        mimetype="text/plain")
    try:
        info = containers.get(engine(), service_name)
        body = logs.download(engine(), service_name, query.since, query.until, query.text)
    except ContainerNotFound:
        abort(404)
    except DockerError as exc:
        return Response(exc.message + "\n", status=503, mimetype="text/plain")
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    return Response(body, mimetype="text/plain", headers={
        "Content-Disposition": f'attachment; filename="{info.name}-{stamp}.log"',
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
    })


def _event(name: str, data: dict, event_id: str | None = None) -> str:
    head = f"id: {event_id}\n" if event_id else ""
    return f"{head}event: {name}\ndata: {json.dumps(data)}\n\n"


@bp.get("/<service_name>/logs/stream")
@access.global_admin
def logs_stream(service_name: str):
    """Server-sent events: each new log line as it is written (see static/js/container-logs.js).

    The browser's Last-Event-ID (the last line's nanosecond time) resumes a dropped stream
    without gaps or repeats."""
    service_name = _service(service_name)
    text = request.args.get("q", "").strip()[:200]
    resume = request.headers.get("Last-Event-ID") or request.args.get("after", "")
    after_ns = int(resume) if resume.isdigit() else 0
    docker_engine = engine()
    messages = {"stopped": _("The container is not running: following stopped."),
                "busy": _("Too many live log views are open; retrying in a few seconds.")}

    def events():
        if not _followers.acquire(blocking=False):
            yield "retry: 10000\n\n" + _event("busy", {"message": messages["busy"]})
            return
        lines = None
        try:
            yield "retry: 2000\n\n"
            try:
                if not containers.find(docker_engine, service_name).status == "running":
                    yield _event("stopped", {"message": messages["stopped"]})
                    return
                lines = logs.follow(docker_engine, service_name, after_ns, text)
                deadline = time.monotonic() + STREAM_SECONDS
                for line in lines:
                    if line is None:
                        yield ": still here\n\n"
                    else:
                        yield _event("line", {"ns": line.ns, "stamp": line.stamp,
                                              "text": line.text}, str(line.ns))
                    if time.monotonic() > deadline:
                        return  # the browser reconnects with Last-Event-ID
                yield _event("stopped", {"message": messages["stopped"]})
            except DockerError as exc:
                yield _event("failed", {"message": exc.message})
        finally:
            if lines is not None:
                lines.close()
            _followers.release()

    return Response(events(), mimetype="text/event-stream", headers={
        "Cache-Control": "no-store", "X-Accel-Buffering": "no"})
