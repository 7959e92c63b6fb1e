"""Who is calling the REST API: the X-API-Key header, checked before every API route."""
from __future__ import annotations

from flask import current_app, g, request

from panel import access
from panel.api.errors import ApiError
from panel.services.api_keys import ApiKeyRefused, ApiPrincipal, authenticate

HEADER = "X-API-Key"
REFUSALS = {
    "read_only": ("read_only_key", "This API key is read-only; changes need a read-write key."),
    "global_only": ("forbidden", "Only API keys without a domain scope may do this."),
    "permission": ("forbidden", "This API key lacks the permission for this action."),
    "not_an_api_key": ("unauthorized", "Send your API key in the X-API-Key header."),
}


def current_principal() -> ApiPrincipal:
    return g.api_principal


def authenticate_request() -> None:
    """before_request: every route declared with `access.api_key` needs a valid key.

    The session cookie is never looked at: a signed-in browser without the header is
    refused like anyone else.
    """
    rule = access.rule_for(request.endpoint)
    if not isinstance(rule, access.ApiRule):
        return None
    try:
        principal = authenticate(request.headers.get(HEADER), request.remote_addr)
    except ApiKeyRefused as exc:
        current_app.logger.info("API request refused: %s from %s", exc.code, request.remote_addr)
        raise ApiError(401, exc.code, exc.message,
                       headers={"WWW-Authenticate": f'ApiKey header="{HEADER}"'}) from None
    refusal = rule.refusal(principal)
    if refusal is not None:
        code, message = REFUSALS[refusal]
        raise ApiError(403 if refusal != "not_an_api_key" else 401, code, message)
    g.api_principal = principal
    # Flask-Login's per-request user: anything that reads current_user during this
    # request (the audit trail's default actor) sees the key, never a session user.
    g._login_user = principal
    return None
