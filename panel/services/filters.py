"""Sieve filter use cases: list, add, edit, activate, delete, the global filters, presets.

Mailcow keeps one active prefilter and one active postfilter per mailbox; saving a script
as active quietly makes the others of its type inactive, so the audit trail names them.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from panel.access import visible_domains
from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowRefused, Outcome
from panel.mailcow.filters import FILTER_TYPES, Filter, FilterSettings
from panel.mailcow.paging import Page, PageRequest

BULK_ACTIONS = ("deactivate", "delete")
SORT_KEYS = {
    "id": lambda f: f.id,
    "active": lambda f: (f.active, f.id),
    "type": lambda f: (f.filter_type, f.username.lower(), f.id),
    "owner": lambda f: (f.username.lower(), f.filter_type, f.id),
    "description": lambda f: (f.description.lower(), f.id),
}
TYPE_LABELS = {"prefilter": _l("Prefilter"), "postfilter": _l("Postfilter")}


@dataclass(frozen=True)
class Preset:
    key: str
    title: object
    script: str


# Ready-made scripts for the editor, doing what Mailcow's own presets do (their texts
# are ours). Every one parses; tests/unit/test_sieve_presets.py checks it.
PRESETS = (
    Preset("dangerous-attachments", _l("Reject mail with risky attachment types"),
           'require ["reject", "body", "regex"];\n'
           '# Refuse messages whose attachments are programs or scripts.\n'
           'if body :raw :regex "filename=\\"?[^\\"]*\\\\.(exe|bat|cmd|scr|js|vbs)\\"?" {\n'
           '  reject text:\n'
           'This mailbox does not accept attachments of type .exe, .bat, .cmd, .scr,\n'
           '.js or .vbs. Please send the file another way.\n'
           '.\n'
           ';\n'
           '}\n'),
    Preset("mark-read", _l("Mark mail from one sender as read"),
           'require ["envelope", "imap4flags"];\n'
           '# Replace the address with the sender whose mail should arrive as read.\n'
           'if envelope :is "from" "notifications@example.com" {\n'
           '  addflag "\\\\Seen";\n'
           '}\n'),
    Preset("discard-stop", _l("Discard silently and stop all further filters"),
           '# Drops every message this script sees; nothing after it runs.\n'
           'discard;\n'
           'stop;\n'),
    Preset("inbox-stop", _l("Deliver to INBOX and skip the remaining filters"),
           'require "fileinto";\n'
           'fileinto "INBOX";\n'
           'stop;\n'),
    Preset("vacation", _l("Out-of-office reply"),
           'require ["vacation", "vacation-seconds"];\n'
           '# Answers each sender at most once a day; use ":seconds 300" instead of\n'
           '# ":days 1" for one reply every five minutes.\n'
           'vacation :days 1 :subject "Out of office" text:\n'
           'I am away and will answer your message when I am back.\n'
           '.\n'
           ';\n'),
    Preset("reject", _l("Reject mail with an answer"),
           'require "reject";\n'
           '# The refusal is sent from the postmaster address of this server, so SPF and\n'
           '# DMARC must be in order. Blocking senders in the spam filter settings is\n'
           '# usually the better choice.\n'
           'reject text:\n'
           'This address no longer accepts mail.\n'
           '.\n'
           ';\n'),
    Preset("redirect", _l("Redirect, keeping or dropping the original"),
           '# Forward every message to another address.\n'
           'redirect "someone@example.net";\n'
           '# To keep a copy here as well, replace the next two lines with: keep;\n'
           'discard;\n'
           'stop;\n'),
    Preset("own-copy", _l("Discard your own messages sent back through an alias or list"),
           'require ["envelope", "variables"];\n'
           '# ${1} is the envelope recipient; a message from that same address which does not\n'
           '# name it in To: came back through an alias or list it belongs to.\n'
           'if allof (envelope :all :matches "to" "*",\n'
           '          not header :contains "To" "${1}",\n'
           '          address :is "From" "${1}") {\n'
           '  discard;\n'
           '}\n'),
)


def visible(mc: Mailcow, user) -> list[Filter]:
    found = mc.filters.all()
    scope = visible_domains(user)
    return found if scope is None else [f for f in found if f.domain in scope]


def matches(item: Filter, needle: str) -> bool:
    needle = needle.lower()
    return any(needle in value.lower() for value in
               (item.username, item.description, item.script, str(item.id)))


def list_filters(mc: Mailcow, user, req: PageRequest, domain: str = "",
                 filter_type: str = "") -> Page[Filter]:
    found = visible(mc, user)
    if domain:
        found = [f for f in found if f.domain == domain.lower()]
    if filter_type in FILTER_TYPES:
        found = [f for f in found if f.filter_type == filter_type]
    if req.search:
        found = [f for f in found if matches(f, req.search)]
    found.sort(key=SORT_KEYS.get(req.sort, SORT_KEYS["owner"]), reverse=req.descending)
    start = (req.page - 1) * req.per_page
    return Page(found[start:start + req.per_page], len(found), req)


def _displaced(mc: Mailcow, username: str, settings: FilterSettings,
               keep: int | None = None) -> list[Filter]:
    """The active scripts Mailcow will make inactive when this one is saved active."""
    if not settings.active:
        return []
    return [f for f in mc.filters.of_user(username)
            if f.active and f.filter_type == settings.filter_type and f.id != keep]


def _changes(settings: FilterSettings, displaced: list[Filter]) -> dict:
    changes = {"type": settings.filter_type, "description": settings.description,
               "active": settings.active, "script": settings.script}
    if displaced:
        changes["deactivated"] = [f"#{f.id} {f.description}" for f in displaced]
    return changes


def create_filter(mc: Mailcow, username: str, settings: FilterSettings) -> list[Filter]:
    """Add the script; returns the scripts Mailcow made inactive to make room for it."""
    displaced = _displaced(mc, username, settings)
    audited("filter.create", target=username, domain=username.rpartition("@")[2].lower(),
            changes=_changes(settings, displaced),
            call=lambda: mc.filters.add(username, settings))
    return displaced


def update_filter(mc: Mailcow, before: Filter, settings: FilterSettings) -> list[Filter]:
    displaced = _displaced(mc, before.username, settings, keep=before.id)
    old = FilterSettings.of(before)
    changes = {k: [getattr(old, k), getattr(settings, k)] for k in
               ("filter_type", "description", "active", "script")
               if getattr(old, k) != getattr(settings, k)}
    if displaced:
        changes["deactivated"] = [f"#{f.id} {f.description}" for f in displaced]
    audited("filter.update", target=f"#{before.id} {before.username}", domain=before.domain,
            changes=changes, call=lambda: mc.filters.edit(before.id, settings))
    return displaced


def delete_filter(mc: Mailcow, item: Filter) -> Outcome:
    return audited("filter.delete", target=f"#{item.id} {item.username}", domain=item.domain,
                   changes={"type": item.filter_type, "description": item.description},
                   call=lambda: mc.filters.delete([item.id]))


def save_global(mc: Mailcow, filter_type: str, script: str) -> Outcome:
    before = mc.filters.global_filters().of_type(filter_type)
    return audited("global_filter.update", target=filter_type, domain=None,
                   changes={"script": [before, script]},
                   call=lambda: mc.filters.save_global(filter_type, script))


@dataclass
class BulkResult:
    done: list[Filter]
    failed: list[Filter]
    messages: list[str]


def bulk(mc: Mailcow, action: str, items: list[Filter]) -> BulkResult:
    """Deactivate or delete all of them in ONE Mailcow call. (Activating several at once
    is not offered: Mailcow would leave only the last of each mailbox and type active.)"""
    assert action in BULK_ACTIONS
    ids = [f.id for f in items]
    try:
        if action == "delete":
            mc.filters.delete(ids)
        else:
            mc.filters.set_active(ids, False)
    except MailcowRefused as exc:
        now = {f.id: f for f in mc.filters.all()}
        failed = [f for f in items if f.id in now] if action == "delete" else \
            [f for f in items if f.id not in now or now[f.id].active]
        result = BulkResult([f for f in items if f not in failed], failed, exc.messages)
    else:
        result = BulkResult(list(items), [], [])
    verb = "delete" if action == "delete" else "update"
    changes = None if action == "delete" else {"active": False}
    for item in result.done:
        record(f"filter.{verb}", target=f"#{item.id} {item.username}", domain=item.domain,
               changes=changes, detail=f"bulk {action} of {len(items)}")
    for item in result.failed:
        record(f"filter.{verb}", target=f"#{item.id} {item.username}", domain=item.domain,
               changes=changes, outcome="failed", detail="; ".join(result.messages))
    return result
