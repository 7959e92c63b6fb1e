"""Mailcow mailboxes: typed records and the add / edit / delete / search calls."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import quote

from panel.mailcow.client import MailcowClient, Outcome
from panel.mailcow.errors import NotFound
from panel.mailcow.paging import Page, PageRequest, datatables_body
from panel.mailcow.wire import as_int, flag, mib, parse_time

# DataTables column indexes of Mailcow's mailbox table (see NOTES.md).
SEARCH_COLUMNS = {"username": 2, "quota": 3, "last_mail_login": 4, "last_pw_change": 5,
                  "in_use": 6, "name": 7, "messages": 20, "tags": 23, "active": 24}
# Mailcow's SQL fails when asked to search a column without a table column behind it
# (the login, usage and message columns), or to sort by tags (searched through a join).
SEARCHABLE = ["username", "name", "tags"]
SORTABLE = [name for name in SEARCH_COLUMNS if name != "tags"]
RATE_FRAMES = ("s", "m", "h", "d")
# The *_access flags of a mailbox's attributes, in Mailcow's order.
PROTOCOLS = ("imap", "pop3", "smtp", "sieve", "sogo", "eas", "dav")
ACTIVE_STATES = (0, 1, 2)
QUARANTINE_NOTIFICATIONS = ("never", "hourly", "daily", "weekly")
QUARANTINE_CATEGORIES = ("reject", "add_header", "all")
# Mailcow's user ACL: what the mailbox user may change themselves, with the values of
# Mailcow's Default mailbox template (get/mailbox/template, recording 86).
USER_ACL_DEFAULTS = {"spam_alias": True, "tls_policy": True, "spam_score": True,
                     "spam_policy": True, "delimiter_action": True, "syncjobs": False,
                     "eas_reset": True, "sogo_profile_reset": False, "pushover": True,
                     "quarantine": True, "quarantine_attachments": True,
                     "quarantine_notification": True, "quarantine_category": True,
                     "app_passwds": True}
USER_ACL = tuple(USER_ACL_DEFAULTS)
# Tagged mail (user+tag@domain): into a subfolder named after the tag, "[tag]" in the
# subject, or delivered as is. Mailcow keeps the choice in Redis.
TAGGED_MAIL = ("subfolder", "subject", "none")
# How many look-alike domain names one check reads (see _has_longer_namesakes).
NAMESAKES_READ = 100


@dataclass(frozen=True)
class Mailbox:
    username: str
    local_part: str
    domain: str
    name: str
    active: bool
    quota: int               # bytes; 0 is unlimited
    quota_used: int          # bytes stored
    messages: int
    force_pw_update: bool = False
    force_tfa: bool = False
    tls_enforce_in: bool = False
    tls_enforce_out: bool = False
    imap_access: bool = True
    pop3_access: bool = True
    smtp_access: bool = True
    sieve_access: bool = True
    sogo_access: bool = True
    eas_access: bool = True
    dav_access: bool = True
    quarantine_notification: str = "hourly"
    quarantine_category: str = "reject"
    recovery_email: str = ""
    authsource: str = "mailcow"
    tags: tuple[str, ...] = ()
    custom_attributes: dict[str, str] = field(default_factory=dict)
    # Who the mailbox may send as besides itself: addresses, "@domain" or "*" (anything).
    # Aliases pointing at the mailbox are always allowed and Mailcow does not list them.
    sender_acl: tuple[str, ...] = ()
    rate_limit_value: int = 0
    rate_limit_frame: str = "s"
    rate_limit_scope: str = "domain"   # "mailbox" when set on the mailbox itself
    max_new_quota: int = 0             # bytes this mailbox may grow to within its domain
    is_relayed: bool = False
    password_updated: datetime | None = None
    last_imap_login: datetime | None = None
    last_smtp_login: datetime | None = None
    last_pop3_login: datetime | None = None
    last_sso_login: datetime | None = None
    created: datetime | None = None
    modified: datetime | None = None
    # Mailcow's active value: 1 active, 0 inactive, 2 receives mail but refuses logins.
    active_state: int = 1
    relayhost: int = 0                 # its sender-dependent transport, 0 the domain's choice

    @property
    def quota_percent(self) -> int:
        return min(100, round(100 * self.quota_used / self.quota)) if self.quota else 0

    @property
    def sending_enabled(self) -> bool:
        """Mailcow's `smtp_access`: may the mailbox log in to SMTP and send mail."""
        return self.smtp_access

    @property
    def last_mail_login(self) -> datetime | None:
        seen = [t for t in (self.last_imap_login, self.last_pop3_login, self.last_smtp_login) if t]
        return max(seen) if seen else None


