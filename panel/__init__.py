"""MailApp: create_app() builds the Flask application from settings and blueprints."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from panel.config import Settings
from panel.extensions import babel, csrf, db, login_manager
from panel.i18n import compile_catalogs

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config` overrides environment settings (same names, e.g.
    DATABASE_URL, MAILCOW_URL) and Flask config keys (TESTING, WTF_CSRF_ENABLED…)."""
    config = dict(config or {})
    instance = Path(config.pop("MAILAPP_INSTANCE_PATH", None)
                    or os.environ.get("MAILAPP_INSTANCE_PATH") or ROOT / "instance")
    instance.mkdir(parents=True, exist_ok=True)
    app = Flask(__name__, instance_path=str(instance), template_folder=str(ROOT / "templates"),
                static_folder=str(ROOT / "static"))

    env = {**os.environ, **{k: str(v) for k, v in config.items() if isinstance(v, (str, int, float))}}
    settings = Settings.from_env(instance, env)
    app.extensions["settings"] = settings
    app.config.update(
        SECRET_KEY=settings.secret_key,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_SECURE=settings.session_cookie_secure,
        REMEMBER_COOKIE_HTTPONLY=True,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
        WTF_CSRF_TIME_LIMIT=None,  # tied to the session instead, which expires on its own
        MAX_CONTENT_LENGTH=16 * 1024 * 1024,
        BABEL_DEFAULT_LOCALE="en",
        BABEL_TRANSLATION_DIRECTORIES=str(compile_catalogs(instance / "translations")),
    )
    app.config.update(config)

    engine = db.init_app(app, settings.database_url)
    from panel import schema
    schema.upgrade(engine)

    csrf.init_app(app)
    babel.init_app(app, locale_selector=lambda: "en")
    _init_login(app)

    from panel import access, web
    app.before_request(access.enforce)
    web.init_app(app)
    _register_blueprints(app)
    return app


def _init_login(app: Flask) -> None:
    from panel.models import Admin

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"

    @login_manager.user_loader
    def load_user(session_id: str):
        # The session carries "id:fingerprint"; a changed password ends old sessions.
        admin_id, _, fingerprint = session_id.partition(":")
        if not admin_id.isdigit():
            return None
        admin = db.session.get(Admin, int(admin_id))
        if admin is None or admin.session_fingerprint != fingerprint:
            return None
        return admin


def _register_blueprints(app: Flask) -> None:
    """Every blueprint in panel.auth.views and panel/views/*.py, then the REST API.

    A view module exposes its blueprint as `bp` (or several as `*_bp`); a new area needs
    no edit here."""
    import importlib
    import pkgutil

    from flask import Blueprint

    import panel.views
    from panel.api import init_app as init_api

    modules = [importlib.import_module("panel.auth.views")]
    modules += [importlib.import_module(f"panel.views.{info.name}")
                for info in sorted(pkgutil.iter_modules(panel.views.__path__),
                                   key=lambda i: i.name)]
    for module in modules:
        for attr, value in sorted(vars(module).items()):
            if isinstance(value, Blueprint) and (attr == "bp" or attr.endswith("_bp")) \
                    and value.import_name == module.__name__:
                app.register_blueprint(value)
    init_api(app)
