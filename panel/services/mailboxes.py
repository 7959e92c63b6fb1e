"""Mailbox use cases: list, add, edit, password, activate/deactivate, delete — each audited."""
from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field

from panel.access import visible_domains
from panel.audit import audited, record
from panel.mailcow import Mailcow, MailcowError, NotFound, Outcome
from panel.extensions import db
from panel.mailcow.aliases import Alias
from panel.mailcow.app_passwords import AppPassword
from panel.mailcow.mailboxes import TAGGED_MAIL, USER_ACL, USER_ACL_DEFAULTS, Mailbox, \
    MailboxSettings
from panel.mailcow.paging import Page, PageRequest
from panel.mailcow.spam_score import SpamScore
from panel.mailcow.time_limited_aliases import TimeLimitedAlias
from panel.models import Setting

# Rows per search/mailbox call while exporting: large enough that per-request overhead
# does not dominate a 50,000-mailbox export, small enough to keep each answer modest.
EXPORT_PAGE = 500
# What Mailcow does with user+tag@domain when neither Redis hash names the mailbox.
DEFAULT_TAGGED_MAIL = "none"


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
    result = _bulk(mc, "mailbox.delete", usernames,
                   lambda: mc.mailboxes.delete(usernames),
                   lambda u: _state(mc, u) is None, None)
    for username in result.done:
        _forget(username)
    return result


# -- settings Mailcow can set but not read back ------------------------------------------
# Mailcow's API has no read for a mailbox's user ACL or its tagged-mail handling (they
# live in the user_acl table and in Redis). MailApp remembers what it last set, per
# mailbox, and otherwise shows what Mailcow gives a new mailbox.

def _memory_key(username: str) -> str:
    return "mailbox:" + hashlib.sha256(username.lower().encode("utf-8")).hexdigest()[:48]


def remembered(username: str) -> dict:
    """{"user_acl": [...] | None, "tagged_mail": str | None} as MailApp last set them."""
    row = db.session.get(Setting, _memory_key(username))
    value = row.value if row is not None and isinstance(row.value, dict) else {}
    return {"user_acl": value.get("user_acl"), "tagged_mail": value.get("tagged_mail")}


def _remember(username: str, **values) -> None:
    session = db.session()
    row = session.get(Setting, _memory_key(username))
    current = dict(row.value) if row is not None and isinstance(row.value, dict) else {}
    current.update(values, username=username.lower())
    if row is None:
        session.add(Setting(key=_memory_key(username), value=current))
    else:
        row.value = current
    session.commit()


def _forget(username: str) -> None:
    row = db.session.get(Setting, _memory_key(username))
    if row is not None:
        db.session.delete(row)
        db.session.commit()


@dataclass(frozen=True)
class Unreadable:
    """The user ACL and tagged-mail handling shown on a mailbox: `known` is False when
    MailApp never set them and shows Mailcow's defaults for a new mailbox instead."""

    user_acl: tuple[str, ...]
    tagged_mail: str
    acl_known: bool
    tagged_known: bool

    @property
    def known(self) -> bool:
        return self.acl_known and self.tagged_known


def unreadable_settings(username: str) -> Unreadable:
    memory = remembered(username)
    acl = memory["user_acl"]
    tagged = memory["tagged_mail"]
    return Unreadable(
        user_acl=tuple(a for a in USER_ACL if a in acl) if isinstance(acl, list)
        else tuple(a for a, on in USER_ACL_DEFAULTS.items() if on),
        tagged_mail=tagged if tagged in TAGGED_MAIL else DEFAULT_TAGGED_MAIL,
        acl_known=isinstance(acl, list), tagged_known=tagged in TAGGED_MAIL)


def set_user_acl(mc: Mailcow, username: str, allowed: list[str],
                 before: tuple[str, ...] | None = None) -> Outcome:
    allowed = [a for a in USER_ACL if a in allowed]
    changes = {"user_acl": [list(before) if before is not None else None, allowed]}
    outcome = _audited("mailbox.user_acl", username, changes,
                       lambda: mc.mailboxes.set_user_acl(username, allowed))
    _remember(username, user_acl=allowed)
    return outcome


def set_tagged_mail(mc: Mailcow, username: str, handling: str,
                    before: str | None = None) -> Outcome:
    outcome = _audited("mailbox.tagged_mail", username, {"tagged_mail": [before, handling]},
                       lambda: mc.mailboxes.set_tagged_mail(username, handling))
    _remember(username, tagged_mail=handling)
    return outcome


def set_custom_attributes(mc: Mailcow, mailbox: Mailbox, attributes: dict[str, str]) -> Outcome:
    changes = {"custom_attributes": [dict(mailbox.custom_attributes), dict(attributes)]}
    return _audited("mailbox.custom_attributes", mailbox.username, changes,
                    lambda: mc.mailboxes.set_custom_attributes(mailbox.username, attributes))


