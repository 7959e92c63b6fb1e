"""Second factors of administrators: TOTP, security keys and recovery codes, audited.

Views call these with the admin being changed and the actor's name; nothing here
knows about HTTP. Secrets and codes never reach the audit trail.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import datetime, timezone

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import delete, func, or_, select, update

from panel import crypto
from panel.audit import record
from panel.auth import recovery, totp
from panel.extensions import db
from panel.models import RecoveryCode, TotpSecret, WebAuthnCredential

NAME_MAX = 64


class SecondFactorError(ValueError):
    """A request the current state does not allow (e.g. TOTP is already on)."""


@dataclass
class Status:
    totp: TotpSecret | None  # active only
    keys: list[WebAuthnCredential] = field(default_factory=list)
    recovery_remaining: int = 0

    @property
    def any(self) -> bool:
        return self.totp is not None or bool(self.keys)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _totp_row(admin_id: int) -> TotpSecret | None:
    return db.session.scalar(select(TotpSecret).where(TotpSecret.admin_id == admin_id))


def credentials(admin) -> list[WebAuthnCredential]:
    return list(db.session.scalars(select(WebAuthnCredential)
                                   .where(WebAuthnCredential.admin_id == admin.id)
                                   .order_by(WebAuthnCredential.created_at,
                                             WebAuthnCredential.id)))


def active_totp(admin) -> TotpSecret | None:
    row = _totp_row(admin.id)
    return row if row is not None and row.active else None


def recovery_remaining(admin) -> int:
    return db.session.scalar(select(func.count()).select_from(RecoveryCode).where(
        RecoveryCode.admin_id == admin.id, RecoveryCode.used_at.is_(None))) or 0


def status(admin) -> Status:
    return Status(totp=active_totp(admin), keys=credentials(admin),
                  recovery_remaining=recovery_remaining(admin))


def has_second_factor(admin) -> bool:
    if active_totp(admin) is not None:
        return True
    return bool(db.session.scalar(select(func.count()).select_from(WebAuthnCredential)
                                  .where(WebAuthnCredential.admin_id == admin.id)))


def summary(admin) -> str:
    """One line for lists of administrators: "TOTP + 2 security keys", or "none"."""
    parts = []
    if active_totp(admin) is not None:
        parts.append(_("TOTP"))
    keys = len(credentials(admin))
    if keys:
        parts.append(ngettext("%(num)s security key", "%(num)s security keys", keys))
    return " + ".join(parts) if parts else _("none")


# --- TOTP -------------------------------------------------------------------------

def pending_totp_secret(admin, restart: bool = False) -> str:
    """The secret being enrolled: kept (encrypted, inactive) until a code confirms it,
    so reloading the page shows the same QR code."""
    session = db.session()
    row = _totp_row(admin.id)
    if row is not None and row.active:
        raise SecondFactorError(_("An authenticator app is already set up."))
    if row is not None and not restart:
        return crypto.decrypt(row.secret_encrypted)
    secret = totp.new_secret()
    if row is None:
        session.add(TotpSecret(admin_id=admin.id, secret_encrypted=crypto.encrypt(secret),
                               active=False))
    else:
        row.secret_encrypted = crypto.encrypt(secret)
        row.created_at = _now()
        row.last_step = None
    session.commit()
    return secret


def confirm_totp(admin, code: str, actor: str) -> list[str] | None:
    """Activate the pending secret if `code` is valid. Returns new recovery codes when
    this is the admin's first second factor (else []), or None for a wrong code."""
    session = db.session()
    row = _totp_row(admin.id)
    if row is None or row.active:
        raise SecondFactorError(_("Start the set-up again: no authenticator is waiting "
                                  "for confirmation."))
    step = totp.matching_step(crypto.decrypt(row.secret_encrypted), code, row.last_step)
    if step is None:
        return None
    first = not has_second_factor(admin)
    row.active = True
    row.last_step = step
    row.activated_at = row.last_used_at = _now()
    session.commit()
    record("2fa.totp_enabled", target=admin.username, actor=actor)
    return _new_recovery_codes(admin, actor, reason="first_factor") if first else []


def verify_totp(admin, code: str) -> bool:
    """Check a code against the active secret and burn its time step (single use)."""
    row = active_totp(admin)
    if row is None:
        return False
    step = totp.matching_step(crypto.decrypt(row.secret_encrypted), code, row.last_step)
    if step is None:
        return False
    session = db.session()
    # Conditional update: of two requests racing with the same code only one wins.
    result = session.execute(
        update(TotpSecret)
        .where(TotpSecret.id == row.id,
               or_(TotpSecret.last_step.is_(None), TotpSecret.last_step < step))
        .values(last_step=step, last_used_at=_now()))
    session.commit()
    session.expire(row)
    return result.rowcount == 1


def disable_totp(admin, actor: str) -> None:
    session = db.session()
    row = _totp_row(admin.id)
    if row is None:
        return
    was_active = row.active
    session.delete(row)
    session.commit()
    if was_active:
        record("2fa.totp_disabled", target=admin.username, actor=actor)
        _drop_orphan_recovery_codes(admin)


# --- Security keys ------------------------------------------------------------------

def user_handle_for(admin) -> bytes:
    """The WebAuthn user.id: random (never the username or row id), one per admin."""
    handle = db.session.scalar(select(WebAuthnCredential.user_handle)
                               .where(WebAuthnCredential.admin_id == admin.id).limit(1))
    return handle or secrets.token_bytes(32)


def find_credential(credential_id: str) -> WebAuthnCredential | None:
    if not credential_id or len(credential_id) > 1400:
        return None
    return db.session.scalar(select(WebAuthnCredential)
                             .where(WebAuthnCredential.credential_id == credential_id))


