"""The audit log page and its CSV export: filters, and scope for domain administrators."""
import csv
import io
from datetime import datetime, timedelta, timezone

from panel.extensions import db
from panel.models import AuditEvent
from panel.services.admins import create_admin
from tests.conftest import sign_in


def add_events(app):
    now = datetime.now(timezone.utc)
    with app.app_context():
        db.session.add_all([
            AuditEvent(actor="alice", action="domain.create", target="a.test", domain="a.test",
                       outcome="ok", at=now, changes={"description": "A"}),
            AuditEvent(actor="bob", action="domain.delete", target="b.test", domain="b.test",
                       outcome="failed", at=now - timedelta(days=3), detail="=HYPERLINK(x)"),
            AuditEvent(actor="alice", action="auth.login", target="alice", outcome="ok",
                       at=now - timedelta(days=10)),
        ])
        db.session.commit()


def body(response):
    """The table rows only: filter menus list every choice, rows are what was found."""
    html = response.get_data(as_text=True)
    return html[html.index("<tbody>"):html.index("</tbody>")]


def test_global_admin_sees_all_and_filters(app, client):
    add_events(app)
    html = body(client.get("/audit"))
    for needle in ("domain.create", "domain.delete", "auth.login", "a.test", "b.test"):
        assert needle in html
    only_bob = body(client.get("/audit?actor=bob", headers={"HX-Request": "true"}))
    assert "domain.delete" in only_bob and "domain.create" not in only_bob
    family = body(client.get("/audit?action=domain"))
    assert "domain.create" in family and "domain.delete" in family and "<code>auth.login" not in family
    by_domain = body(client.get("/audit?domain=a.test"))
    assert "domain.create" in by_domain and "domain.delete" not in by_domain
    today = datetime.now(timezone.utc).date()
    recent = body(client.get(f"/audit?since={today - timedelta(days=5)}"))
    alice_login = '<td data-label="Object">alice</td>'
    assert "domain.delete" in recent and alice_login not in recent
    old = body(client.get(f"/audit?until={today - timedelta(days=7)}"))
    assert alice_login in old and "domain.create" not in old


def test_bad_dates_are_ignored(client):
    assert client.get("/audit?since=yesterday&until=2026-13-40").status_code == 200


def test_csv_export_follows_filters_and_defuses_formulas(app, client):
    add_events(app)
    response = client.get("/audit/export.csv?actor=bob")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in table] == ["domain.delete"]
    assert table[0]["detail"] == "'=HYPERLINK(x)"
    everything = list(csv.DictReader(io.StringIO(client.get("/audit/export.csv").get_data(as_text=True))))
    assert {"domain.create", "domain.delete", "auth.login"} <= {r["action"] for r in everything}


def test_domain_admin_sees_only_events_of_their_domains(app, anon):
    add_events(app)
    with app.app_context():
        create_admin("dadmin", "correct-horse-battery", domains=["a.test"])
    sign_in(anon, "dadmin")
    html = anon.get("/audit").get_data(as_text=True)
    assert "domain.create" in html
    assert "b.test" not in html and "domain.delete" not in html and "bob" not in html
    assert "<code>auth.login" not in html
    assert anon.get("/audit?domain=b.test").status_code == 404
    exported = anon.get("/audit/export.csv").get_data(as_text=True)
    assert "a.test" in exported and "b.test" not in exported


def test_changes_made_through_the_ui_land_in_the_log(client):
    html = body(client.get("/audit?action=auth"))
    assert "auth.login" in html and "root" in html and "127.0.0.1" in html
