"""The API keys area: list keys, make one (shown once), revoke one. Global administrators only."""
from __future__ import annotations

from flask import Blueprint, abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from panel import access
from panel.forms.api_keys import ApiKeyForm
from panel.htmx import after_change, is_htmx
from panel.mailcow import mailcow
from panel.services import api_keys as service

bp = Blueprint("api_keys", __name__, url_prefix="/api-keys")


@bp.get("")
@access.global_admin
def index():
    keys = service.list_keys()
    template = "api_keys/_table.html" if is_htmx() else "api_keys/index.html"
    return render_template(template, keys=keys)


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = ApiKeyForm(known_domains=lambda: mailcow().domains.names())
    if form.validate_on_submit():
        try:
            key, raw = service.create_key(
                form.name.data, writable=form.access.data == "rw", actor=current_user.username,
                domains=form.domain_list(), permissions=form.permissions.data or [],
                networks=form.network_list(), expires_at=form.expires_utc())
        except service.ApiKeyInputError as exc:
            getattr(form, exc.field or "name").errors.append(str(exc))
        else:
            # The key is in this answer only: never in a redirect, the session or a log.
            return render_template("api_keys/created.html", key=key, raw=raw)
    status = 422 if request.method == "POST" else 200
    return render_template("api_keys/form.html", form=form), status


@bp.route("/<int:key_id>/revoke", methods=["GET", "POST"])
@access.global_admin
def revoke(key_id: int):
    key = service.get_key(key_id)
    if key is None:
        abort(404)
    if request.method == "POST":
        service.revoke_key(key.id, current_user.username)
        return after_change(url_for("api_keys.index"),
                            _("API key %(name)s revoked.", name=key.name))
    return render_template("api_keys/revoke.html", key=key)
