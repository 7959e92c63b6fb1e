"""Mailcow alias domains: another name for a domain (`get/alias-domain`, add, edit, delete)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag, parse_time


@dataclass(frozen=True)
class AliasDomain:
    name: str                # the alias domain, e.g. alias-example.org
    target_domain: str       # the domain whose mailboxes receive its mail
    active: bool
    created: datetime | None = None
    modified: datetime | None = None


def from_wire(d: dict) -> AliasDomain:
    return AliasDomain(
        name=str(d["alias_domain"]),
        target_domain=str(d.get("target_domain") or ""),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


class AliasDomainsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[AliasDomain]:
        data = self.client.get("alias-domain/all")
        # Mailcow answers {} rather than [] when there are none.
        return [from_wire(d) for d in data if isinstance(d, dict) and d.get("alias_domain")] \
            if isinstance(data, list) else []

    def get(self, name: str) -> AliasDomain:
        data = self.client.get("alias-domain/" + quote(name, safe=""))
        if not isinstance(data, dict) or not data.get("alias_domain"):
            raise NotFound(f"Alias domain {name} does not exist")
        return from_wire(data)

    def add(self, name: str, target_domain: str, active: bool = True) -> Outcome:
        return self.client.write("add", "alias-domain", {
            "alias_domain": name, "target_domain": target_domain, "active": flag(active)})

    def set_active(self, names: list[str], active: bool) -> Outcome:
        """One edit call for all of them."""
        return self.client.write("edit", "alias-domain",
                                 {"items": list(names), "attr": {"active": flag(active)}})

    def delete(self, names: list[str]) -> Outcome:
        return self.client.write("delete", "alias-domain", list(names))
