"""Alias use cases: list (from a short-lived cache), add, edit, delete, bulk, expand, export.

Mailcow cannot search or page aliases, and `get/alias/all` takes seconds with tens of
thousands of them. So MailApp keeps the parsed list per process for a short while
(`CACHE_TTL`) and drops it on each of its own writes; a domain filter, and a domain
administrator's few domains, are fetched per domain instead (fast in Mailcow).
"""
from __future__ import annotations

import csv
import io
import threading
import time
import weakref
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass, field

from panel.access import visible_domains
from panel.audit import record
from panel.mailcow import Mailcow, MailcowError, MailcowRefused, Outcome
from panel.mailcow.alias_domains import AliasDomain
from panel.mailcow.aliases import SORT_KEYS, Alias, AliasSettings, matches
from panel.mailcow.paging import Page, PageRequest

CACHE_TTL = 60.0  # seconds; changes made in Mailcow's own UI show up within this
BULK_ACTIONS = ("activate", "deactivate", "delete")


@dataclass
class _Entry:
    fetched: float
    aliases: list[Alias]
    sorted: dict = field(default_factory=dict)  # (sort key, descending) -> sorted list


class AliasCache:
    """Parsed alias lists keyed by the domains fetched (None = the whole server)."""

    def __init__(self, ttl: float = CACHE_TTL) -> None:
        self.ttl = ttl
        self._entries: dict[tuple[str, ...] | None, _Entry] = {}
        self._lock = threading.Lock()
        self.fetches = 0  # how many times Mailcow was asked (tests and benchmarks read it)

    def get(self, key: tuple[str, ...] | None, fetch) -> _Entry:
        with self._lock:
            entry = self._entries.get(key)
            if entry is not None and time.monotonic() - entry.fetched < self.ttl:
                return entry
        aliases = fetch()  # outside the lock: seconds for a whole server
        entry = _Entry(time.monotonic(), aliases)
        with self._lock:
            self.fetches += 1
            self._entries[key] = entry
        return entry

    def fresh_all(self) -> _Entry | None:
        with self._lock:
            entry = self._entries.get(None)
            return entry if entry and time.monotonic() - entry.fetched < self.ttl else None

    def invalidate(self) -> None:
        with self._lock:
            self._entries.clear()


_caches: "weakref.WeakKeyDictionary[Mailcow, AliasCache]" = weakref.WeakKeyDictionary()
_caches_lock = threading.Lock()


def cache_for(mc: Mailcow) -> AliasCache:
    """One cache per Mailcow adapter, that is per app process."""
    with _caches_lock:
        cache = _caches.get(mc)
        if cache is None:
            cache = _caches[mc] = AliasCache()
        return cache


def invalidate(mc: Mailcow) -> None:
    cache_for(mc).invalidate()


# -- scope -------------------------------------------------------------------------------

def alias_scope(mc: Mailcow, user) -> set[str] | None:
    """Domains whose aliases `user` may see: theirs plus the alias domains pointing at
    them; None for a global administrator (everything)."""
    scope = visible_domains(user)
    if scope is None:
        return None
    if not scope:
        return set()
    return with_alias_domains(scope, mc.alias_domains.all())


def with_alias_domains(domains: set[str], alias_domains: Iterable[AliasDomain]) -> set[str]:
    """`domains` and those of `alias_domains` that point at one of them."""
    return domains | {d.name.lower() for d in alias_domains
                      if d.target_domain.lower() in domains}


def in_scope(alias: Alias, scope: set[str] | None) -> bool:
    if scope is None:
        return True
    return alias.domain.lower() in scope or alias.in_primary_domain.lower() in scope


def filter_domains(mc: Mailcow, user) -> list[str]:
    """The domains and alias domains offered in the list's domain filter."""
    scope = alias_scope(mc, user)
    if scope is not None:
        return sorted(scope)
    return sorted(set(mc.domains.names()) | {d.name for d in mc.alias_domains.all()})


