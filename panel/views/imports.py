"""CSV import of mailboxes and aliases: upload and dry run, then a background job with progress."""
from __future__ import annotations

import csv
import io
import threading
import time

from flask import Blueprint, Response, abort, copy_current_request_context, current_app, \
    redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.htmx import is_htmx
from panel.mailcow import MailcowError, mailcow
from panel.services import csv_import
from panel.services.import_jobs import registry

bp = Blueprint("imports", __name__)

KINDS = {"mailboxes": "mailboxes", "aliases": "aliases"}   # kind -> permission


def _upload(kind: str):
    plan, problem, job = None, None, None
    status = 200
    if request.method == "POST":
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            problem, status = _("Choose a CSV file."), 422
        else:
            planner = csv_import.plan_mailboxes if kind == "mailboxes" else \
                csv_import.plan_aliases
            try:
                plan = planner(mailcow(), current_user, upload.read())
            except csv_import.FileProblem as exc:
                problem, status = str(exc), 422
            except MailcowError as exc:
                problem, status = exc.message, 422
            else:
                if plan.valid:
                    job = registry(current_app).add(current_user.id, plan)
    return render_template("imports/upload.html", kind=kind, plan=plan, problem=problem,
                           job=job), status


@bp.route("/mailboxes/import", methods=["GET", "POST"])
@access.domain_admin("mailboxes")
def mailboxes():
    return _upload("mailboxes")


@bp.route("/aliases/import", methods=["GET", "POST"])
@access.domain_admin("aliases")
def aliases():
    return _upload("aliases")


def _job(job_id: str):
    job = registry(current_app).get(job_id, current_user.id)
    if job is None or not current_user.may(KINDS[job.plan.kind]):
        abort(404)
    return job


@bp.post("/imports/<job_id>/start")
@access.domain_admin()
def start(job_id: str):
    job = _job(job_id)
    if registry(current_app).claim(job):
        mc = mailcow()

        # The request context goes along so each audit event names the user and address.
        @copy_current_request_context
        def work():
            try:
                csv_import.run(mc, job.plan, job.progress)
            except Exception:  # noqa: BLE001 - the job must end, whatever broke
                current_app.logger.exception("Import %s stopped", job.id)
            finally:
                job.finished_at = time.monotonic()
                job.state = "finished"

        threading.Thread(target=work, name=f"import-{job.id[:8]}", daemon=True).start()
    target = url_for("imports.show", job_id=job.id)
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Location"] = target
        return response
    return redirect(target, code=303)


@bp.get("/imports/<job_id>")
@access.domain_admin()
def show(job_id: str):
    job = _job(job_id)
    template = "imports/_progress.html" if is_htmx() else "imports/job.html"
    return render_template(template, job=job)


@bp.get("/imports/<job_id>/progress")
@access.domain_admin()
def progress(job_id: str):
    return render_template("imports/_progress.html", job=_job(job_id))


@bp.get("/imports/<job_id>/passwords.csv")
@access.domain_admin()
def passwords(job_id: str):
    job = _job(job_id)
    if job.state != "finished" or not job.progress.passwords:
        abort(404)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["email", "password"])
    writer.writerows(job.progress.passwords)
    return Response(buffer.getvalue(), mimetype="text/csv", headers={
        "Content-Disposition": 'attachment; filename="created-mailboxes.csv"',
        "Cache-Control": "no-store"})
