"""Mailcow forwarding hosts: typed records and their calls.

Mail from a forwarding host (typically a server with a rule that forwards mail here) is
always accepted: no DNS blocklist checks, no greylisting, and its spam is never rejected;
with the spam filter on, spam from it is still filed into the Junk folder. A host name is
resolved by Mailcow when it is added — its SPF record's addresses, else its MX hosts'
addresses, else its A/AAAA records — and each address is stored as its own entry with the
name as `source`. Mailcow keeps the entries
in Redis: there are no ids, the address (or network) is the key.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.wire import flag


@dataclass(frozen=True)
class ForwardingHost:
    host: str              # an address or network
    source: str            # what was typed when it was added (a name, or the address)
    spam_filter: bool      # Mailcow's keep_spam "no": its spam goes to Junk

    @property
    def resolved(self) -> bool:
        """Added by name: `source` is the name this address came from."""
        return self.source.strip() != self.host


def from_wire(d: dict) -> ForwardingHost:
    return ForwardingHost(host=str(d.get("host") or ""), source=str(d.get("source") or ""),
                          spam_filter=str(d.get("keep_spam") or "").lower() != "yes")


def _items(data: Any) -> list[ForwardingHost]:
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("host")] \
        if isinstance(data, list) else []


def added_hosts(outcome: Outcome) -> list[str]:
    """The entries Mailcow made, from ["forwarding_host_added", "a, b"]."""
    for entry in outcome.raw:
        msg = entry.get("msg")
        if isinstance(msg, list) and len(msg) >= 2 and msg[0] == "forwarding_host_added":
            return [h.strip() for h in str(msg[1]).split(",") if h.strip()]
    return []


class ForwardingHostsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def all(self) -> list[ForwardingHost]:
        return _items(self.client.get("fwdhost/all"))

    def add(self, hostname: str, spam_filter: bool) -> Outcome:
        return self.client.write("add", "fwdhost", {"hostname": hostname,
                                                    "filter_spam": flag(spam_filter)})

    def set_spam_filter(self, hosts: list[str], spam_filter: bool) -> Outcome:
        """One edit call for all of them; keep_spam is the inverse of the filter."""
        attr = {"keep_spam": flag(not spam_filter)}
        return self.client.write("edit", "fwdhost", {"items": list(hosts), "attr": attr})

    def delete(self, hosts: list[str]) -> Outcome:
        return self.client.write("delete", "fwdhost", list(hosts))
