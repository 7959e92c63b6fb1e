"""The Mailcow adapter: one client, one API object per area, reached via `mailcow()`."""
from __future__ import annotations

from flask import current_app

from panel.mailcow.alias_domains import AliasDomainsApi
from panel.mailcow.aliases import AliasesApi
from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.dkim import DkimApi
from panel.mailcow.domains import DomainsApi
from panel.mailcow.mailboxes import MailboxesApi
from panel.mailcow.resources import ResourcesApi
from panel.mailcow.password_policy import PasswordPolicyApi
from panel.mailcow.errors import (
    MailcowAuthError,
    MailcowError,
    MailcowRefused,
    MailcowTimeout,
    MailcowUnavailable,
    NotFound,
)


class Mailcow:
    """Every Mailcow area MailApp uses, sharing one HTTP client."""

    def __init__(self, client: MailcowClient) -> None:
        self.client = client
        self.domains = DomainsApi(client)
        self.dkim = DkimApi(client)
        self.mailboxes = MailboxesApi(client)
        self.aliases = AliasesApi(client)
        self.resources = ResourcesApi(client)
        self.alias_domains = AliasDomainsApi(client)
        self.password_policy = PasswordPolicyApi(client)

    def close(self) -> None:
        self.client.close()


def mailcow() -> Mailcow:
    """The current app's adapter (connected on first use, see panel.backend)."""
    from panel.backend import connect

    return connect(current_app)


__all__ = [
    "Mailcow", "MailcowClient", "Outcome", "mailcow",
    "MailcowError", "MailcowRefused", "MailcowAuthError", "MailcowUnavailable",
    "MailcowTimeout", "NotFound",
]
