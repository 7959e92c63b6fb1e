"""OAuth2 client use cases: register, change the redirect URI, renew the secret, revoke
tokens, delete — each audited with the client id and redirect URI, never the secret."""
from __future__ import annotations

from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowError, Outcome
from panel.mailcow.oauth2 import IssuedSecret, OAuth2Client


def _target(client: OAuth2Client) -> str:
    return f"{client.client_id} (#{client.id})"


def register(mc: Mailcow, redirect_uri: str) -> IssuedSecret:
    """Add the client; the returned secret is for one page only."""
    try:
        issued = mc.oauth2.add(redirect_uri)
    except MailcowError as exc:
        record("oauth2.create", target=redirect_uri, outcome="failed", detail=exc.message,
               changes={"redirect_uri": redirect_uri})
        raise
    record("oauth2.create", target=_target(issued.client),
           changes={"redirect_uri": redirect_uri, "scope": issued.client.scope})
    return issued


def change_redirect_uri(mc: Mailcow, client: OAuth2Client, redirect_uri: str) -> Outcome:
    return audited("oauth2.update", target=_target(client), domain=None,
                   changes={"redirect_uri": [client.redirect_uri, redirect_uri]},
                   call=lambda: mc.oauth2.set_redirect_uri(client.id, redirect_uri))


def renew_secret(mc: Mailcow, client: OAuth2Client) -> IssuedSecret:
    try:
        issued = mc.oauth2.renew_secret(client.id)
    except MailcowError as exc:
        record("oauth2.renew_secret", target=_target(client), outcome="failed",
               detail=exc.message)
        raise
    record("oauth2.renew_secret", target=_target(client),
           detail="new client secret issued; existing access tokens can no longer be renewed")
    return issued


def revoke_tokens(mc: Mailcow, client: OAuth2Client) -> Outcome:
    return audited("oauth2.revoke_tokens", target=_target(client), domain=None,
                   call=lambda: mc.oauth2.revoke_tokens(client.id))


def delete(mc: Mailcow, client: OAuth2Client) -> Outcome:
    return audited("oauth2.delete", target=_target(client), domain=None,
                   changes={"redirect_uri": client.redirect_uri},
                   call=lambda: mc.oauth2.delete([client.id]))