@dataclass
class MailboxSettings:
    """What the add and edit calls send; the quota in MiB as Mailcow expects it."""

    name: str = ""
    quota_mib: int = 1024
    active: bool = True
    force_pw_update: bool = False
    tls_enforce_in: bool = False
    tls_enforce_out: bool = False
    imap_access: bool = True
    pop3_access: bool = True
    smtp_access: bool = True
    sieve_access: bool = True
    sogo_access: bool = True
    eas_access: bool = True
    dav_access: bool = True
    quarantine_notification: str = "hourly"
    quarantine_category: str = "reject"
    tags: list[str] = field(default_factory=list)
    # Mailcow's 0/1/2 (2: mail is received, logins refused); None follows `active`.
    active_state: int | None = None
    relayhost: int | None = None       # None: leave Mailcow's choice as it is

    def wire(self) -> dict:
        body = {
            "name": self.name,
            "quota": str(self.quota_mib),
            "active": str(self.active_state) if self.active_state in ACTIVE_STATES
            else flag(self.active),
            "force_pw_update": flag(self.force_pw_update),
            "tls_enforce_in": flag(self.tls_enforce_in),
            "tls_enforce_out": flag(self.tls_enforce_out),
            "quarantine_notification": self.quarantine_notification,
            "quarantine_category": self.quarantine_category,
            "tags": list(self.tags),
        }
        for protocol in PROTOCOLS:
            body[f"{protocol}_access"] = flag(getattr(self, f"{protocol}_access"))
        if self.relayhost is not None:
            body["relayhost"] = str(self.relayhost)
        return body

    @classmethod
    def of(cls, mailbox: Mailbox) -> "MailboxSettings":
        return cls(
            name=mailbox.name,
            quota_mib=mib(mailbox.quota),
            active=mailbox.active,
            force_pw_update=mailbox.force_pw_update,
            tls_enforce_in=mailbox.tls_enforce_in,
            tls_enforce_out=mailbox.tls_enforce_out,
            quarantine_notification=mailbox.quarantine_notification,
            quarantine_category=mailbox.quarantine_category,
            tags=list(mailbox.tags),
            active_state=mailbox.active_state,
            **{f"{p}_access": getattr(mailbox, f"{p}_access") for p in PROTOCOLS},
        )


