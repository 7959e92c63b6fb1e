"""Rate-limit use cases: list the limits a user may see (searched, sorted, paged here),
set or change one, remove one — each audited against the limit's domain."""
from __future__ import annotations

from panel.access import visible_domains
from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.ratelimits import DOMAIN, RateLimit

FRAME_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
SORT_KEYS = {
    "target": lambda r: (r.target.lower(), r.scope),
    "scope": lambda r: (r.scope, r.target.lower()),
    "domain": lambda r: (r.domain, r.scope, r.target.lower()),
    # Strictest first when ascending: messages per second, comparable across frames.
    "limit": lambda r: (r.value / FRAME_SECONDS[r.frame], r.target.lower()),
}


def visible(mc: Mailcow, user) -> list[RateLimit]:
    scope = visible_domains(user)
    found = mc.rate_limits.domains() + mc.rate_limits.mailboxes()
    return found if scope is None else [r for r in found if r.domain in scope]


def list_limits(mc: Mailcow, user, req: PageRequest, domain: str = "",
                kind: str = "") -> Page[RateLimit]:
    found = visible(mc, user)
    if domain:
        found = [r for r in found if r.domain == domain.lower()]
    if kind:
        found = [r for r in found if r.scope == kind]
    if req.search:
        needle = req.search.lower()
        found = [r for r in found if needle in r.target.lower()]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["target"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _domain_of(scope: str, target: str) -> str:
    return target.lower() if scope == DOMAIN else target.rpartition("@")[2].lower()


def set_limit(mc: Mailcow, scope: str, target: str, value: int, frame: str,
              before: RateLimit | None = None) -> Outcome:
    old = [before.value, before.frame] if before else None
    return audited("ratelimit.set", target=target, domain=_domain_of(scope, target),
                   changes={"scope": scope, "limit": [old, [value, frame]]},
                   call=lambda: mc.rate_limits.set(scope, target, value, frame))


def remove_limit(mc: Mailcow, limit: RateLimit) -> Outcome:
    return audited("ratelimit.remove", target=limit.target, domain=limit.domain,
                   changes={"scope": limit.scope, "limit": [limit.value, limit.frame]},
                   call=lambda: mc.rate_limits.remove(limit.scope, limit.target))
