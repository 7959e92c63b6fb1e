"""The few typed errors every Mailcow call can end in."""
from __future__ import annotations


class MailcowError(Exception):
    """Mailcow answered, but refused or failed the request."""

    def __init__(self, message: str, keys: list[str] | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.keys = keys or []  # Mailcow's message keys, e.g. ["domain_exists"]
        self.status = status


class MailcowRefused(MailcowError):
    """An add/edit/delete answered with a `danger` entry; `messages` are readable English."""

    def __init__(self, messages: list[str], keys: list[str]):
        super().__init__("; ".join(messages), keys)
        self.messages = messages


class MailcowAuthError(MailcowError):
    """401/403: the API key is wrong, read-only, or not allowed from this address."""


class MailcowUnavailable(MailcowError):
    """Mailcow could not be reached, timed out, or answered with a server error page."""


class MailcowTimeout(MailcowUnavailable):
    """No answer within MAILCOW_TIMEOUT seconds."""


class NotFound(MailcowError):
    """The object does not exist in Mailcow (Mailcow answers `{}` for it)."""