def _aliases(mc: Mailcow, scope: set[str] | None, domain: str | None) -> _Entry:
    cache = cache_for(mc)
    if domain is None and scope is None:
        return cache.get(None, mc.aliases.all)
    wanted = {domain.lower()} if domain else scope
    assert wanted is not None
    whole = cache.fresh_all()
    if whole is not None:
        # The whole list is at hand anyway: cheaper than asking Mailcow again.
        key = tuple(sorted(wanted))
        return cache.get(("local",) + key,
                         lambda: [a for a in whole.aliases if a.domain.lower() in wanted])
    key = tuple(sorted(wanted))
    return cache.get(key, lambda: mc.aliases.in_domains(list(key)))


def _sorted(entry: _Entry, req: PageRequest) -> list[Alias]:
    key = (req.sort if req.sort in SORT_KEYS else "address", req.descending)
    found = entry.sorted.get(key)
    if found is None:
        found = sorted(entry.aliases, key=SORT_KEYS[key[0]], reverse=key[1])
        entry.sorted[key] = found
    return found


def filtered(mc: Mailcow, user, req: PageRequest, domain: str | None = None) -> list[Alias]:
    """Every alias `user` may see matching the search and domain filter, sorted.

    The caller has checked `domain` against the user's scope.
    """
    scope = alias_scope(mc, user)
    found = _sorted(_aliases(mc, scope, domain), req)
    if req.search:
        found = [a for a in found if matches(a, req.search)]
    return found if scope is None else [a for a in found if in_scope(a, scope)]


def list_aliases(mc: Mailcow, user, req: PageRequest, domain: str | None = None) -> Page[Alias]:
    found = filtered(mc, user, req, domain)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def visible_by_id(mc: Mailcow, user, ids: Iterable[int]) -> list[Alias] | None:
    """The user's aliases with these ids, or None if any of them is not theirs."""
    wanted = set(ids)
    found = [a for a in filtered(mc, user, PageRequest()) if a.id in wanted]
    if len(found) != len(wanted):
        # Perhaps added in Mailcow since the cache was filled: look once more, fresh.
        invalidate(mc)
        found = [a for a in filtered(mc, user, PageRequest()) if a.id in wanted]
    return found if len(found) == len(wanted) else None


# -- changes -----------------------------------------------------------------------------

def _audited(mc: Mailcow, action: str, target: str, domain: str, changes: dict | None,
             call) -> Outcome:
    try:
        outcome = call()
    except MailcowError as exc:
        record(action, target=target, domain=domain, changes=changes, outcome="failed",
               detail=exc.message)
        raise
    finally:
        invalidate(mc)  # even a refused call may have done part of its work
    record(action, target=target, domain=domain, changes=changes,
           detail="; ".join(outcome.messages + outcome.warnings))
    return outcome


def create_alias(mc: Mailcow, address: str, settings: AliasSettings) -> Outcome:
    domain = address.rpartition("@")[2]
    return _audited(mc, "alias.create", address, domain, asdict(settings),
                    lambda: mc.aliases.add(address, settings))


def update_alias(mc: Mailcow, before: Alias, settings: AliasSettings,
                 address: str | None = None) -> Outcome:
    old = asdict(AliasSettings.of(before))
    new = asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    rename = address if address and address != before.address else None
    if rename:
        changes["address"] = [before.address, rename]
    return _audited(mc, "alias.update", before.address, before.domain, changes,
                    lambda: mc.aliases.edit(before.id, settings, rename))


def set_active(mc: Mailcow, alias: Alias, active: bool) -> Outcome:
    return _audited(mc, "alias.update", alias.address, alias.domain,
                    {"active": [alias.active, active]},
                    lambda: mc.aliases.set_active(alias.id, active))


def delete_alias(mc: Mailcow, alias: Alias) -> Outcome:
    return _audited(mc, "alias.delete", alias.address, alias.domain,
                    {"goto": list(alias.goto)}, lambda: mc.aliases.delete([alias.id]))


