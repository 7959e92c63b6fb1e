"""Mailcow time-limited aliases: addresses Mailcow makes up for a mailbox that deliver to
it until they expire (Mailcow's "spam aliases")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import as_int, parse_time

VALIDITY_MAX_HOURS = 87600


@dataclass(frozen=True)
class TimeLimitedAlias:
    address: str
    goto: str
    description: str
    expires: datetime | None   # UTC; None if Mailcow gave none
    permanent: bool = False
    created: datetime | None = None

    @property
    def expired(self) -> bool:
        return not self.permanent and self.expires is not None and \
            self.expires <= datetime.now(timezone.utc)


def from_wire(d: dict) -> TimeLimitedAlias:
    seconds = as_int(d.get("validity"))
    return TimeLimitedAlias(
        address=str(d.get("address") or ""),
        goto=str(d.get("goto") or ""),
        description=str(d.get("description") or ""),
        expires=datetime.fromtimestamp(seconds, timezone.utc) if seconds > 0 else None,
        permanent=as_int(d.get("permanent")) == 1,
        created=parse_time(d.get("created")),
    )


class TimeLimitedAliasesApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def of_mailbox(self, username: str) -> list[TimeLimitedAlias]:
        data = self.client.get(f"time_limited_aliases/{quote(username, safe='@+')}")
        items = data if isinstance(data, list) else []
        wanted = username.lower()
        found = [from_wire(d) for d in items if isinstance(d, dict)
                 and str(d.get("goto", "")).lower() == wanted]
        never = datetime.max.replace(tzinfo=timezone.utc)
        return sorted(found, key=lambda a: (a.permanent, a.expires or never, a.address))

    def add(self, username: str, domain: str, description: str, validity_hours: int,
            permanent: bool = False) -> Outcome:
        if not 1 <= validity_hours <= VALIDITY_MAX_HOURS:
            raise ValueError("validity out of range")
        return self.client.write("add", "time_limited_alias", {
            "username": username, "domain": domain, "description": description,
            "validity": validity_hours, "permanent": permanent})

    def delete(self, addresses: list[str]) -> Outcome:
        return self.client.write("delete", "time_limited_alias", list(addresses))
