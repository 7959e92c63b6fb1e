"""Mailcow's outgoing TLS policy maps: typed records and their calls.

Each entry overrides Postfix's smtp_tls_policy_maps for one destination (a domain, or
"[host]:port" style next hop), independent of any mailbox's own TLS settings. Mailcow
lets only global administrators manage them and has no search route for them.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.wire import as_int, flag, parse_time

# Postfix's TLS security levels, the values Mailcow's policy column accepts.
POLICIES = ("none", "may", "encrypt", "dane", "dane-only", "fingerprint", "verify", "secure")


def parameters_valid(parameters: str) -> bool:
    """Mailcow's rule: every space-separated word is name=value with text on both sides."""
    return not parameters or all("=" in p and p.index("=") > 0 and p.rindex("=") < len(p) - 1
                                 for p in parameters.split(" "))


@dataclass(frozen=True)
class TlsPolicyMap:
    id: int
    dest: str
    policy: str
    parameters: str
    active: bool
    created: datetime | None = None
    modified: datetime | None = None


@dataclass
class TlsPolicySettings:
    dest: str
    policy: str = "encrypt"
    parameters: str = ""
    active: bool = True

    def wire(self) -> dict:
        return {"dest": self.dest, "policy": self.policy, "parameters": self.parameters,
                "active": flag(self.active)}

    @classmethod
    def of(cls, m: TlsPolicyMap) -> "TlsPolicySettings":
        return cls(dest=m.dest, policy=m.policy, parameters=m.parameters, active=m.active)


def from_wire(d: dict) -> TlsPolicyMap:
    return TlsPolicyMap(
        id=as_int(d.get("id")),
        dest=str(d.get("dest") or ""),
        policy=str(d.get("policy") or ""),
        parameters=str(d.get("parameters") or ""),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


def _items(data: Any) -> list[TlsPolicyMap]:
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("id")] \
        if isinstance(data, list) else []


class TlsPolicyApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[TlsPolicyMap]:
        return _items(self.client.get("tls-policy-map/all"))

    def get(self, map_id: int) -> TlsPolicyMap:
        data = self.client.get(f"tls-policy-map/{int(map_id)}")
        if not isinstance(data, dict) or not data.get("id"):
            raise NotFound(f"TLS policy map {map_id} does not exist")
        return from_wire(data)

    def add(self, settings: TlsPolicySettings) -> Outcome:
        return self.client.write("add", "tls-policy-map", settings.wire())

    def edit(self, map_id: int, settings: TlsPolicySettings) -> Outcome:
        return self.client.write("edit", "tls-policy-map", {"items": [int(map_id)],
                                                            "attr": settings.wire()})

    def set_active_many(self, ids: list[int], active: bool) -> Outcome:
        return self.client.write("edit", "tls-policy-map", {"items": [int(i) for i in ids],
                                                            "attr": {"active": flag(active)}})

    def delete(self, ids: list[int]) -> Outcome:
        return self.client.write("delete", "tls-policy-map", [int(i) for i in ids])