def save_extras(mc: Mailcow, mailbox: Mailbox, user_acl: list[str] | None,
                tagged_mail: str | None, custom_attributes: dict[str, str] | None) -> None:
    """After an add or edit: the settings with routes of their own, each only when it
    differs from what is known (or remembered) of the mailbox."""
    shown = unreadable_settings(mailbox.username)
    if user_acl is not None and (not shown.acl_known or set(user_acl) != set(shown.user_acl)):
        set_user_acl(mc, mailbox.username, user_acl, shown.user_acl)
    if tagged_mail is not None and (not shown.tagged_known or
                                    tagged_mail != shown.tagged_mail):
        set_tagged_mail(mc, mailbox.username, tagged_mail, shown.tagged_mail)
    if custom_attributes is not None and custom_attributes != dict(mailbox.custom_attributes):
        set_custom_attributes(mc, mailbox, custom_attributes)


# -- app passwords -------------------------------------------------------------------------

def app_passwords(mc: Mailcow, mailbox: Mailbox) -> list[AppPassword]:
    return mc.app_passwords.of_mailbox(mailbox.username)


def create_app_password(mc: Mailcow, mailbox: Mailbox, name: str, password: str | None,
                        protocols: list[str]) -> str:
    """Add one; returns the password (the one given, or a generated one) so it can be
    shown once. It never enters the audit trail or a log."""
    if not password:
        from panel.services.csv_import import generate_password  # it imports this module

        password = generate_password(mc.password_policy.get())
    _audited("mailbox.app_password.create", mailbox.username,
             {"name": name, "protocols": list(protocols)},
             lambda: mc.app_passwords.add(mailbox.username, name, password, protocols))
    return password


def _own_app_password(mc: Mailcow, mailbox: Mailbox, app_password_id: int) -> AppPassword:
    """Only one of this mailbox's own app passwords; any other id is NotFound."""
    found = next((a for a in app_passwords(mc, mailbox) if a.id == app_password_id), None)
    if found is None:
        raise NotFound(f"App password {app_password_id} of {mailbox.username} does not exist")
    return found


def set_app_password_active(mc: Mailcow, mailbox: Mailbox, app_password_id: int,
                            active: bool) -> AppPassword:
    found = _own_app_password(mc, mailbox, app_password_id)
    _audited("mailbox.app_password.active", mailbox.username,
             {"id": found.id, "name": found.name, "active": [found.active, active]},
             lambda: mc.app_passwords.set_active(mailbox.username, found.id, active))
    return found


def delete_app_password(mc: Mailcow, mailbox: Mailbox, app_password_id: int) -> AppPassword:
    found = _own_app_password(mc, mailbox, app_password_id)
    _audited("mailbox.app_password.delete", mailbox.username,
             {"id": found.id, "name": found.name},
             lambda: mc.app_passwords.delete([found.id]))
    return found


# -- time-limited aliases ------------------------------------------------------------------

def time_limited_aliases(mc: Mailcow, mailbox: Mailbox) -> list[TimeLimitedAlias]:
    return mc.time_limited_aliases.of_mailbox(mailbox.username)


def add_time_limited_alias(mc: Mailcow, mailbox: Mailbox, domain: str, description: str,
                           validity_hours: int, permanent: bool = False) -> Outcome:
    return _audited("mailbox.time_limited_alias.create", mailbox.username,
                    {"domain": domain, "description": description,
                     "validity_hours": validity_hours, "permanent": permanent},
                    lambda: mc.time_limited_aliases.add(mailbox.username, domain, description,
                                                        validity_hours, permanent))


def delete_time_limited_alias(mc: Mailcow, mailbox: Mailbox, address: str) -> TimeLimitedAlias:
    wanted = address.lower()
    found = next((a for a in time_limited_aliases(mc, mailbox)
                  if a.address.lower() == wanted), None)
    if found is None:
        raise NotFound(f"{address} is not a time-limited alias of {mailbox.username}")
    _audited("mailbox.time_limited_alias.delete", mailbox.username, {"address": found.address},
             lambda: mc.time_limited_aliases.delete([found.address]))
    return found


# -- spam score ----------------------------------------------------------------------------

def set_spam_score(mc: Mailcow, mailbox: Mailbox, score: SpamScore,
                   before: SpamScore | None) -> Outcome:
    changes = {"spam_score": [[before.low, before.high] if before else None,
                              [score.low, score.high]]}
    return _audited("mailbox.spam_score", mailbox.username, changes,
                    lambda: mc.spam_score.set(mailbox.username, score))
