"""MailApp on PostgreSQL: migrations up and down, model round trips, the app signing in.

Each test works in a schema of its own (`mailapp_test_<random>`, reached through the
connection's search_path) in the database at MAILAPP_TEST_POSTGRES_URL, default
postgresql://postgres@127.0.0.1:5432/test, and drops it afterwards. scripts/test.sh starts
a server when it can; without one these tests skip and say why.
"""
from __future__ import annotations

import os
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from panel import create_app, schema
from panel.extensions import db
from panel.models import Admin, AuditEvent, Base, LoginAttempt
from tests.conftest import ADMIN_PASSWORD, app_config, sign_in

pytestmark = pytest.mark.postgres

DEFAULT_URL = "postgresql://postgres@127.0.0.1:5432/test"
# Every table the models describe; the migrations must build exactly these.
TABLES = set(Base.metadata.tables)


@dataclass
class PgSchema:
    name: str
    url: URL  # search_path set to the schema

    @property
    def url_string(self) -> str:
        return self.url.render_as_string(hide_password=False)

    def engine(self) -> Engine:
        return create_engine(self.url)


@pytest.fixture(scope="session")
def pg_server() -> Engine:
    raw = os.environ.get("MAILAPP_TEST_POSTGRES_URL") or DEFAULT_URL
    url = make_url(raw).set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 5})
    try:
        with engine.connect() as conn:
            conn.execute(text("select 1"))
    except Exception as exc:  # any failure to connect means: no server to test against
        engine.dispose()
        pytest.skip(f"PostgreSQL not usable at {url.render_as_string(hide_password=True)} "
                    f"({type(exc).__name__}: {str(exc).strip().splitlines()[0]}). Start one, "
                    "set MAILAPP_TEST_POSTGRES_URL, or run scripts/test.sh, which starts one.")
    yield engine
    engine.dispose()


@pytest.fixture
def pg(pg_server) -> PgSchema:
    """A fresh, empty schema; every connection made from its URL works inside it."""
    name = f"mailapp_test_{uuid.uuid4().hex[:12]}"
    with pg_server.begin() as conn:
        conn.execute(text(f'CREATE SCHEMA "{name}"'))
    options = " ".join(filter(None, [pg_server.url.query.get("options"),
                                      f"-csearch_path={name}"]))
    yield PgSchema(name, pg_server.url.update_query_dict({"options": options}))
    with pg_server.begin() as conn:
        conn.execute(text(f'DROP SCHEMA "{name}" CASCADE'))


@pytest.fixture
def engine(pg) -> Engine:
    eng = pg.engine()
    yield eng
    eng.dispose()


def _tables(engine: Engine, schema_name: str) -> set[str]:
    return set(inspect(engine).get_table_names(schema=schema_name))


def _revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _alembic(engine: Engine, action, target: str) -> None:
    cfg = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, target)


# Migrations -------------------------------------------------------------------------------

def test_migrations_build_the_schema_the_models_describe(pg, engine):
    schema.upgrade(engine)

    assert _tables(engine, pg.name) == TABLES | {"alembic_version"}
    head = ScriptDirectory.from_config(schema.alembic_config(pg.url_string)).get_current_head()
    assert _revision(engine) == head
    # Nothing left for autogenerate to add, drop or alter: migrations and models agree.
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []


def test_column_types_on_postgres(pg, engine):
    schema.upgrade(engine)
    with engine.connect() as conn:
        types = dict(conn.execute(text(
            "select table_name || '.' || column_name, data_type from information_schema.columns "
            "where table_schema = :s"), {"s": pg.name}).all())
    assert types["audit_event.changes"] == "json"
    for column in ("admin.created_at", "admin.last_login_at", "audit_event.at",
                   "login_attempt.at"):
        assert types[column] == "timestamp with time zone", column


def test_upgrade_twice_changes_nothing(pg, engine):
    schema.upgrade(engine)
    schema.upgrade(engine)  # what every start of the app does
    assert _tables(engine, pg.name) == TABLES | {"alembic_version"}


def test_downgrade_to_base_then_upgrade_again(pg, engine):
    schema.upgrade(engine)
    with Session(engine) as session:
        session.add(Admin(username="before", password_hash="x"))
        session.commit()

    _alembic(engine, command.downgrade, "base")
    assert _tables(engine, pg.name) - {"alembic_version"} == set()
    assert _revision(engine) is None

    _alembic(engine, command.upgrade, "head")
    assert _tables(engine, pg.name) == TABLES | {"alembic_version"}
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Admin)) == 0
        session.add(Admin(username="after", password_hash="x"))
        session.commit()
        assert session.scalar(select(Admin.id).where(Admin.username == "after")) is not None


# Models -----------------------------------------------------------------------------------

