"""The API's own description: the OpenAPI document, the Swagger UI page, and JSON 404/405."""
from __future__ import annotations

from flask import current_app, jsonify, render_template, request
from werkzeug.exceptions import MethodNotAllowed, NotFound

from panel import access
from panel.api import bp
from panel.api.spec import build_spec, documented, hidden

SWAGGER_UI = "vendor/swagger-ui-5.35.0"
METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"]


@bp.get("/v1/openapi.json")
@access.public
@documented("This document", tag="meta",
            description="The OpenAPI 3 description of the API; needs no key.")
def openapi_document():
    spec = current_app.extensions.get("mailapp_openapi")
    if spec is None:  # the routes do not change while the app runs
        spec = current_app.extensions["mailapp_openapi"] = build_spec(current_app)
    return jsonify(spec)


@bp.get("/swagger")
@access.public
def swagger():
    # The strict site-wide CSP holds here too: Swagger UI 5 sets styles through the DOM
    # (not style attributes in markup) and highlights code with classes, and this page
    # starts it from static/js/swagger-init.js.
    return render_template("api_keys/swagger.html", swagger_ui=SWAGGER_UI)


@bp.route("/v1/<path:rest>", methods=METHODS)
@access.public
@hidden
def unknown_route(rest: str):
    """JSON for API addresses that match no route (Flask would answer an HTML page)."""
    adapter = current_app.url_map.bind_to_environ(request.environ)
    allowed = [m for m in METHODS if _served_elsewhere(adapter, m)]
    if allowed:
        raise MethodNotAllowed(valid_methods=allowed)
    raise NotFound()


def _served_elsewhere(adapter, method: str) -> bool:
    """Does a real route (not this catch-all) answer this address for `method`?"""
    try:
        endpoint, _ = adapter.match(method=method)
    except Exception:  # noqa: BLE001 - any routing failure means "no"
        return False
    return endpoint != "api.unknown_route"
