"""MailApp's own REST API under /api/v1, for scripts and other systems.

Callers authenticate with an `X-API-Key` header only (panel.api.auth); every answer,
errors included, is JSON (panel.api.errors); the OpenAPI document is generated from
these routes (panel.api.spec) and shown at /api/swagger (panel.api.docs).
"""
from __future__ import annotations

from flask import Blueprint, Flask

from panel.extensions import csrf

bp = Blueprint("api", __name__, url_prefix="/api")

# The route modules register on `bp`, so they are imported once it exists.
from panel.api import errors  # noqa: E402

errors.init_blueprint(bp)

from panel.api import aliases, docs, domains, mailboxes  # noqa: E402,F401


def init_app(app: Flask) -> None:
    from panel.api.auth import authenticate_request

    # Keys, not cookies, authenticate API calls, so there is no CSRF token to check.
    csrf.exempt(bp)
    app.before_request(authenticate_request)
    app.register_blueprint(bp)
