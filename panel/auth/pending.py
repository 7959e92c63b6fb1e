"""The half-finished sign-in: password checked, second factor still to come.

The session holds only the admin id, their password fingerprint (a password change
voids the marker) and an expiry; nothing is signed in until the second step passes.
"""
from __future__ import annotations

import time

from flask import session

from panel.extensions import db
from panel.models import Admin

KEY = "2fa_pending"
TTL = 300


def start(admin: Admin, next_url: str | None) -> None:
    session[KEY] = {"id": admin.id, "fp": admin.session_fingerprint,
                    "exp": int(time.time()) + TTL, "next": next_url}


def admin() -> Admin | None:
    """The admin half-way through signing in, or None (and the marker dropped)."""
    data = session.get(KEY)
    if not isinstance(data, dict) or data.get("exp", 0) < time.time():
        clear()
        return None
    user = db.session.get(Admin, data.get("id"))
    if user is None or not user.active or user.session_fingerprint != data.get("fp"):
        clear()
        return None
    return user


def next_url() -> str | None:
    data = session.get(KEY)
    return data.get("next") if isinstance(data, dict) else None


def clear() -> None:
    session.pop(KEY, None)
