"""The sandbox WSGI app: Mailcow's /api/v1 router, API-key checks, request bodies, faults.

The order of checks follows Mailcow's json_api.php: the key (401) before anything, a
body that is not JSON (400) for every action but get, then per action the read-only
key (403), missing attributes or items (200 with an error object), the method (405),
and last an unknown route (404).
"""
from __future__ import annotations

import hmac
import logging
from dataclasses import dataclass
from typing import Any

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import HTTPException

from . import routes
from .encoding import decode, encode, encode_pretty
from .faults import ERROR_PAGE, Faults
from .php import PhpFatal, as_array
from .report import Call
from .store import connect, opened, transaction

log = logging.getLogger(__name__)

METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"]
HTML = "text/html; charset=UTF-8"


def _json(body: str, status: int = 200, content_type: str = "application/json") -> Response:
    return Response(body, status=status, content_type=content_type)


def _error(msg: str, status: int = 200) -> Response:
    return _json(encode({"type": "error", "msg": msg}), status)


def _answer(messages: list[dict], result: Any, failure: str) -> Response:
    """process_{add,edit,delete}_return(): the messages, else a generic object."""
    if messages:
        return _json(encode(messages))
    if result is False:
        return _error(failure)
    return _json(encode({"type": "success", "msg": "Task completed"}))


def _read_answer(data: Any, as_object: bool) -> Response:
    """process_get_return(): empty answers print as {} (or [] for list routes)."""
    if not data:
        return _json("{}" if as_object else "[]")
    return _json(encode_pretty(data))


class SandboxApp(Flask):
    """A Flask app serving Mailcow's API from one SQLite file."""

    def __init__(self, db_path: str, rw_key: str, ro_key: str | None) -> None:
        super().__init__(__name__)
        self.db_path = db_path
        self.rw_key = rw_key
        self.ro_key = ro_key
        self.faults = Faults()
        self.url_map.merge_slashes = False
        connect(db_path).close()  # create the schema now, not on the first request

    def inject_fault(self, kind: str, path_prefix: str = "/api/v1/", seconds: float = 0.0,
                     count: int | None = None) -> None:
        """http500: an nginx 500 page; delay: sleep, then answer; html200: a login page."""
        self.faults.add(kind, path_prefix, seconds, count)

    def clear_faults(self) -> None:
        self.faults.clear()

    def access(self, key: str) -> str | None:
        """'rw' or 'ro' for a known key, None for none; raises on an unknown key."""
        if not key:
            return None
        if hmac.compare_digest(key.encode(), self.rw_key.encode()):
            return "rw"
        if self.ro_key and hmac.compare_digest(key.encode(), self.ro_key.encode()):
            return "ro"
        raise PermissionError(key)


class BadJson(Exception):
    pass


@dataclass
class Posted:
    """What json_api.php finds in $_POST['attr'] and $_POST['items'], and the JSON body."""

    attr: Any = None
    items: Any = None
    has_attr: bool = False
    has_items: bool = False
    body: Any = None

    @classmethod
    def read(cls, action: str) -> "Posted":
        posted = cls()
        if "application/json" in (request.headers.get("Content-Type") or ""):
            posted.body = decode(request.get_data())
            if action != "get" and posted.body is None:
                raise BadJson()
            if action == "add":
                posted.attr, posted.has_attr = posted.body, True
            elif action == "edit":
                # json_encode(null) is "null", which is set: edit never lacks attr or items.
                body = posted.body if isinstance(posted.body, dict) else {}
                posted.attr, posted.items = body.get("attr"), body.get("items")
                posted.has_attr = posted.has_items = True
            elif action == "delete":
                posted.items, posted.has_items = posted.body, True
        elif request.method == "POST":
            if "attr" in request.form:
                posted.attr, posted.has_attr = decode(request.form["attr"]), True
            if "items" in request.form:
                posted.items, posted.has_items = decode(request.form["items"]), True
        return posted

    def fields(self) -> dict:
        return self.attr if isinstance(self.attr, dict) else {}

    def item_list(self) -> list | None:
        """(array)json_decode($_POST['items']), or null when no items were posted."""
        return as_array(self.items) if self.has_items else None