def get_credential(admin, key_id: int) -> WebAuthnCredential | None:
    """One of the admin's own keys, or None (another admin's key is simply not found)."""
    cred = db.session.get(WebAuthnCredential, key_id)
    return cred if cred is not None and cred.admin_id == admin.id else None


def clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())[:NAME_MAX]
    return name or _("Security key")


def add_credential(admin, *, name: str, credential_id: str, public_key: bytes,
                   sign_count: int, user_handle: bytes, transports: list[str],
                   aaguid: str | None, device_type: str | None, backed_up: bool,
                   discoverable: bool | None, actor: str) -> tuple[WebAuthnCredential,
                                                                  list[str]]:
    """Store a verified registration. Returns the key and, when it is the admin's first
    second factor, their new recovery codes."""
    session = db.session()
    if find_credential(credential_id) is not None:
        raise SecondFactorError(_("This security key is already registered."))
    first = not has_second_factor(admin)
    cred = WebAuthnCredential(
        admin_id=admin.id, name=clean_name(name), credential_id=credential_id,
        public_key=public_key, sign_count=sign_count, user_handle=user_handle,
        transports=[t for t in transports if isinstance(t, str)][:8], aaguid=aaguid,
        device_type=device_type, backed_up=bool(backed_up), discoverable=discoverable)
    session.add(cred)
    session.commit()
    record("2fa.key_added", target=admin.username, actor=actor,
           changes={"name": cred.name, "credential": short_id(credential_id),
                    "discoverable": discoverable})
    codes = _new_recovery_codes(admin, actor, reason="first_factor") if first else []
    return cred, codes


def mark_credential_used(cred: WebAuthnCredential, sign_count: int) -> None:
    cred.sign_count = sign_count
    cred.last_used_at = _now()
    db.session.commit()


def rename_credential(admin, key_id: int, name: str, actor: str) -> WebAuthnCredential:
    cred = get_credential(admin, key_id)
    if cred is None:
        raise LookupError(key_id)
    before, cred.name = cred.name, clean_name(name)
    db.session.commit()
    if before != cred.name:
        record("2fa.key_renamed", target=admin.username, actor=actor,
               changes={"name": {"from": before, "to": cred.name}})
    return cred


def remove_credential(admin, key_id: int, actor: str) -> WebAuthnCredential:
    cred = get_credential(admin, key_id)
    if cred is None:
        raise LookupError(key_id)
    session = db.session()
    session.delete(cred)
    session.commit()
    record("2fa.key_removed", target=admin.username, actor=actor,
           changes={"name": cred.name, "credential": short_id(cred.credential_id)})
    _drop_orphan_recovery_codes(admin)
    return cred


def short_id(credential_id: str) -> str:
    """Enough of a credential id to tell keys apart, not the whole thing."""
    if len(credential_id) <= 12:
        return credential_id
    return f"{credential_id[:6]}…{credential_id[-4:]}"


# --- Recovery codes -----------------------------------------------------------------

def _new_recovery_codes(admin, actor: str, reason: str) -> list[str]:
    session = db.session()
    codes = recovery.generate()
    session.execute(delete(RecoveryCode).where(RecoveryCode.admin_id == admin.id))
    session.add_all(RecoveryCode(admin_id=admin.id, code_hash=recovery.hash_code(c))
                    for c in codes)
    session.commit()
    record("2fa.recovery_regenerated", target=admin.username, actor=actor,
           changes={"count": len(codes), "reason": reason})
    return codes


def regenerate_recovery_codes(admin, actor: str) -> list[str]:
    """Replace every code (used or not) with ten new ones; shown once by the caller."""
    if not has_second_factor(admin):
        raise SecondFactorError(_("Set up an authenticator app or a security key first: "
                                  "recovery codes stand in for one."))
    return _new_recovery_codes(admin, actor, reason="regenerate")


def use_recovery_code(admin, code: str) -> bool:
    """Accept an unused code once; it is marked used even if the sign-in goes no further."""
    if not recovery.looks_like_code(code):
        return False
    session = db.session()
    rows = session.scalars(select(RecoveryCode).where(RecoveryCode.admin_id == admin.id,
                                                      RecoveryCode.used_at.is_(None))).all()
    match = next((r for r in rows if recovery.matches(r.code_hash, code)), None)
    if match is None:
        return False
    result = session.execute(update(RecoveryCode)
                             .where(RecoveryCode.id == match.id, RecoveryCode.used_at.is_(None))
                             .values(used_at=_now()))
    session.commit()
    return result.rowcount == 1


def _drop_orphan_recovery_codes(admin) -> None:
    """With no factor left the codes protect nothing; the next enrolment makes new ones."""
    if has_second_factor(admin):
        return
    session = db.session()
    session.execute(delete(RecoveryCode).where(RecoveryCode.admin_id == admin.id))
    session.commit()


# --- For administrators of administrators -------------------------------------------

def reset_second_factors(admin, actor: str) -> None:
    """Remove every second factor of `admin` (lost phone and keys); audited."""
    session = db.session()
    totp_row = _totp_row(admin.id)
    keys = session.execute(delete(WebAuthnCredential)
                           .where(WebAuthnCredential.admin_id == admin.id)).rowcount
    codes = session.execute(delete(RecoveryCode)
                            .where(RecoveryCode.admin_id == admin.id)).rowcount
    had_totp = totp_row is not None and totp_row.active
    if totp_row is not None:
        session.delete(totp_row)
    session.commit()
    record("admin.2fa_reset", target=admin.username, actor=actor,
           changes={"totp_removed": had_totp, "credentials_removed": keys,
                    "recovery_codes_removed": codes})
