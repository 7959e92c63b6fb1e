"""Reading the audit trail: filtered, scoped to what the reader may see, paged or exported."""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

from sqlalchemy import Select, func, select

from panel.access import visible_domains
from panel.extensions import db
from panel.mailcow.paging import Page, PageRequest
from panel.models import AuditEvent

CSV_COLUMNS = ("at", "actor", "remote_addr", "action", "target", "domain", "outcome",
               "changes", "detail")


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    domain: str = ""
    action: str = ""
    since: date | None = None
    until: date | None = None

    @property
    def active(self) -> bool:
        return any((self.actor, self.domain, self.action, self.since, self.until))


def _query(user, f: AuditFilter) -> Select:
    q = select(AuditEvent)
    scope = visible_domains(user)
    if scope is not None:
        # Domain administrators see the events of their domains, nothing else.
        q = q.where(AuditEvent.domain.in_(sorted(scope) or [""]))
    if f.actor:
        q = q.where(AuditEvent.actor == f.actor)
    if f.domain:
        q = q.where(AuditEvent.domain == f.domain.lower())
    if f.action:
        # "domain" matches domain.create, domain.update…; a full name matches itself.
        q = q.where((AuditEvent.action == f.action) | AuditEvent.action.like(f"{f.action}.%"))
    if f.since:
        q = q.where(AuditEvent.at >= datetime.combine(f.since, time.min, timezone.utc))
    if f.until:
        q = q.where(AuditEvent.at < datetime.combine(f.until + timedelta(days=1), time.min,
                                                     timezone.utc))
    return q


def page(user, f: AuditFilter, req: PageRequest) -> Page[AuditEvent]:
    session = db.session()
    q = _query(user, f)
    total = session.scalar(select(func.count()).select_from(q.subquery()))
    rows = session.scalars(q.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
                           .offset((req.page - 1) * req.per_page).limit(req.per_page)).all()
    return Page(list(rows), total or 0, req)


def choices(user) -> dict[str, list[str]]:
    """Distinct actors, domains and action families the reader can filter on."""
    session = db.session()
    base = _query(user, AuditFilter()).subquery()
    actors = session.scalars(select(base.c.actor).distinct().order_by(base.c.actor)).all()
    domains = session.scalars(select(base.c.domain).where(base.c.domain.is_not(None))
                              .distinct().order_by(base.c.domain)).all()
    actions = session.scalars(select(base.c.action).distinct().order_by(base.c.action)).all()
    families = sorted({a.split(".")[0] for a in actions} | set(actions))
    return {"actors": list(actors), "domains": list(domains), "actions": families}


def export_csv(user, f: AuditFilter) -> Iterator[str]:
    """CSV rows, streamed in batches so a long trail never sits in memory at once."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield flush()
    q = _query(user, f).order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
    for event in db.session().scalars(q.execution_options(yield_per=500)):
        writer.writerow([
            event.at.isoformat() if event.at else "", event.actor, event.remote_addr or "",
            event.action, event.target or "", event.domain or "", event.outcome,
            json.dumps(event.changes, sort_keys=True, default=str) if event.changes else "",
            _csv_safe(event.detail or ""),
        ])
        yield flush()


def _csv_safe(value: str) -> str:
    # Spreadsheet apps run cells starting with these as formulas.
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value
