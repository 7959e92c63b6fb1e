"""The quota-warning and password-reset mails Mailcow sends (sender, subject, templates).

Mailcow's API can only write these (`edit/quota_notification`,
`edit/reset-password-notification`); its admin page reads them straight from Redis.
Each save replaces every field: an empty template restores Mailcow's default one, and a
sender that is not a valid address is silently stored as empty by Mailcow.
"""
from __future__ import annotations

from dataclasses import dataclass

from panel.mailcow.client import MailcowClient, Outcome

# What Mailcow uses when the quota-warning sender or subject is left empty.
QUOTA_DEFAULT_SENDER = "quota-warning@localhost"
QUOTA_DEFAULT_SUBJECT = "Quota warning"


@dataclass(frozen=True)
class QuotaNotification:
    sender: str = ""
    subject: str = ""
    html: str = ""

    def wire(self) -> dict:
        return {"sender": self.sender, "subject": self.subject, "html_tmpl": self.html}


@dataclass(frozen=True)
class PasswordResetNotification:
    sender: str = ""
    subject: str = ""
    html: str = ""
    text: str = ""

    @property
    def usable(self) -> bool:
        """Mailcow refuses to send recovery mails without a sender and a subject."""
        return bool(self.sender and self.subject)

    def wire(self) -> dict:
        return {"from": self.sender, "subject": self.subject, "html_tmpl": self.html,
                "text_tmpl": self.text}


class MailTemplatesApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def save_quota_notification(self, settings: QuotaNotification) -> Outcome:
        return self.client.write("edit", "quota_notification",
                                 {"items": ["none"], "attr": settings.wire()})

    def save_password_reset(self, settings: PasswordResetNotification) -> Outcome:
        return self.client.write("edit", "reset-password-notification",
                                 {"items": ["none"], "attr": settings.wire()})
