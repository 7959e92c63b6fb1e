"""The site root: sends administrators to the first area they can use."""
from __future__ import annotations

from flask import Blueprint, redirect, url_for

from panel import access

bp = Blueprint("home", __name__)


@bp.route("/")
@access.signed_in
def root():
    # Until the system overview lands, the Domains list is the start page.
    return redirect(url_for("domains.index"))
