"""Extensions created once and bound to the app in create_app: database, login, CSRF, i18n."""
from __future__ import annotations

from flask import Flask, current_app
from flask_babel import Babel
from flask_login import LoginManager
from flask_wtf import CSRFProtect
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, scoped_session


class Database:
    """A request-scoped session bound to the current app's engine.

    The engine lives on the app (not here) so several apps in one process, as in
    tests with a live server, never share or swap databases.
    """

    def __init__(self) -> None:
        self.session: scoped_session[Session] = scoped_session(self._new_session)

    @staticmethod
    def _new_session() -> Session:
        return Session(bind=current_app.extensions["db_engine"], expire_on_commit=False)

    @property
    def engine(self) -> Engine:
        return current_app.extensions["db_engine"]

    def init_app(self, app: Flask, url: str) -> Engine:
        kwargs: dict = {"pool_pre_ping": True}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 15}
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            event.listen(engine, "connect", _sqlite_pragmas)
        app.extensions["db_engine"] = engine
        app.teardown_appcontext(self._remove)
        return engine

    def _remove(self, _exc: BaseException | None) -> None:
        self.session.remove()


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.close()


db = Database()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