def _on(value: Any, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return as_int(value) == 1


def _active_state(value: Any) -> int:
    state = as_int(value)
    return state if state in ACTIVE_STATES else 0


def _epoch(value: Any) -> datetime | None:
    """Last logins come as Unix seconds, 0 for never."""
    seconds = as_int(value)
    return datetime.fromtimestamp(seconds, timezone.utc) if seconds > 0 else None


def from_wire(d: dict) -> Mailbox:
    attrs = d.get("attributes") if isinstance(d.get("attributes"), dict) else {}
    rl = d.get("rl") if isinstance(d.get("rl"), dict) else {}
    custom = d.get("custom_attributes")
    # PHP encodes an empty map as [], a filled one as an object.
    custom = {str(k): str(v) for k, v in custom.items()} if isinstance(custom, dict) else {}
    acl = d.get("sender_acl")
    username = d["username"]
    return Mailbox(
        username=username,
        local_part=d.get("local_part") or username.split("@", 1)[0],
        domain=d.get("domain") or username.split("@", 1)[-1],
        name=d.get("name") or "",
        active=as_int(d.get("active_int", d.get("active"))) == 1,
        quota=as_int(d.get("quota")),
        quota_used=as_int(d.get("quota_used")),
        messages=as_int(d.get("messages")),
        force_pw_update=_on(attrs.get("force_pw_update")),
        force_tfa=_on(attrs.get("force_tfa")),
        tls_enforce_in=_on(attrs.get("tls_enforce_in")),
        tls_enforce_out=_on(attrs.get("tls_enforce_out")),
        **{f"{p}_access": _on(attrs.get(f"{p}_access"), default=True) for p in PROTOCOLS},
        quarantine_notification=attrs.get("quarantine_notification") or "hourly",
        quarantine_category=attrs.get("quarantine_category") or "reject",
        recovery_email=attrs.get("recovery_email") or "",
        authsource=d.get("authsource") or "mailcow",
        tags=tuple(d.get("tags") or ()),
        custom_attributes=custom,
        sender_acl=tuple(str(a) for a in acl) if isinstance(acl, list) else (),
        rate_limit_value=as_int(rl.get("value")),
        rate_limit_frame=rl.get("frame") or "s",
        rate_limit_scope=d.get("rl_scope") or "domain",
        max_new_quota=as_int(d.get("max_new_quota")),
        is_relayed=as_int(d.get("is_relayed")) == 1,
        relayhost=as_int(attrs.get("relayhost")),
        password_updated=parse_time(attrs.get("passwd_update")),
        last_imap_login=_epoch(d.get("last_imap_login")),
        last_smtp_login=_epoch(d.get("last_smtp_login")),
        last_pop3_login=_epoch(d.get("last_pop3_login")),
        last_sso_login=_epoch(d.get("last_sso_login")),
        created=parse_time(d.get("created")),
        modified=parse_time(d.get("modified")),
        active_state=_active_state(d.get("active_int", d.get("active"))),
    )


# Sorting a page MailApp assembles itself, by the same names as SEARCH_COLUMNS.
SORT_KEYS = {
    "username": lambda m: m.username,
    "quota": lambda m: m.quota,
    "last_mail_login": lambda m: m.last_mail_login or datetime.min.replace(tzinfo=timezone.utc),
    "last_pw_change": lambda m: m.password_updated or datetime.min,
    "in_use": lambda m: m.quota_used / m.quota if m.quota else 0,
    "name": lambda m: m.name.lower(),
    "messages": lambda m: m.messages,
    "active": lambda m: m.active,
}


def matches(mailbox: Mailbox, needle: str) -> bool:
    """The local stand-in for Mailcow's search: a substring of username, name or a tag."""
    needle = needle.lower()
    return (needle in mailbox.username.lower() or needle in mailbox.name.lower()
            or any(needle in t.lower() for t in mailbox.tags))


def local_page(found: list[Mailbox], req: PageRequest) -> Page[Mailbox]:
    """Search, sort and page a list already fetched, the way `search/mailbox` would."""
    if req.search:
        found = [m for m in found if matches(m, req.search)]
    found = sorted(found, key=SORT_KEYS.get(req.sort, SORT_KEYS["username"]),
                   reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _segment(value: str) -> str:
    """A path segment for Mailcow's router: nothing in it may start a new segment or query."""
    return quote(value, safe="@+")


class MailboxesApi:
    def __init__(self, client: MailcowClient) -> None:
        self.client = client

    # -- reading ---------------------------------------------------------------------
    def search(self, req: PageRequest, domains: list[str] | None = None) -> Page[Mailbox]:
        """A page of mailboxes through `search/mailbox`, optionally within some domains.

        Mailcow's search has no domain filter. One domain is narrowed on the server by
        searching the username column for "@domain"; several domains are paged one after
        the other (sorted within each domain, domains in name order).
        """
        if domains is None:
            body = datatables_body(req, SEARCH_COLUMNS, SEARCHABLE)
            data = self.client.search("mailbox", body)
            return Page([from_wire(m) for m in data.get("data") or []],
                        as_int(data.get("recordsFiltered")), req)
        wanted = sorted({d.lower() for d in domains})
        if len(wanted) == 1:
            return self._search_domain(req, wanted[0])
        return self._search_domains(req, wanted)

    def get(self, username: str) -> Mailbox:
        data = self.client.get(f"mailbox/{_segment(username)}")
        if not isinstance(data, dict) or not data.get("username"):
            raise NotFound(f"Mailbox {username} does not exist")
        return from_wire(data)

    def in_domain(self, domain: str) -> list[Mailbox]:
        """Every mailbox of one domain (`get/mailbox/all/{domain}`: slow for large domains)."""
        data = self.client.get(f"mailbox/all/{_segment(domain)}")
        # Mailcow answers every mailbox it has when it does not know the domain: keep ours.
        items = data if isinstance(data, list) else []
        return [m for m in (from_wire(d) for d in items) if m.domain.lower() == domain.lower()]

    def _domain_body(self, req: PageRequest, domain: str, start: int, length: int) -> dict:
        body = datatables_body(req, SEARCH_COLUMNS, SEARCHABLE)
        column = body["columns"][SEARCH_COLUMNS["username"]]
        # A column's own search value is ANDed with the global one.
        column["searchable"] = "true"
        column["search"] = {"value": "@" + domain, "regex": "false"}
        body["start"], body["length"] = start, length
        return body

    def _has_longer_namesakes(self, domain: str) -> bool:
        """Is there a domain whose name starts with this one's (example.org, example.org.uk)?

        "@example.org" also matches their usernames, so the narrowed search would count
        them; such domains are read whole instead.
        """
        req = PageRequest(page=1, per_page=NAMESAKES_READ, search=domain)
        body = datatables_body(req, {"domain": 2}, ["domain"])
        data = self.client.search("domain", body)
        if as_int(data.get("recordsFiltered")) <= 1:
            return False
        names = [str(d.get("domain_name", "")).lower() for d in data.get("data") or []]
        if as_int(data.get("recordsFiltered")) > len(names):
            return True  # too many to tell; the slow path is always right
        return any(n != domain and n.startswith(domain) for n in names)

    def _search_domain(self, req: PageRequest, domain: str) -> Page[Mailbox]:
        if self._has_longer_namesakes(domain):
            return local_page(self.in_domain(domain), req)
        start = (req.page - 1) * req.per_page
        items, total = self._narrowed(req, domain, start, req.per_page)
        return Page(items, total, req)

    def _search_domains(self, req: PageRequest, domains: list[str]) -> Page[Mailbox]:
        slow = {d for d in domains if self._has_longer_namesakes(d)}
        whole = PageRequest(1, 10**9, req.search, req.sort, req.descending)
        everything = {d: local_page(self.in_domain(d), whole).items for d in slow}
        counts = [len(everything[d]) if d in slow else self._narrowed(req, d, 0, 0)[1]
                  for d in domains]
        start, end = (req.page - 1) * req.per_page, req.page * req.per_page
        items: list[Mailbox] = []
        offset = 0
        for domain, count in zip(domains, counts, strict=True):
            low, high = max(start, offset), min(end, offset + count)
            if low < high:
                if domain in slow:
                    items += everything[domain][low - offset:high - offset]
                else:
                    items += self._narrowed(req, domain, low - offset, high - low)[0]
            offset += count
        return Page(items, sum(counts), req)

    def _narrowed(self, req: PageRequest, domain: str, start: int,
                  length: int) -> tuple[list[Mailbox], int]:
        """Rows start..start+length of one domain's matches, and how many match in all."""
        data = self.client.search("mailbox", self._domain_body(req, domain, start, length))
        items = [m for m in (from_wire(d) for d in data.get("data") or [])
                 if m.domain.lower() == domain]
        return items, as_int(data.get("recordsFiltered"))

    # -- writing ---------------------------------------------------------------------
    def add(self, local_part: str, domain: str, password: str, settings: MailboxSettings,
            rate_limit_value: int = 0, rate_limit_frame: str = "s") -> Outcome:
        body = {"local_part": local_part, "domain": domain, **settings.wire(),
                "password": password, "password2": password,
                "rl_value": str(rate_limit_value) if rate_limit_value else "",
                "rl_frame": rate_limit_frame}
        return self.client.write("add", "mailbox", body)

    def edit(self, username: str, settings: MailboxSettings) -> Outcome:
        return self._edit(username, settings.wire())

    def set_password(self, username: str, password: str) -> Outcome:
        return self._edit(username, {"password": password, "password2": password})

    def set_sending(self, username: str, enabled: bool) -> Outcome:
        """Allow or stop SMTP for the mailbox (Mailcow's `smtp_access` attribute)."""
        return self._edit(username, {"smtp_access": flag(enabled)})

    def set_protocols(self, username: str, **enabled: bool) -> Outcome:
        """Change some of imap/pop3/smtp/sieve/sogo/eas/dav access, leaving the rest."""
        unknown = set(enabled) - set(PROTOCOLS)
        if unknown:
            raise ValueError(f"unknown protocols: {', '.join(sorted(unknown))}")
        return self._edit(username, {f"{p}_access": flag(on) for p, on in enabled.items()})

    def set_sender_acl(self, username: str, addresses: list[str]) -> Outcome:
        """Replace who the mailbox may send as; an empty list resets it to its own aliases.

        Mailcow reads ["default"] as "nothing extra" and drops any entry it cannot
        accept with a `sender_acl_invalid` message.
        """
        return self._edit(username, {"sender_acl": list(addresses) or ["default"]})

    def set_active(self, usernames: list[str], state: int) -> Outcome:
        """One edit call for many mailboxes: 1 active, 0 inactive, 2 logins refused."""
        if state not in ACTIVE_STATES:
            raise ValueError(f"unknown active state {state}")
        return self.client.write("edit", "mailbox",
                                 {"items": list(usernames), "attr": {"active": str(state)}})

    def set_rate_limit(self, username: str, value: int, frame: str) -> Outcome:
        """The mailbox's own rate limit (`edit/rl-mbox`); 0 falls back to the domain's."""
        if frame not in RATE_FRAMES:
            raise ValueError(f"unknown rate limit frame {frame}")
        return self.client.write("edit", "rl-mbox", {
            "items": [username], "attr": {"rl_value": str(value) if value else "",
                                          "rl_frame": frame}})

    def set_tls_policy(self, username: str, enforce_in: bool, enforce_out: bool) -> Outcome:
        """Mailcow's mailbox edit ignores the TLS flags; they have their own route."""
        return self.client.write("edit", "tls_policy", {
            "items": [username], "attr": {"tls_enforce_in": flag(enforce_in),
                                          "tls_enforce_out": flag(enforce_out)}})

    def set_quarantine_notification(self, username: str, notification: str) -> Outcome:
        if notification not in QUARANTINE_NOTIFICATIONS:
            raise ValueError(f"unknown quarantine notification {notification}")
        return self.client.write("edit", "quarantine_notification", {
            "items": [username], "attr": {"quarantine_notification": notification}})

    def set_quarantine_category(self, username: str, category: str) -> Outcome:
        if category not in QUARANTINE_CATEGORIES:
            raise ValueError(f"unknown quarantine category {category}")
        return self.client.write("edit", "quarantine_category", {
            "items": [username], "attr": {"quarantine_category": category}})

    def set_user_acl(self, username: str, allowed: list[str]) -> Outcome:
        """Replace the user ACL: the flags listed are on, every other one off."""
        unknown = set(allowed) - set(USER_ACL)
        if unknown:
            raise ValueError(f"unknown user ACL flags: {', '.join(sorted(unknown))}")
        return self.client.write("edit", "user-acl", {
            "items": [username], "attr": {"user_acl": [a for a in USER_ACL if a in allowed]}})

    def set_tagged_mail(self, username: str, handling: str) -> Outcome:
        """Mailcow's `delimiter_action`: subfolder, subject or none."""
        if handling not in TAGGED_MAIL:
            raise ValueError(f"unknown tagged mail handling {handling}")
        return self.client.write("edit", "delimiter_action", {
            "items": [username], "attr": {"tagged_mail_handler": handling}})

    def set_custom_attributes(self, username: str, attributes: dict[str, str]) -> Outcome:
        """Replace all custom attributes (Mailcow stores the map it is given, whole)."""
        return self.client.write("edit", "mailbox/custom-attribute", {
            "items": [username], "attr": {"attribute": list(attributes),
                                          "value": list(attributes.values())}})

    def remove_tags(self, username: str, tags: list[str]) -> Outcome:
        return self.client.write("delete", f"mailbox/tag/{_segment(username)}", list(tags))

    def delete(self, usernames: list[str]) -> Outcome:
        return self.client.write("delete", "mailbox", list(usernames))

    def _edit(self, username: str, attr: dict) -> Outcome:
        return self.client.write("edit", "mailbox", {"items": [username], "attr": attr})