def test_admin_round_trip_with_aware_datetimes(engine):
    schema.upgrade(engine)
    berlin = timezone(timedelta(hours=2))
    last_login = datetime(2026, 3, 29, 14, 30, 15, 123456, tzinfo=berlin)
    with Session(engine) as session:
        session.add(Admin(username="alice", password_hash="$argon2id$stub",
                          last_login_at=last_login))
        session.commit()

    with Session(engine) as session:
        alice = session.scalar(select(Admin).where(Admin.username == "alice"))
        assert alice.role == "global" and alice.active is True
        assert alice.last_login_at == last_login  # the same instant...
        assert alice.last_login_at.utcoffset() is not None  # ...and still aware
        assert alice.created_at.tzinfo is not None
        assert abs(datetime.now(timezone.utc) - alice.created_at) < timedelta(minutes=5)


def test_admin_usernames_are_unique(engine):
    schema.upgrade(engine)
    with Session(engine) as session:
        session.add(Admin(username="bob", password_hash="x"))
        session.commit()
        session.add(Admin(username="bob", password_hash="y"))
        with pytest.raises(IntegrityError):
            session.commit()


def test_audit_event_round_trip_keeps_json_as_written(engine):
    schema.upgrade(engine)
    changes = {
        "before": {"quota": 10240, "active": True, "tags": ["eu", "paid"]},
        "after": {"quota": 20480.5, "active": False, "tags": [], "description": "Zürich ✓"},
        "mailcow": [{"type": "success", "msg": ["domain_modified", "example.org"]}],
        "note": None,
    }
    with Session(engine) as session:
        session.add(AuditEvent(actor="root", remote_addr="2001:db8::1", action="domain.edit",
                               target="example.org", domain="example.org", changes=changes,
                               outcome="ok", detail="x" * 5000))
        session.add(AuditEvent(actor="system", action="auth.logout", outcome="ok"))
        session.commit()

    with Session(engine) as session:
        edit, logout = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert edit.changes == changes
        assert edit.detail == "x" * 5000
        assert edit.at.tzinfo is not None
        assert logout.changes is None
        # The newest-first listing the audit page uses works on the indexed column.
        newest = session.scalars(select(AuditEvent).order_by(AuditEvent.at.desc())).first()
        assert newest.id in (edit.id, logout.id)


def test_login_attempts_compare_across_time_zones(engine):
    schema.upgrade(engine)
    now = datetime.now(timezone.utc)
    tokyo = timezone(timedelta(hours=9))
    with Session(engine) as session:
        session.add_all([
            LoginAttempt(username="carol", remote_addr="192.0.2.7",
                         at=(now - timedelta(minutes=5)).astimezone(tokyo)),
            LoginAttempt(username="carol", remote_addr="192.0.2.7",
                         at=now - timedelta(hours=2)),
        ])
        session.commit()

    with Session(engine) as session:
        recent = session.scalar(select(func.count()).select_from(LoginAttempt).where(
            LoginAttempt.username == "carol",
            LoginAttempt.at >= now - timedelta(minutes=15)))
        assert recent == 1
        times = session.scalars(select(LoginAttempt.at).order_by(LoginAttempt.at)).all()
        assert all(t.tzinfo is not None for t in times)
        assert times[1] == (now - timedelta(minutes=5))


# The whole app ----------------------------------------------------------------------------

def test_app_on_postgres_signs_in_and_lists_domains(tmp_path, sandbox, pg):
    app = create_app(app_config(tmp_path, sandbox, DATABASE_URL=pg.url_string))
    try:
        assert app.extensions["db_engine"].dialect.name == "postgresql"
        with app.app_context():
            from panel.services.admins import create_admin
            create_admin("root", ADMIN_PASSWORD)
            db.session.remove()

        client = app.test_client()
        refused = sign_in(client, password="not-the-password")
        assert refused.status_code == 401
        response = sign_in(client)
        assert response.status_code == 302, response.get_data(as_text=True)
        page = client.get("/domains")
        assert page.status_code == 200

        with app.app_context():
            actions = db.session.scalars(select(AuditEvent.action)
                                         .order_by(AuditEvent.id)).all()
            assert actions[-3:] == ["admin.create", "auth.login_failed", "auth.login"]
            root = db.session.scalar(select(Admin).where(Admin.username == "root"))
            assert root.last_login_at is not None and root.last_login_at.tzinfo is not None
            # A good sign-in clears that account's failed attempts.
            assert db.session.scalar(select(func.count()).select_from(LoginAttempt)) == 0
            db.session.remove()
        # The app's tables live in the test's schema, not in public.
        with app.extensions["db_engine"].connect() as conn:
            assert conn.execute(text("select current_schema()")).scalar() == pg.name
    finally:
        if "mailcow" in app.extensions:
            app.extensions["mailcow"].close()
        app.extensions["db_engine"].dispose()
