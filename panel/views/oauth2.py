"""The OAuth2 area: Mailcow's OAuth2 clients (apps that sign mailbox users in through
Mailcow). Register, change the redirect URI, renew the secret, revoke tokens, delete.
Global administrators only.

A client secret is shown once. After registering or renewing, the view puts the secret,
encrypted with MailApp's key and valid for a few minutes, in the session and redirects to
the reveal page, which takes it out again: a reload, the back button or another tab
finds nothing. The secret is never in a URL, a log line or the audit trail.
"""
from __future__ import annotations

from flask import (Blueprint, abort, current_app, make_response, redirect, render_template,
                   request, session, url_for)
from flask_babel import gettext as _

from panel import access
from panel.crypto import DecryptionError, decrypt, encrypt
from panel.forms.oauth2 import OAuth2ClientForm
from panel.htmx import after_change
from panel.mailcow import MailcowRefused, NotFound, mailcow
from panel.mailcow.oauth2 import ENDPOINTS, IssuedSecret
from panel.services import oauth2 as service

bp = Blueprint("oauth2", __name__, url_prefix="/oauth2")

REVEAL_KEY = "oauth2_reveal"
REVEAL_SECONDS = 300


def _load(client_id: int):
    try:
        return mailcow().oauth2.get(client_id)
    except NotFound:
        abort(404)


def _endpoints() -> list[tuple[str, str]]:
    host = current_app.extensions["settings"].mail_hostname
    return [(name, f"https://{host}{path}") for name, path in ENDPOINTS]


def _hand_over(issued: IssuedSecret, renewed: bool):
    session[REVEAL_KEY] = {"id": issued.client.id, "secret": encrypt(issued.secret),
                           "renewed": renewed}
    return redirect(url_for("oauth2.secret", client_id=issued.client.id), code=303)


@bp.get("")
@access.global_admin
def index():
    clients = mailcow().oauth2.all()
    return render_template("oauth2/index.html", clients=clients, endpoints=_endpoints())


@bp.route("/new", methods=["GET", "POST"])
@access.global_admin
def create():
    form = OAuth2ClientForm()
    error = None
    if form.validate_on_submit():
        try:
            issued = service.register(mailcow(), form.redirect_uri.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return _hand_over(issued, renewed=False)
    status = 422 if request.method == "POST" else 200
    return render_template("oauth2/form.html", form=form, error=error, client=None), status


@bp.get("/<int:client_id>/secret")
@access.global_admin
def secret(client_id: int):
    found = _load(client_id)
    handed = session.pop(REVEAL_KEY, None)
    shown = None
    if isinstance(handed, dict) and handed.get("id") == client_id:
        try:
            shown = decrypt(str(handed.get("secret", "")), ttl=REVEAL_SECONDS)
        except DecryptionError:
            shown = None
    response = make_response(render_template(
        "oauth2/secret.html", client=found, secret=shown,
        renewed=bool(isinstance(handed, dict) and handed.get("renewed")),
        endpoints=_endpoints()))
    # Never cached: the page must not come back from a cache with the secret in it.
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/<int:client_id>/edit", methods=["GET", "POST"])
@access.global_admin
def edit(client_id: int):
    found = _load(client_id)
    form = OAuth2ClientForm(data={"redirect_uri": found.redirect_uri}
                            if request.method == "GET" else None)
    error = None
    if form.validate_on_submit():
        try:
            service.change_redirect_uri(mailcow(), found, form.redirect_uri.data)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("oauth2.index"),
                                _("Redirect URI of %(client)s saved.", client=found.client_id))
    status = 422 if request.method == "POST" else 200
    return render_template("oauth2/form.html", form=form, error=error, client=found), status


def _confirmed_action(client_id: int, action: str):
    found = _load(client_id)
    error = None
    if request.method == "POST":
        try:
            if action == "renew":
                return _hand_over(service.renew_secret(mailcow(), found), renewed=True)
            if action == "revoke":
                service.revoke_tokens(mailcow(), found)
                message = _("All tokens of %(client)s revoked.", client=found.client_id)
            else:
                service.delete(mailcow(), found)
                message = _("OAuth2 client %(client)s deleted.", client=found.client_id)
        except MailcowRefused as exc:
            error = exc.message
        else:
            return after_change(url_for("oauth2.index"), message)
    return render_template("oauth2/confirm.html", client=found, action=action,
                           error=error), 422 if error else 200


@bp.route("/<int:client_id>/renew", methods=["GET", "POST"])
@access.global_admin
def renew(client_id: int):
    return _confirmed_action(client_id, "renew")


@bp.route("/<int:client_id>/revoke", methods=["GET", "POST"])
@access.global_admin
def revoke(client_id: int):
    return _confirmed_action(client_id, "revoke")


@bp.route("/<int:client_id>/delete", methods=["GET", "POST"])
@access.global_admin
def delete(client_id: int):
    return _confirmed_action(client_id, "delete")
