"""Asking a signed-in admin to prove it is still them before changing second factors.

A stolen session alone must not be enough to add a key, read new recovery codes or
turn a factor off. Signing in, or confirming the password or a current TOTP code,
opens a short window for additions; removals ask every time.
"""
from __future__ import annotations

import time

from flask import request, session
from flask_babel import gettext as _

from panel.audit import record
from panel.auth import throttle
from panel.auth.passwords import verify_password
from panel.auth.totp import CODE_RE, normalise
from panel.services import second_factors

KEY = "reauth_at"
WINDOW = 600


def mark() -> None:
    session[KEY] = int(time.time())


def recent() -> bool:
    at = session.get(KEY)
    return isinstance(at, int) and 0 <= time.time() - at <= WINDOW


def check(admin, secret: str | None) -> str | None:
    """Accept the admin's password or a current TOTP code. Returns an error message, or
    None when confirmed. Failures count towards the sign-in throttle."""
    addr = request.remote_addr or "unknown"
    if throttle.is_blocked(admin.username, addr):
        return _("Too many failed attempts. Wait 15 minutes and try again.")
    secret = secret or ""
    if CODE_RE.match(normalise(secret)) and second_factors.active_totp(admin) is not None:
        ok = second_factors.verify_totp(admin, secret)
        method = "totp"
    else:
        ok = verify_password(admin.password_hash, secret)
        method = "password"
    if ok:
        mark()
        return None
    throttle.record_failure(admin.username, addr)
    record("auth.reauth_failed", target=admin.username, actor=admin.username,
           outcome="refused", changes={"method": method})
    return _("That is not your password or a current authenticator code.")
