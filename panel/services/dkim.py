"""DKIM key use cases: the per-domain list (paged over names, keys fetched per page only),
generate, import, duplicate and delete — all audited, private keys never recorded."""
from __future__ import annotations

from dataclasses import dataclass

from panel.audit import audited
from panel.mailcow import Mailcow, Outcome
from panel.mailcow.dkim import DkimKey
from panel.mailcow.paging import Page, PageRequest

DOMAIN, ALIAS_DOMAIN = "domain", "alias_domain"


@dataclass(frozen=True)
class DkimRow:
    domain: str
    kind: str              # DOMAIN or ALIAS_DOMAIN
    key: DkimKey | None


def names(mc: Mailcow) -> dict[str, str]:
    """Every domain and alias domain that can hold a key: {name: kind}."""
    found = {name: DOMAIN for name in mc.domains.names()}
    for alias_domain in mc.alias_domains.all():
        found.setdefault(alias_domain.name, ALIAS_DOMAIN)
    return found


def list_keys(mc: Mailcow, req: PageRequest) -> Page[DkimRow]:
    """A page of domains with their keys.

    Mailcow has no route listing keys, so the page is cut from the (cached) name list
    first and only its domains are asked for their key: one call each, at most one page.
    """
    everything = names(mc)
    chosen = sorted(everything, reverse=req.descending)
    if req.search:
        needle = req.search.lower()
        chosen = [n for n in chosen if needle in n.lower()]
    start = (req.page - 1) * req.per_page
    window = chosen[start:start + req.per_page]
    keys = mc.dkim.many(window)
    return Page([DkimRow(n, everything[n], keys.get(n)) for n in window], len(chosen), req)


def generate(mc: Mailcow, domain: str, selector: str, bits: int) -> Outcome:
    return audited("dkim.create", target=domain, domain=domain,
                   changes={"selector": selector, "bits": bits},
                   call=lambda: mc.dkim.add([domain], selector, bits))


def import_key(mc: Mailcow, domain: str, selector: str, private_key_pem: str, bits: int,
               overwrite: bool) -> Outcome:
    # The audit trail learns the size and selector, never the key.
    return audited("dkim.import", target=domain, domain=domain,
                   changes={"selector": selector, "bits": bits, "overwrite": overwrite},
                   call=lambda: mc.dkim.import_key(domain, selector, private_key_pem,
                                                   overwrite))


def duplicate(mc: Mailcow, source: DkimKey, target: str, replaced: DkimKey | None) -> Outcome:
    changes = {"from_domain": source.domain, "selector": source.selector}
    if replaced is not None:
        changes["replaced_selector"] = replaced.selector
    return audited("dkim.duplicate", target=target, domain=target, changes=changes,
                   call=lambda: mc.dkim.duplicate(source.domain, [target]))


def delete(mc: Mailcow, key: DkimKey) -> Outcome:
    return audited("dkim.delete", target=key.domain, domain=key.domain,
                   changes={"selector": key.selector, "bits": key.bits},
                   call=lambda: mc.dkim.delete([key.domain]))
