"""Mailcow app passwords (`app-passwd`): a mailbox's extra passwords, each limited to
some protocols. Mailcow returns only their hash; the adapter drops even that."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int, flag, parse_time

# Mailcow's protocol flags of an app password, in the order its UI lists them.
PROTOCOLS = ("imap_access", "smtp_access", "eas_access", "dav_access", "pop3_access",
             "sieve_access")


@dataclass(frozen=True)
class AppPassword:
    id: int
    name: str
    mailbox: str
    active: bool
    protocols: tuple[str, ...]
    created: datetime | None = None
    modified: datetime | None = None


def from_wire(d: dict) -> AppPassword:
    return AppPassword(
        id=as_int(d.get("id")),
        name=str(d.get("name") or ""),
        mailbox=str(d.get("mailbox") or ""),
        active=as_int(d.get("active")) == 1,
        protocols=tuple(p for p in PROTOCOLS if as_int(d.get(p)) == 1),
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


class AppPasswordsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def of_mailbox(self, username: str) -> list[AppPassword]:
        """`get/app-passwd/all/{mailbox}`: Mailcow answers `{}` when there are none."""
        data = self.client.get(f"app-passwd/all/{quote(username, safe='@+')}")
        items = data if isinstance(data, list) else []
        wanted = username.lower()
        return sorted((from_wire(d) for d in items if isinstance(d, dict)
                       and str(d.get("mailbox", "")).lower() == wanted),
                      key=lambda a: a.id)

    def add(self, username: str, name: str, password: str, protocols: list[str],
            active: bool = True) -> Outcome:
        unknown = set(protocols) - set(PROTOCOLS)
        if unknown:
            raise ValueError(f"unknown protocols: {', '.join(sorted(unknown))}")
        return self.client.write("add", "app-passwd", {
            "active": flag(active), "username": username, "app_name": name,
            "app_passwd": password, "app_passwd2": password, "protocols": list(protocols)})

    def set_active(self, username: str, app_password_id: int, active: bool) -> Outcome:
        """Enable or disable one. The owner is named: Mailcow otherwise moves the app
        password to the calling account."""
        return self.client.write("edit", "app-passwd", {
            "items": [str(app_password_id)],
            "attr": {"username": username, "active": flag(active)}})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "app-passwd", [str(i) for i in ids])