@dataclass
class BulkResult:
    done: list[Alias]
    failed: list[Alias]
    messages: list[str]   # Mailcow's reasons for the failures


def bulk(mc: Mailcow, action: str, aliases: list[Alias]) -> BulkResult:
    """Activate, deactivate or delete all of them in ONE Mailcow call.

    Mailcow reports failures without saying which item each belongs to, so after a
    refusal the aliases are read again to tell which ones were changed.
    """
    assert action in BULK_ACTIONS
    ids = [a.id for a in aliases]
    if action == "delete":
        call = lambda: mc.aliases.delete(ids)  # noqa: E731
    else:
        call = lambda: mc.aliases.set_active_many(ids, action == "activate")  # noqa: E731
    try:
        call()
    except MailcowRefused as exc:
        invalidate(mc)
        now = {a.id: a for a in mc.aliases.in_domains(sorted({a.domain for a in aliases}))}
        if action == "delete":
            failed = [a for a in aliases if a.id in now]
        else:
            failed = [a for a in aliases if a.id not in now or
                      now[a.id].active != (action == "activate")]
        result = BulkResult([a for a in aliases if a not in failed], failed, exc.messages)
    else:
        invalidate(mc)
        result = BulkResult(list(aliases), [], [])
    for alias in result.done:
        record(f"alias.{'delete' if action == 'delete' else 'update'}", target=alias.address,
               domain=alias.domain,
               changes=None if action == "delete" else {"active": action == "activate"},
               detail=f"bulk {action} of {len(aliases)}")
    for alias in result.failed:
        record(f"alias.{'delete' if action == 'delete' else 'update'}", target=alias.address,
               domain=alias.domain, outcome="failed",
               changes=None if action == "delete" else {"active": action == "activate"},
               detail="; ".join(result.messages))
    return result


@dataclass
class ExpandItem:
    address: str
    goto: tuple[str, ...]
    error: str | None = None   # None: created


def expansion(alias: Alias, alias_domain: str) -> str:
    """The address `alias` gets on an alias domain; a catch-all stays a catch-all."""
    local = alias.address.rpartition("@")[0]
    return f"{local}@{alias_domain}"


def expand(mc: Mailcow, pairs: list[tuple[Alias, str]]) -> list[ExpandItem]:
    """Create `local@alias-domain` with the same destinations for each (alias, alias domain)."""
    results = []
    try:
        for alias, alias_domain in pairs:
            address = expansion(alias, alias_domain)
            settings = AliasSettings.of(alias)
            try:
                outcome = mc.aliases.add(address, settings)
            except MailcowError as exc:
                record("alias.create", target=address, domain=alias_domain,
                       changes={"expanded_from": alias.address}, outcome="failed",
                       detail=exc.message)
                results.append(ExpandItem(address, alias.goto, exc.message))
                continue
            record("alias.create", target=address, domain=alias_domain,
                   changes={"expanded_from": alias.address, **asdict(settings)},
                   detail="; ".join(outcome.messages))
            results.append(ExpandItem(address, alias.goto))
    finally:
        invalidate(mc)
    return results


# -- export ------------------------------------------------------------------------------

EXPORT_COLUMNS = ("id", "address", "goto", "domain", "sogo_visible", "public_comment",
                  "private_comment", "internal", "active")


def _cell(value: str) -> str:
    # Free text must not start a spreadsheet formula (CSV injection).
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def export_rows(aliases: Iterable[Alias]) -> Iterator[str]:
    """CSV text, a chunk per 500 aliases, for a streamed response."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(EXPORT_COLUMNS)
    for n, a in enumerate(aliases, 1):
        writer.writerow([a.id, a.address, ",".join(a.goto), a.domain, int(a.sogo_visible),
                         _cell(a.public_comment), _cell(a.private_comment), int(a.internal),
                         int(a.active)])
        if n % 500 == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()