def _write(app: SandboxApp, handler, data: dict, failure: str, admin: bool) -> Response:
    with opened(app.db_path) as conn, transaction(conn):
        call = Call(conn, admin)
        result = handler(call, data)
    return _answer(call.messages, result, failure)


def _api(query: str) -> Response:
    app: SandboxApp = current_app  # type: ignore[assignment]
    faulted = app.faults.answer(request.path)
    if faulted:
        return Response(faulted[1], status=faulted[0], content_type=HTML)
    try:
        access = app.access(request.headers.get("X-API-Key", ""))
    except PermissionError:
        return _json(encode({"type": "error", "msg": "authentication failed"}), 401, HTML)
    parts = query.split("/") + [None] * 4
    action, category, obj, extra = parts[:4]
    try:
        posted = Posted.read(action)
    except BadJson:
        return _error("Request body doesn't contain valid json!", 400)

    if action == "get":
        if request.method != "GET":
            return _error("only GET method is allowed", 405)
        if access is None:
            return _json("")
        with opened(app.db_path) as conn, transaction(conn, write=False):
            try:
                data, as_object = routes.read(Call(conn, True), category, obj, extra, request.args)
            except routes.RouteNotFound:
                return _error("route not found", 404)
        if category in routes.COMPACT_READS:
            return _json(encode(data))
        return _read_answer(data, as_object)

    if action == "search":
        if request.method != "POST":
            return _error("only POST method is allowed", 405)
        if access is None:
            return _json("")
        with opened(app.db_path) as conn, transaction(conn, write=False):
            try:
                found = routes.find(Call(conn, True), category,
                                    posted.body if isinstance(posted.body, dict) else {})
            except routes.RouteNotFound:
                return _error("route not found", 404)
        return _json(encode(found)) if "error" in found else _read_answer(found, True)

    if action == "add":
        if access == "ro":
            return _error("API read/write access denied", 403)
        if not posted.has_attr:
            return _error("Cannot find attributes in post data")
        if request.method != "POST":
            return _error("only POST method is allowed", 405)
        handler = routes.pick(routes.ADD, category, obj)
        if handler is None:
            return _error("route not found", 404)
        return _write(app, handler, posted.fields(), "Cannot add item", access == "rw")

    if action in ("edit", "delete"):
        if access != "rw":
            return _error("API read/write access denied", 403)
        if not (posted.has_attr if action == "edit" else posted.has_items):
            return _error("Cannot find attributes in post data")
        if request.method != "POST":
            return _error("only POST method is allowed", 405)
        if action == "edit":
            route = routes.pick(routes.EDIT, category, obj)
            if route is None:
                return _error("route not found", 404)
            item_key, handler = route
            data = posted.fields()
            if item_key:  # array_merge(array($item_key => $items), $attr)
                data = {item_key: posted.item_list(), **data}
            return _write(app, handler, data, "Cannot edit item", True)
        route = routes.pick(routes.DELETE, category, obj)
        if route is None:
            return _error("route not found", 404)
        item_key, extra_key, handler = route
        data = {item_key: posted.item_list()}
        if extra_key:
            data[extra_key] = extra
        return _write(app, handler, data, "Cannot delete item", True)

    return _error("route not found", 404)


def create_sandbox_app(db_path: str, rw_key: str, ro_key: str | None = None) -> SandboxApp:
    """A WSGI app answering like Mailcow's API for these keys, backed by `db_path`."""
    app = SandboxApp(db_path, rw_key, ro_key)
    app.add_url_rule("/api/v1/<path:query>", "api", _api, methods=METHODS,
                     provide_automatic_options=False)

    @app.errorhandler(404)
    def not_found(_exc) -> Response:
        return Response("<html><body><h1>404 Not Found</h1></body></html>", 404,
                        content_type=HTML)

    @app.errorhandler(Exception)
    def fatal(exc: Exception) -> Response:
        if isinstance(exc, HTTPException):
            return exc
        # PHP dying (a PhpFatal) or a sandbox bug: either way php-fpm's bare 500.
        if not isinstance(exc, PhpFatal):
            log.exception("sandbox request failed")
        return Response(ERROR_PAGE, 500, content_type=HTML)

    return app
