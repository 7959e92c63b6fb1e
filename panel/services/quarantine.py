"""Quarantine use cases: list (searched and paged here), preview, release, learn, delete,
bulk, and the quarantine settings — every change audited."""
from __future__ import annotations

from dataclasses import asdict, dataclass, field

from panel.access import visible_domains
from panel.audit import audited
from panel.extensions import db
from panel.mailcow import Mailcow, MailcowAuthError, MailcowError, MailcowUnavailable, Outcome
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.quarantine import ACTIONS, QuarantineItem, QuarantineSettings
from panel.models import Setting
from panel.services.aliases import alias_scope, with_alias_domains

SETTINGS_KEY = "mailcow.quarantine_settings"
SORT_KEYS = {
    "id": lambda i: i.id,
    "created": lambda i: (i.created.timestamp() if i.created else 0, i.id),
    "score": lambda i: (i.score, i.id),
    "sender": lambda i: (i.sender.lower(), i.id),
    "rcpt": lambda i: (i.rcpt.lower(), i.id),
    "subject": lambda i: (i.subject.lower(), i.id),
    "action": lambda i: (i.action, i.id),
}
FILTERS = ("virus", "clean", "notified", "unnotified")


def scope(mc: Mailcow, user) -> set[str] | None:
    """The recipient domains whose items `user` may see (None: all). As in Mailcow, a
    domain administrator also sees mail held for the alias domains of their domains."""
    return alias_scope(mc, user)


def visible(mc: Mailcow, user) -> list[QuarantineItem]:
    """Every item `user` may see."""
    items = mc.quarantine.all()
    allowed = scope(mc, user)
    return items if allowed is None else [i for i in items if i.domain in allowed]


def may_see(mc: Mailcow, user, item: QuarantineItem) -> bool:
    allowed = scope(mc, user)
    return allowed is None or item.domain in allowed


def matches(item: QuarantineItem, needle: str) -> bool:
    needle = needle.lower()
    return any(needle in value.lower() for value in
               (item.sender, item.rcpt, item.subject, item.qid, str(item.id), item.action))


def list_items(mc: Mailcow, user, req: PageRequest, domain: str = "",
               only: str = "") -> Page[QuarantineItem]:
    found = mc.quarantine.all()
    mine = visible_domains(user)
    pointing = mc.alias_domains.all() if mine or domain else []  # one read for both
    if mine is not None:
        allowed = with_alias_domains(mine, pointing)
        found = [i for i in found if i.domain in allowed]
    if domain:  # the domain's mail, whichever of its alias domains it was addressed to
        wanted = with_alias_domains({domain.lower()}, pointing)
        found = [i for i in found if i.domain in wanted]
    if only == "virus":
        found = [i for i in found if i.virus]
    elif only == "clean":
        found = [i for i in found if not i.virus]
    elif only == "notified":
        found = [i for i in found if i.notified]
    elif only == "unnotified":
        found = [i for i in found if not i.notified]
    if req.search:
        found = [i for i in found if matches(i, req.search)]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["created"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _facts(item: QuarantineItem) -> dict:
    return {"qid": item.qid, "sender": item.sender, "rcpt": item.rcpt,
            "subject": item.subject, "score": item.score}


def act(mc: Mailcow, action: str, item: QuarantineItem, detail: str | None = None) -> Outcome:
    """Release, learn or delete one item; audited as quarantine.<action>."""
    assert action in ACTIONS
    return audited(f"quarantine.{action}", target=str(item.id), domain=item.domain,
                   changes=_facts(item), call=lambda: mc.quarantine.act(action, item.id))


@dataclass
class BulkResult:
    action: str
    done: list[QuarantineItem] = field(default_factory=list)
    failed: list[tuple[QuarantineItem, str]] = field(default_factory=list)


def bulk(mc: Mailcow, action: str, items: list[QuarantineItem]) -> BulkResult:
    """One Mailcow call per item, so each failure is known by name.

    Mailcow stops a multi-item release at the first Postfix failure without saying which
    items were left, so batching would hide the failures.
    """
    result = BulkResult(action)
    for item in items:
        try:
            act(mc, action, item)
        except MailcowError as exc:
            result.failed.append((item, exc.message))
            if isinstance(exc, (MailcowUnavailable, MailcowAuthError)):
                # Mailcow itself is gone: the rest would fail the same way, slowly.
                result.failed.extend((rest, exc.message) for rest in
                                     items[items.index(item) + 1:])
                break
        else:
            result.done.append(item)
    return result


# -- settings --------------------------------------------------------------------------

def saved_settings() -> QuarantineSettings | None:
    """The settings MailApp last saved to Mailcow (Mailcow's API cannot read them back)."""
    row = db.session.get(Setting, SETTINGS_KEY)
    if row is None or not isinstance(row.value, dict):
        return None
    known = QuarantineSettings.__dataclass_fields__
    return QuarantineSettings(**{k: v for k, v in row.value.items() if k in known})


def save_settings(mc: Mailcow, settings: QuarantineSettings) -> Outcome:
    before = saved_settings()
    old = asdict(before) if before else {}
    new = asdict(settings)
    changes = {k: [old.get(k), v] for k, v in new.items() if old.get(k) != v and k != "html_tmpl"}
    if old.get("html_tmpl") != new["html_tmpl"]:
        changes["html_tmpl"] = "changed"
    outcome = audited("quarantine.settings", target="quarantine", domain=None, changes=changes,
                      call=lambda: mc.quarantine.save_settings(settings))
    session = db.session()
    row = session.get(Setting, SETTINGS_KEY)
    if row is None:
        session.add(Setting(key=SETTINGS_KEY, value=new))
    else:
        row.value = new
    session.commit()
    return outcome
