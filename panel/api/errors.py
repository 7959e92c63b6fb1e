"""JSON errors for the REST API: `{"error": {"code", "message", "fields"}}`, right status."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException

from panel.mailcow import MailcowAuthError, MailcowError, MailcowUnavailable, NotFound
from panel.mailcow.errors import MailcowRefused

# A stable code per HTTP status for errors raised by Flask itself (abort, routing).
HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
              405: "method_not_allowed", 413: "too_large", 415: "unsupported_media_type",
              422: "invalid", 429: "too_many_requests"}
NOT_FOUND_TEXT = "There is nothing at this address, or your key may not see it."


class ApiError(Exception):
    """An answer the API gives on purpose, e.g. 401 for a missing key."""

    def __init__(self, status: int, code: str, message: str, fields: dict | None = None,
                 headers: dict | None = None):
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.fields = fields or {}
        self.headers = headers or {}


def error_response(status: int, code: str, message: str, fields: dict | None = None,
                   headers: dict | None = None, **extra):
    body = {"error": {"code": code, "message": message, "fields": fields or {}, **extra}}
    response = jsonify(body)
    response.status_code = status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def field_messages(messages) -> dict[str, str]:
    """marshmallow's nested messages flattened to one sentence per field path."""
    flat: dict[str, str] = {}

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list) and all(isinstance(v, str) for v in value):
            flat[prefix or "_schema"] = " ".join(value)
        elif isinstance(value, list):
            for index, inner in enumerate(value):
                walk(f"{prefix}.{index}", inner)
        else:
            flat[prefix or "_schema"] = str(value)

    walk("", messages)
    return flat


def init_blueprint(bp: Blueprint) -> None:
    """Register the handlers on the API blueprint, so HTML error pages never reach it."""

    @bp.errorhandler(ApiError)
    def api_error(exc: ApiError):
        return error_response(exc.status, exc.code, exc.message, exc.fields, exc.headers)

    @bp.errorhandler(ValidationError)
    def invalid(exc: ValidationError):
        return error_response(422, "invalid", "Some values are not valid; see `fields`.",
                              field_messages(exc.messages))

    @bp.errorhandler(NotFound)
    def missing(exc: NotFound):
        return error_response(404, "not_found", NOT_FOUND_TEXT)

    @bp.errorhandler(MailcowRefused)
    def refused(exc: MailcowRefused):
        return error_response(502, "mailcow_refused", f"Mailcow refused: {exc.message}",
                              mailcow_messages=exc.messages, mailcow_keys=exc.keys)

    @bp.errorhandler(MailcowUnavailable)
    def unavailable(exc: MailcowUnavailable):
        current_app.logger.warning("Mailcow unavailable: %s", exc.message)
        return error_response(502, "mailcow_unavailable", exc.message)

    @bp.errorhandler(MailcowAuthError)
    def mailcow_auth(exc: MailcowAuthError):
        current_app.logger.warning("Mailcow refused MailApp's API key: %s", exc.message)
        return error_response(502, "mailcow_auth", exc.message)

    @bp.errorhandler(MailcowError)
    def mailcow_error(exc: MailcowError):
        return error_response(502, "mailcow_error", exc.message)

    @bp.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        status = exc.code or 500
        message = NOT_FOUND_TEXT if status == 404 else (exc.description or exc.name)
        headers = {}
        if status == 405 and getattr(exc, "valid_methods", None):
            headers["Allow"] = ", ".join(exc.valid_methods)
        return error_response(status, HTTP_CODES.get(status, "http_error"), message,
                              headers=headers)

    @bp.errorhandler(Exception)
    def unexpected(exc: Exception):
        current_app.logger.exception("Unhandled error in the API")
        return error_response(500, "internal_error",
                              "MailApp hit an unexpected error. It has been logged.")
