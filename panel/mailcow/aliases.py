"""Mailcow aliases: typed records and the add / edit / delete / list calls.

Mailcow has no search route for aliases: lists come whole, per domain
(`get/alias/all/{domain}`, fast) or for the whole server (`get/alias/all`, seconds
with thousands of aliases), and are searched and paged by MailApp.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.wire import as_int, flag, parse_time

# Mailcow stores these targets for the goto_null / goto_spam / goto_ham switches.
SPECIAL_TARGETS = {"null@localhost": "discard", "spam@localhost": "learn_spam",
                   "ham@localhost": "learn_ham"}
SPECIAL_SWITCHES = {"discard": "goto_null", "learn_spam": "goto_spam", "learn_ham": "goto_ham"}


@dataclass(frozen=True)
class Alias:
    id: int
    address: str             # "@domain" for a catch-all
    domain: str
    goto: tuple[str, ...]    # destination addresses, in Mailcow's order
    active: bool
    is_catch_all: bool = False
    internal: bool = False
    sogo_visible: bool = False
    sender_allowed: bool = False
    public_comment: str = ""
    private_comment: str = ""
    in_primary_domain: str = ""   # the target domain when `domain` is an alias domain
    created: datetime | None = None
    modified: datetime | None = None

    @property
    def special(self) -> str | None:
        """"discard", "learn_spam" or "learn_ham" when the alias feeds one of those."""
        return SPECIAL_TARGETS.get(self.goto[0]) if len(self.goto) == 1 else None


@dataclass
class AliasSettings:
    """What the add and edit calls send.

    `special` ("discard", "learn_spam", "learn_ham") replaces the destinations.
    """

    goto: list[str] = field(default_factory=list)
    special: str | None = None
    active: bool = True
    sogo_visible: bool = False
    public_comment: str = ""
    private_comment: str = ""
    internal: bool = False   # only mailboxes of this Mailcow may send to it

    def wire(self) -> dict:
        body: dict[str, Any] = {
            "goto": ",".join(self.goto),
            "active": flag(self.active),
            "sogo_visible": flag(self.sogo_visible),
            "public_comment": self.public_comment,
            "private_comment": self.private_comment,
            "internal": flag(self.internal),
        }
        if self.special is not None:
            body[SPECIAL_SWITCHES[self.special]] = "1"
            body["goto"] = ""
        return body

    @classmethod
    def of(cls, alias: Alias) -> "AliasSettings":
        special = alias.special
        return cls(goto=[] if special else list(alias.goto), special=special,
                   active=alias.active, sogo_visible=alias.sogo_visible,
                   public_comment=alias.public_comment, private_comment=alias.private_comment,
                   internal=alias.internal)


def split_goto(value: Any) -> tuple[str, ...]:
    """Mailcow stores destinations comma-separated."""
    return tuple(part.strip() for part in str(value or "").split(",") if part.strip())


def from_wire(d: dict) -> Alias:
    address = str(d["address"])
    return Alias(
        id=as_int(d.get("id")),
        address=address,
        domain=d.get("domain") or address.rpartition("@")[2],
        goto=split_goto(d.get("goto")),
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        is_catch_all=as_int(d.get("is_catch_all")) == 1,
        internal=as_int(d.get("internal")) == 1,
        sogo_visible=as_int(d.get("sogo_visible_int", d.get("sogo_visible"))) == 1,
        sender_allowed=as_int(d.get("sender_allowed")) == 1,
        public_comment=d.get("public_comment") or "",
        private_comment=d.get("private_comment") or "",
        in_primary_domain=d.get("in_primary_domain") or "",
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
    )


def added_id(outcome: Outcome) -> int | None:
    """The new alias's id from ["alias_added", address, "<id>"] in add's answer."""
    for entry in outcome.raw:
        msg = entry.get("msg")
        if isinstance(msg, list) and len(msg) >= 3 and msg[0] == "alias_added":
            return as_int(msg[2]) or None
    return None


SORT_KEYS = {
    "address": lambda a: (a.address.lstrip("@").lower(), a.address),
    "domain": lambda a: (a.domain, a.address.lower()),
    "goto": lambda a: ",".join(a.goto).lower(),
    "active": lambda a: a.active,
    "created": lambda a: a.created or datetime.min,
}


def matches(alias: Alias, needle: str) -> bool:
    needle = needle.lower()
    return (needle in alias.address.lower() or any(needle in g.lower() for g in alias.goto)
            or needle in alias.public_comment.lower())


def local_page(found: list[Alias], req: PageRequest) -> Page[Alias]:
    """Search, sort and page aliases MailApp fetched (Mailcow cannot page them)."""
    if req.search:
        found = [a for a in found if matches(a, req.search)]
    found = sorted(found, key=SORT_KEYS.get(req.sort, SORT_KEYS["address"]),
                   reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _items(data: Any) -> list[Alias]:
    # Mailcow answers {} rather than [] when a domain has no aliases.
    return [from_wire(d) for d in data if isinstance(d, dict) and d.get("address")] \
        if isinstance(data, list) else []


class AliasesApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    def get(self, alias_id: int) -> Alias:
        data = self.client.get(f"alias/{int(alias_id)}")
        if not isinstance(data, dict) or not data.get("address"):
            raise NotFound(f"Alias {alias_id} does not exist")
        return from_wire(data)

    def in_domains(self, domains: list[str]) -> list[Alias]:
        """The aliases of these domains (mailboxes' own addresses left out), domain by domain."""
        wanted = [d.lower() for d in domains if d]
        if not wanted:
            return []
        data = self.client.get("alias/all/" + ",".join(quote(d, safe="") for d in wanted))
        return [a for a in _items(data) if a.domain.lower() in wanted]

    def all(self) -> list[Alias]:
        """Every alias of every domain and alias domain: seconds with thousands of them."""
        return _items(self.client.get("alias/all"))

    def add(self, address: str, settings: AliasSettings) -> Outcome:
        return self.client.write("add", "alias", {"address": address, **settings.wire()})

    def edit(self, alias_id: int, settings: AliasSettings, address: str | None = None) -> Outcome:
        """Save the settings; `address` renames the alias when given."""
        attr = settings.wire()
        if address:
            attr["address"] = address
        return self._edit(alias_id, attr)

    def set_goto(self, alias_id: int, goto: list[str]) -> Outcome:
        """Replace the destinations, leaving everything else as it is."""
        return self._edit(alias_id, {"goto": ",".join(goto)})

    def set_active(self, alias_id: int, active: bool) -> Outcome:
        return self._edit(alias_id, {"active": flag(active)})

    def set_active_many(self, alias_ids: list[int], active: bool) -> Outcome:
        """One edit call for all of them: Mailcow applies `attr` to every item."""
        return self.client.write("edit", "alias", {"items": [str(int(i)) for i in alias_ids],
                                                   "attr": {"active": flag(active)}})

    def delete(self, alias_ids: list[int]) -> Outcome:
        return self.client.write("delete", "alias", [str(int(i)) for i in alias_ids])

    def _edit(self, alias_id: int, attr: dict) -> Outcome:
        return self.client.write("edit", "alias", {"items": [str(int(alias_id))], "attr": attr})
