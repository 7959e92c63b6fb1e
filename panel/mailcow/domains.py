"""Mailcow domains: typed records and the add / edit / delete / search calls."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import datetime

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.paging import Page, PageRequest, datatables_body
from panel.mailcow.wire import flag, as_int, mib, parse_time

# DataTables column indexes of Mailcow's domain table (see NOTES.md).
SEARCH_COLUMNS = {"domain": 2, "aliases": 3, "mailboxes": 4, "quota": 5, "stats": 6,
                  "defquota": 7, "maxquota": 8, "backupmx": 10, "tags": 14, "active": 15}
SEARCHABLE = ["domain", "tags"]
RATE_FRAMES = ("s", "m", "h", "d")


@dataclass(frozen=True)
class Domain:
    name: str
    description: str
    active: bool
    mailboxes: int
    max_mailboxes: int
    aliases: int
    max_aliases: int
    quota_used: int          # bytes allocated to mailboxes
    quota_total: int         # bytes, the domain quota
    default_mailbox_quota: int
    max_mailbox_quota: int
    bytes_stored: int
    messages: int
    backupmx: bool
    relay_all_recipients: bool
    relay_unknown_only: bool
    gal: bool
    rate_limit_value: int
    rate_limit_frame: str
    tags: tuple[str, ...] = ()
    created: datetime | None = None
    modified: datetime | None = None
    relayhost: int = 0       # id of its sender-dependent transport, 0 for the default route

    @property
    def quota_percent(self) -> int:
        return min(100, round(100 * self.quota_used / self.quota_total)) if self.quota_total else 0

    @property
    def storage_percent(self) -> int:
        return min(100, round(100 * self.bytes_stored / self.quota_total)) if self.quota_total else 0


@dataclass
class DomainSettings:
    """What the add and edit forms send; quotas in MiB as Mailcow expects them."""

    description: str = ""
    max_aliases: int = 400
    max_mailboxes: int = 10
    default_mailbox_quota_mib: int = 3072
    max_mailbox_quota_mib: int = 10240
    quota_mib: int = 10240
    active: bool = True
    backupmx: bool = False
    relay_all_recipients: bool = False
    relay_unknown_only: bool = False
    gal: bool = True
    rate_limit_value: int = 0
    rate_limit_frame: str = "s"
    tags: list[str] = field(default_factory=list)
    relayhost: int | None = None  # None: leave Mailcow's choice as it is

    def wire(self) -> dict:
        extra = {} if self.relayhost is None else {"relayhost": str(self.relayhost)}
        return {
            "description": self.description,
            "aliases": str(self.max_aliases),
            "mailboxes": str(self.max_mailboxes),
            "defquota": str(self.default_mailbox_quota_mib),
            "maxquota": str(self.max_mailbox_quota_mib),
            "quota": str(self.quota_mib),
            "active": flag(self.active),
            "backupmx": flag(self.backupmx),
            "relay_all_recipients": flag(self.relay_all_recipients),
            "relay_unknown_only": flag(self.relay_unknown_only),
            "gal": flag(self.gal),
            "rl_value": str(self.rate_limit_value) if self.rate_limit_value else "",
            "rl_frame": self.rate_limit_frame,
            "tags": list(self.tags),
            **extra,
        }

    @classmethod
    def of(cls, domain: Domain) -> "DomainSettings":
        return cls(
            description=domain.description,
            max_aliases=domain.max_aliases,
            max_mailboxes=domain.max_mailboxes,
            default_mailbox_quota_mib=mib(domain.default_mailbox_quota),
            max_mailbox_quota_mib=mib(domain.max_mailbox_quota),
            quota_mib=mib(domain.quota_total),
            active=domain.active,
            backupmx=domain.backupmx,
            relay_all_recipients=domain.relay_all_recipients,
            relay_unknown_only=domain.relay_unknown_only,
            gal=domain.gal,
            rate_limit_value=domain.rate_limit_value,
            rate_limit_frame=domain.rate_limit_frame,
            tags=list(domain.tags),
            relayhost=domain.relayhost,
        )


def from_wire(d: dict) -> Domain:
    rl = d.get("rl") or {}
    return Domain(
        name=d["domain_name"],
        description=d.get("description") or "",
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        mailboxes=as_int(d.get("mboxes_in_domain")),
        max_mailboxes=as_int(d.get("max_num_mboxes_for_domain")),
        aliases=as_int(d.get("aliases_in_domain")),
        max_aliases=as_int(d.get("max_num_aliases_for_domain")),
        quota_used=as_int(d.get("quota_used_in_domain")),
        quota_total=as_int(d.get("max_quota_for_domain")),
        default_mailbox_quota=as_int(d.get("def_quota_for_mbox")),
        max_mailbox_quota=as_int(d.get("max_quota_for_mbox")),
        bytes_stored=as_int(d.get("bytes_total")),
        messages=as_int(d.get("msgs_total")),
        backupmx=as_int(d.get("backupmx_int", d.get("backupmx"))) == 1,
        relay_all_recipients=as_int(d.get("relay_all_recipients_int",
                                          d.get("relay_all_recipients"))) == 1,
        relay_unknown_only=as_int(d.get("relay_unknown_only_int",
                                        d.get("relay_unknown_only"))) == 1,
        gal=as_int(d.get("gal_int", d.get("gal"))) == 1,
        rate_limit_value=as_int(rl.get("value")) if isinstance(rl, dict) else 0,
        rate_limit_frame=(rl.get("frame") if isinstance(rl, dict) else None) or "s",
        tags=tuple(d.get("tags") or ()),
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
        relayhost=as_int(d.get("relayhost")),
    )


NAMES_TTL = 60.0  # seconds a domain-name list is reused for pickers and filters


class DomainsApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client
        # Mailcow has no route lighter than `get/domain/all` for the names; on a big
        # server it costs hundreds of ms, and every filter dropdown needs it. Reused
        # while the domain count (a one-row search) is unchanged, for NAMES_TTL at most,
        # and dropped on MailApp's own adds and deletes.
        self._names: tuple[float, int, list[str]] | None = None

    def search(self, req: PageRequest) -> Page[Domain]:
        body = datatables_body(req, SEARCH_COLUMNS, SEARCHABLE)
        data = self.client.search("domain", body)
        return Page([from_wire(d) for d in data.get("data") or []],
                    as_int(data.get("recordsFiltered")), req)

    def get(self, name: str) -> Domain:
        data = self.client.get(f"domain/{name}")
        if not isinstance(data, dict) or not data.get("domain_name"):
            raise NotFound(f"Domain {name} does not exist")
        return from_wire(data)

    def names(self) -> list[str]:
        """All domain names, for pickers and filters (cached, see __init__)."""
        cached = self._names
        if cached is not None and time.monotonic() - cached[0] < NAMES_TTL:
            # Domains added or removed elsewhere (Mailcow's own UI) change the count.
            if self.search(PageRequest(per_page=1)).total == cached[1]:
                return list(cached[2])
        data = self.client.get("domain/all")
        names = sorted(d["domain_name"] for d in data) if isinstance(data, list) else []
        self._names = (time.monotonic(), len(names), names)
        return list(names)

    def add(self, name: str, settings: DomainSettings, dkim_selector: str = "dkim",
            dkim_key_size: int = 2048) -> Outcome:
        body = {"domain": name, **settings.wire(),
                "dkim_selector": dkim_selector, "key_size": str(dkim_key_size),
                "restart_sogo": "0"}
        self._names = None
        return self.client.write("add", "domain", body)

    def edit(self, name: str, settings: DomainSettings) -> Outcome:
        return self.client.write("edit", "domain", {"items": [name], "attr": settings.wire()})

    def remove_tags(self, name: str, tags: list[str]) -> Outcome:
        return self.client.write("delete", f"domain/tag/{name}", list(tags))

    def delete(self, names: list[str]) -> Outcome:
        self._names = None
        return self.client.write("delete", "domain", list(names))
