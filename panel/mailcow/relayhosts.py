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
from panel.mailcow.errors import NotFound
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
        attr: dict[str, Any] = {"hostname": self.hostname, "username": self.username,
                                "active": flag(self.active)}
        # Mailcow keeps the stored password when the attribute is absent (isset()).
        if self.password_action == REPLACE:
            attr["password"] = self.password
        elif self.password_action == CLEAR:
            attr["password"] = ""
        return attr

    def audit_view(self) -> dict:
        """What the audit trail may hold: no password, only what happened to it."""
        return {"hostname": self.hostname, "username": self.username, "active": self.active,
                "credentials": {KEEP: "unchanged", REPLACE: "password set",
                                CLEAR: "password cleared"}[self.password_action]}


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
        data = self.client.get("relayhost/all")
        if not isinstance(data, list):
            return []
        return sorted((from_wire(d) for d in data if isinstance(d, dict) and d.get("id")),
                      key=lambda r: r.id)

    def get(self, relayhost_id: int) -> Relayhost:
        data = self.client.get(f"relayhost/{int(relayhost_id)}")
        if not isinstance(data, dict) or not data.get("id"):
            raise NotFound(f"Sender-dependent transport {relayhost_id} does not exist")
        return from_wire(data)

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
