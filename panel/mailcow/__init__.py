"""The Mailcow adapter: one client, one API object per area, reached via `mailcow()`."""
from __future__ import annotations

from flask import current_app

from panel.mailcow.alias_domains import AliasDomainsApi
from panel.mailcow.bcc import BccApi
from panel.mailcow.fwdhosts import ForwardingHostsApi
from panel.mailcow.recipient_maps import RecipientMapsApi
from panel.mailcow.tls_policy import TlsPolicyApi
from panel.mailcow.aliases import AliasesApi
from panel.mailcow.app_passwords import AppPasswordsApi
from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.dkim import DkimApi
from panel.mailcow.domains import DomainsApi
from panel.mailcow.fail2ban import Fail2banApi
from panel.mailcow.filters import FiltersApi
from panel.mailcow.logs import LogsApi
from panel.mailcow.mail_templates import MailTemplatesApi
from panel.mailcow.mailboxes import MailboxesApi
from panel.mailcow.oauth2 import OAuth2Api
from panel.mailcow.ratelimits import RateLimitsApi
from panel.mailcow.relayhosts import RelayhostsApi
from panel.mailcow.resources import ResourcesApi
from panel.mailcow.spam_score import SpamScoreApi
from panel.mailcow.time_limited_aliases import TimeLimitedAliasesApi
from panel.mailcow.transports import TransportsApi
from panel.mailcow.password_policy import PasswordPolicyApi
from panel.mailcow.quarantine import QuarantineApi
from panel.mailcow.status import StatusApi
from panel.mailcow.syncjobs import SyncJobsApi
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
        self.app_passwords = AppPasswordsApi(client)
        self.time_limited_aliases = TimeLimitedAliasesApi(client)
        self.spam_score = SpamScoreApi(client)
        self.aliases = AliasesApi(client)
        self.resources = ResourcesApi(client)
        self.alias_domains = AliasDomainsApi(client)
        self.password_policy = PasswordPolicyApi(client)
        self.status = StatusApi(client)
        self.syncjobs = SyncJobsApi(client)
        self.filters = FiltersApi(client)
        self.logs = LogsApi(client)
        self.relayhosts = RelayhostsApi(client)
        self.transports = TransportsApi(client)
        self.oauth2 = OAuth2Api(client)
        self.rate_limits = RateLimitsApi(client)
        self.mail_templates = MailTemplatesApi(client)
        self.bcc = BccApi(client)
        self.recipient_maps = RecipientMapsApi(client)
        self.tls_policy = TlsPolicyApi(client)
        self.fwdhosts = ForwardingHostsApi(client)
        self.quarantine = QuarantineApi(client)
        self.fail2ban = Fail2banApi(client)

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
