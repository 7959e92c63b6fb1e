"""Mailcow sender-dependent transports ("relayhosts"): typed records without their passwords.

`get/relayhost/all` returns each relay's password in clear (and its first three characters
as `password_short`); this adapter drops both at once and keeps only whether one is set,
so no MailApp page, log or audit record can ever hold it. Mailcow answers `{}` when there
are none. A domain selects a relay with its `relayhost` field, a mailbox with its
`relayhost` attribute; Mailcow lists both in `used_by_domains` / `used_by_mailboxes`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.id_records import all_by_id, one_by_id
from panel.mailcow.wire import as_int, flag


@dataclass(frozen=True)
class Relayhost:
    id: int
    hostname: str                 # "[host]:port" as entered, e.g. "[smtp.example.net]:587"
    username: str
    password_set: bool            # the password itself never leaves the adapter
    active: bool
    used_by_domains: tuple[str, ...]
    used_by_mailboxes: tuple[str, ...]

    @property
    def in_use(self) -> bool:
        return bool(self.used_by_domains or self.used_by_mailboxes)

    def __repr__(self) -> str:
        return f"Relayhost(id={self.id}, hostname={self.hostname!r})"


# What edit sends for the password: keep Mailcow's, replace it, or clear it.
KEEP, REPLACE, CLEAR = "keep", "replace", "clear"
# What the audit trail says happened to the password (relayhosts and transports).
CREDENTIALS_AUDIT = {KEEP: "unchanged", REPLACE: "password set", CLEAR: "password cleared"}


def password_attr(action: str, password: str) -> dict[str, str]:
    """The password attribute an edit sends for `action`: Mailcow keeps the stored
    password when the attribute is absent (isset())."""
    if action == REPLACE:
        return {"password": password}
    if action == CLEAR:
        return {"password": ""}
    return {}


@dataclass
class RelayhostSettings:
    """What add and edit send. `password` only counts with `password_action` REPLACE."""

    hostname: str
    username: str = ""
    password: str = ""
    password_action: str = REPLACE
    active: bool = True

    def __repr__(self) -> str:  # never print the password
        return (f"RelayhostSettings(hostname={self.hostname!r}, username={self.username!r}, "
                f"password_action={self.password_action!r}, active={self.active!r})")

    def add_wire(self) -> dict:
        # Mailcow's add ignores `active` (always 1); an inactive new relay is edited after.
        return {"hostname": self.hostname, "username": self.username,
                "password": self.password if self.password_action == REPLACE else ""}

    def edit_wire(self) -> dict:
        return {"hostname": self.hostname, "username": self.username,
                "active": flag(self.active), **password_attr(self.password_action, self.password)}

    def audit_view(self) -> dict:
        """What the audit trail may hold: no password, only what happened to it."""
        return {"hostname": self.hostname, "username": self.username, "active": self.active,
                "credentials": CREDENTIALS_AUDIT[self.password_action]}


def _names(value: Any) -> tuple[str, ...]:
    return tuple(n.strip() for n in str(value or "").split(",") if n.strip())


def from_wire(d: dict) -> Relayhost:
    return Relayhost(
        id=as_int(d.get("id")),
        hostname=str(d.get("hostname") or ""),
        username=str(d.get("username") or ""),
        password_set=bool(d.get("password")),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        used_by_domains=_names(d.get("used_by_domains")),
        used_by_mailboxes=_names(d.get("used_by_mailboxes")),
    )


class RelayhostsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[Relayhost]:
        return all_by_id(self.client.get("relayhost/all"), from_wire)

    def get(self, relayhost_id: int) -> Relayhost:
        return one_by_id(self.client.get(f"relayhost/{int(relayhost_id)}"), from_wire,
                         f"Sender-dependent transport {relayhost_id} does not exist")

    def add(self, settings: RelayhostSettings) -> Outcome:
        return self.client.write("add", "relayhost", settings.add_wire())

    def edit(self, relayhost_id: int, settings: RelayhostSettings) -> Outcome:
        return self.client.write("edit", "relayhost", {"items": [str(relayhost_id)],
                                                       "attr": settings.edit_wire()})

    def set_active(self, relayhost_id: int, active: bool) -> Outcome:
        return self.client.write("edit", "relayhost", {"items": [str(relayhost_id)],
                                                       "attr": {"active": flag(active)}})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "relayhost", [str(i) for i in ids])
