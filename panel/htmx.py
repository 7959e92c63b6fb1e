"""HTMX conventions: detect partial requests, and send toasts through HX-Trigger."""
from __future__ import annotations

import json

from flask import Response, current_app, flash, redirect, request


def is_htmx() -> bool:
    # History restores ask for the whole page even though they come from htmx.
    return request.headers.get("HX-Request") == "true" and \
        request.headers.get("HX-History-Restore-Request") != "true"


def toast(response: Response, message: str, level: str = "success") -> Response:
    """Attach a toast the page shows after swapping (see static/js/app.js)."""
    existing = response.headers.get("HX-Trigger")
    triggers = json.loads(existing) if existing else {}
    triggers.setdefault("mailapp:toast", [])
    triggers["mailapp:toast"].append({"message": message, "level": level})
    response.headers["HX-Trigger"] = json.dumps(triggers)
    return response


def after_change(location: str, message: str) -> Response:
    """After a change: HTMX gets a client redirect plus toast, a plain form a 303."""
    if is_htmx():
        response = current_app.response_class(status=204)
        response.headers["HX-Location"] = location
        return toast(response, message)
    flash(message, "success")
    return redirect(location, code=303)
