"""Migration 0003 (second factors) on SQLite: builds what the models describe, and
downgrades cleanly."""
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, inspect

from panel import schema
from panel.models import Base

MINE = {"totp_secret", "webauthn_credential", "recovery_code"}


def _tables(engine) -> set[str]:
    with engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def _run(engine, action, target) -> None:
    cfg = schema.alembic_config(engine.url.render_as_string(hide_password=False))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        action(cfg, target)


def _diffs_about_mine(engine) -> list:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    return [d for d in diffs if any(t in repr(d) for t in MINE)]


def test_upgrade_downgrade_upgrade(tmp_path):
    engine = create_engine(f"sqlite:///{tmp_path / 'm.sqlite3'}")
    _run(engine, command.upgrade, "0003")
    assert MINE <= _tables(engine)
    assert _diffs_about_mine(engine) == []

    _run(engine, command.downgrade, "0002")
    assert not MINE & _tables(engine)
    assert {"admin", "setting", "admin_domain"} <= _tables(engine)

    # What every start does: all heads, whatever other branches and merges exist.
    schema.upgrade(engine)
    assert MINE <= _tables(engine)
    assert _diffs_about_mine(engine) == []
    engine.dispose()
