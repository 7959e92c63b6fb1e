"""Mailcow's OAuth2 clients (`oauth2-client`): typed records without their secret.

Mailcow answers `get/oauth2-client` with each client's secret in clear. The records
here never carry it: the secret is read only right after Mailcow drew it (add, renew)
and handed back once, as an `IssuedSecret`, for the page that shows it a single time.
Mailcow's add answer names neither the new id nor the secret, so the new client is
found by comparing the client list before and after.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import MailcowError, NotFound
from panel.mailcow.wire import as_int

SCOPE = "profile"  # the only scope Mailcow grants
# Mailcow's OAuth2 server endpoints, relative to https://MAILCOW_HOSTNAME.
ENDPOINTS = (("authorize", "/oauth/authorize"), ("token", "/oauth/token"),
             ("profile", "/oauth/profile"))
REDIRECT_URI_MAX = 2000  # Mailcow's column width


@dataclass(frozen=True)
class OAuth2Client:
    id: int
    client_id: str
    redirect_uri: str
    scope: str
    grant_types: str | None = None

    def __repr__(self) -> str:
        return f"OAuth2Client(id={self.id}, client_id={self.client_id!r})"


@dataclass(frozen=True)
class IssuedSecret:
    """A secret Mailcow has just drawn; shown once, then dropped."""

    client: OAuth2Client
    secret: str

    def __repr__(self) -> str:  # never in a log line or traceback
        return f"IssuedSecret({self.client!r}, secret=***)"


def from_wire(d: dict) -> OAuth2Client:
    return OAuth2Client(id=as_int(d.get("id")), client_id=str(d.get("client_id") or ""),
                        redirect_uri=str(d.get("redirect_uri") or ""),
                        scope=str(d.get("scope") or ""),
                        grant_types=d.get("grant_types") or None)


def _rows(data: Any) -> list[dict]:
    # {} when there are none.
    return [d for d in data if isinstance(d, dict) and d.get("id") is not None] \
        if isinstance(data, list) else []


class OAuth2Api:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[OAuth2Client]:
        return sorted((from_wire(d) for d in _rows(self.client.get("oauth2-client/all"))),
                      key=lambda c: c.id)

    def _raw(self, client_id: int) -> dict:
        data = self.client.get("oauth2-client/" + quote(str(int(client_id)), safe=""))
        if not isinstance(data, dict) or data.get("id") is None:
            raise NotFound(f"OAuth2 client {client_id} does not exist")
        return data

    def get(self, client_id: int) -> OAuth2Client:
        return from_wire(self._raw(client_id))

    def add(self, redirect_uri: str) -> IssuedSecret:
        before = {int(d["id"]) for d in _rows(self.client.get("oauth2-client/all"))}
        self.client.write("add", "oauth2-client", {"redirect_uri": redirect_uri})
        new = [d for d in _rows(self.client.get("oauth2-client/all"))
               if int(d["id"]) not in before and d.get("redirect_uri") == redirect_uri]
        if not new:
            raise MailcowError("Mailcow reported the client as added, but it is not in "
                               "Mailcow's client list")
        row = max(new, key=lambda d: int(d["id"]))
        return IssuedSecret(from_wire(row), str(row.get("client_secret") or ""))

    def renew_secret(self, client_id: int) -> IssuedSecret:
        self.client.write("edit", "oauth2-client", {"items": [str(client_id)],
                                                    "attr": {"renew_secret": "1"}})
        row = self._raw(client_id)
        return IssuedSecret(from_wire(row), str(row.get("client_secret") or ""))

    def revoke_tokens(self, client_id: int) -> Outcome:
        return self.client.write("edit", "oauth2-client", {"items": [str(client_id)],
                                                           "attr": {"revoke_tokens": "1"}})

    def set_redirect_uri(self, client_id: int, redirect_uri: str) -> Outcome:
        return self.client.write("edit", "oauth2-client", {"items": [str(client_id)],
                                                           "attr": {"redirect_uri": redirect_uri}})

    def delete(self, client_ids: list[int]) -> Outcome:
        return self.client.write("delete", "oauth2-client", [str(i) for i in client_ids])
