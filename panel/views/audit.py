"""The audit log page: filters, paging, CSV export; scoped for domain administrators."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, Response, render_template, request, stream_with_context
from flask_login import current_user

from panel import access
from panel.htmx import is_htmx
from panel.services import audit_log
from panel.views.listing import page_request

bp = Blueprint("audit", __name__, url_prefix="/audit")


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def _filter() -> audit_log.AuditFilter:
    a = request.args
    if a.get("domain"):
        access.require_domain(current_user, a["domain"].strip())  # 404 outside the scope
    return audit_log.AuditFilter(actor=a.get("actor", "").strip()[:64],
                                 domain=a.get("domain", "").strip()[:255],
                                 action=a.get("action", "").strip()[:64],
                                 since=_date(a.get("since")), until=_date(a.get("until")))


def _filter_args(f: audit_log.AuditFilter) -> dict:
    return {k: v for k, v in {"actor": f.actor, "domain": f.domain, "action": f.action,
                              "since": f.since.isoformat() if f.since else "",
                              "until": f.until.isoformat() if f.until else ""}.items() if v}


@bp.get("")
@access.domain_admin()
def index():
    f = _filter()
    req = page_request(("at",), "at")
    page = audit_log.page(current_user, f, req)
    template = "audit/_table.html" if is_htmx() else "audit/index.html"
    return render_template(template, page=page, req=req, f=f, filter_args=_filter_args(f),
                           choices=audit_log.choices(current_user))


@bp.get("/export.csv")
@access.domain_admin()
def export():
    f = _filter()
    rows = audit_log.export_csv(current_user, f)
    filename = f"mailapp-audit-{date.today().isoformat()}.csv"
    return Response(stream_with_context(rows), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})
