"""Mailbox use cases: list, add, edit, password, activate/deactivate, delete — each audited."""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from panel.access import visible_domains
from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowError, NotFound, Outcome
from panel.mailcow.aliases import Alias
from panel.mailcow.mailboxes import Mailbox, MailboxSettings
from panel.mailcow.paging import Page, PageRequest

# Rows per search/mailbox call while exporting: large enough that per-request overhead
# does not dominate a 50,000-mailbox export, small enough to keep each answer modest.
EXPORT_PAGE = 500


def list_mailboxes(mc: Mailcow, user, req: PageRequest, domain: str | None = None) -> Page[Mailbox]:
    """A page of the mailboxes `user` may see, optionally of one domain (already in scope).

    Global administrators page through Mailcow's `search/mailbox`; a domain
    administrator's search is narrowed to their domains, never the whole server.
    """
    if domain:
        return mc.mailboxes.search(req, [domain])
    scope = visible_domains(user)
    if scope is None:
        return mc.mailboxes.search(req)
    if not scope:
        return Page([], 0, req)
    return mc.mailboxes.search(req, sorted(scope))


def iter_mailboxes(mc: Mailcow, user, req: PageRequest,
                   domain: str | None = None) -> Iterator[Mailbox]:
    """Every mailbox the list would show (all pages), read one page at a time."""
    page_no = 1
    while True:
        wanted = PageRequest(page_no, EXPORT_PAGE, req.search, req.sort, req.descending)
        page = list_mailboxes(mc, user, wanted, domain)
        yield from page.items
        if page_no >= page.pages or not page.items:
            return
        page_no += 1


def aliases_of(mc: Mailcow, mailbox: Mailbox) -> list[Alias]:
    """The aliases of the mailbox's domain that deliver to it."""
    wanted = mailbox.username.lower()
    return [a for a in mc.aliases.in_domains([mailbox.domain])
            if wanted in (g.lower() for g in a.goto)]


def _audited(action: str, mailbox: str, changes: dict | None, call) -> Outcome:
    return audited(action, target=mailbox, domain=mailbox.rpartition("@")[2], changes=changes,
                   call=call)


def create_mailbox(mc: Mailcow, local_part: str, domain: str, password: str,
                   settings: MailboxSettings, rate_limit_value: int = 0,
                   rate_limit_frame: str = "s") -> Outcome:
    username = f"{local_part}@{domain}"
    # The password never enters the audit trail, not even redacted.
    changes = {**asdict(settings), "rate_limit_value": rate_limit_value,
               "rate_limit_frame": rate_limit_frame}
    return _audited("mailbox.create", username, changes,
                    lambda: mc.mailboxes.add(local_part, domain, password, settings,
                                             rate_limit_value, rate_limit_frame))


def update_mailbox(mc: Mailcow, before: Mailbox, settings: MailboxSettings,
                   sender_acl: list[str] | None = None, rate_limit: tuple[int, str] | None = None
                   ) -> Outcome:
    """Save the settings; sender addresses and the rate limit only when they changed."""
    old = asdict(MailboxSettings.of(before))
    new = asdict(settings)
    changes = {k: [old[k], new[k]] for k in new if old.get(k) != new[k]}
    senders_changed = sender_acl is not None and list(before.sender_acl) != sender_acl
    if senders_changed:
        changes["sender_acl"] = [list(before.sender_acl), sender_acl]
    current_rl = (before.rate_limit_value if before.rate_limit_scope == "mailbox" else 0,
                  before.rate_limit_frame)
    rl_changed = rate_limit is not None and rate_limit != current_rl \
        and not (rate_limit[0] == 0 and current_rl[0] == 0)
    if rl_changed:
        changes["rate_limit"] = [list(current_rl), list(rate_limit)]

    def call() -> Outcome:
        outcome = mc.mailboxes.edit(before.username, settings)
        # Mailcow's edit only adds tags; removed ones need their own call.
        dropped = [t for t in before.tags if t not in settings.tags]
        if dropped:
            mc.mailboxes.remove_tags(before.username, dropped)
        if senders_changed:
            mc.mailboxes.set_sender_acl(before.username, sender_acl)
        if rl_changed:
            mc.mailboxes.set_rate_limit(before.username, *rate_limit)
        # Mailcow's mailbox edit ignores these; each has its own route.
        if (settings.tls_enforce_in, settings.tls_enforce_out) != \
                (before.tls_enforce_in, before.tls_enforce_out):
            mc.mailboxes.set_tls_policy(before.username, settings.tls_enforce_in,
                                        settings.tls_enforce_out)
        if settings.quarantine_notification != before.quarantine_notification:
            mc.mailboxes.set_quarantine_notification(before.username,
                                                     settings.quarantine_notification)
        if settings.quarantine_category != before.quarantine_category:
            mc.mailboxes.set_quarantine_category(before.username, settings.quarantine_category)
        return outcome

    return _audited("mailbox.update", before.username, changes, call)


def set_password(mc: Mailcow, mailbox: Mailbox, password: str,
                 force_pw_update: bool = False) -> Outcome:
    def call() -> Outcome:
        outcome = mc.mailboxes.set_password(mailbox.username, password)
        if force_pw_update != mailbox.force_pw_update:
            settings = MailboxSettings.of(mailbox)
            settings.force_pw_update = force_pw_update
            mc.mailboxes.edit(mailbox.username, settings)
        return outcome

    return _audited("mailbox.password", mailbox.username,
                    {"force_pw_update": force_pw_update}, call)


@dataclass
class BulkResult:
    done: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (username, why)


def _bulk(mc: Mailcow, action: str, usernames: list[str], call, succeeded, changes) -> BulkResult:
    """One Mailcow call for all; then each mailbox is checked, since Mailcow reports
    failures without always naming the mailbox."""
    result = BulkResult()
    reason = ""
    try:
        call()
    except MailcowError as exc:
        reason = exc.message
    for username in usernames:
        ok = succeeded(username)
        domain = username.rpartition("@")[2]
        if ok:
            result.done.append(username)
            record(action, target=username, domain=domain, changes=changes)
        else:
            why = reason or "Mailcow did not apply the change"
            result.failed.append((username, why))
            record(action, target=username, domain=domain, changes=changes, outcome="failed",
                   detail=why)
    return result


def _state(mc: Mailcow, username: str) -> int | None:
    try:
        return mc.mailboxes.get(username).active_state
    except NotFound:
        return None


def set_active(mc: Mailcow, usernames: list[str], state: int) -> BulkResult:
    """Activate (1), deactivate (0) or refuse logins (2) with one edit call."""
    return _bulk(mc, "mailbox.active", usernames,
                 lambda: mc.mailboxes.set_active(usernames, state),
                 lambda u: _state(mc, u) == state, {"active": state})


def delete_mailboxes(mc: Mailcow, usernames: list[str]) -> BulkResult:
    """Delete with one call; stored mail goes with them."""
    return _bulk(mc, "mailbox.delete", usernames,
                 lambda: mc.mailboxes.delete(usernames),
                 lambda u: _state(mc, u) is None, None)
