"""Error pages and banners: readable messages for users, never a stack trace."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from panel.htmx import is_htmx
from panel.mailcow import MailcowAuthError, MailcowError, MailcowUnavailable


def render_error(status: int, title: str, message: str):
    template = "errors/_banner.html" if is_htmx() else "errors/page.html"
    response = render_template(template, status=status, title=title, message=message)
    headers = {}
    if is_htmx():
        # Errors land in the page's banner slot, whatever the request meant to swap.
        headers = {"HX-Retarget": "#banner", "HX-Reswap": "innerHTML"}
    return response, status, headers


def init_app(app: Flask) -> None:
    @app.errorhandler(MailcowError)
    def mailcow_error(exc: MailcowError):
        if isinstance(exc, MailcowUnavailable):
            app.logger.warning("Mailcow unavailable: %s", exc.message)
            return render_error(502, _("Mailcow is not answering"), exc.message)
        if isinstance(exc, MailcowAuthError):
            app.logger.warning("Mailcow refused the API key: %s", exc.message)
            return render_error(502, _("Mailcow refused MailApp's API key"), exc.message)
        return render_error(502, _("Mailcow reported an error"), exc.message)

    @app.errorhandler(CSRFError)
    def csrf_error(exc: CSRFError):
        return render_error(400, _("The form expired"),
                            _("Reload the page and submit the form again."))

    @app.errorhandler(HTTPException)
    def http_error(exc: HTTPException):
        if exc.code == 404:
            return render_error(404, _("Not found"),
                                _("There is nothing at this address, or you may not see it."))
        return render_error(exc.code or 500, exc.name, exc.description or "")

    @app.errorhandler(Exception)
    def unexpected(exc: Exception):
        app.logger.exception("Unhandled error")
        return render_error(500, _("Something went wrong"),
                            _("MailApp hit an unexpected error. It has been logged; "
                              "try again, and check the server log if it persists."))
