"""Throttles failed sign-ins per account and per address, from rows in login_attempt."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import delete, func, select

from panel.extensions import db
from panel.models import LoginAttempt

WINDOW = timedelta(minutes=15)
MAX_PER_ACCOUNT = 5
MAX_PER_ADDRESS = 20


def _since() -> datetime:
    return datetime.now(timezone.utc) - WINDOW


def is_blocked(username: str, remote_addr: str) -> bool:
    per_account = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.username == username.lower(), LoginAttempt.at >= _since()))
    return per_account >= MAX_PER_ACCOUNT or is_address_blocked(remote_addr)


def record_failure(username: str, remote_addr: str) -> None:
    session = db.session()
    session.add(LoginAttempt(username=username.lower()[:64], remote_addr=remote_addr))
    # Old rows only cost space; drop them while we are here.
    session.execute(delete(LoginAttempt).where(LoginAttempt.at < _since() - WINDOW))
    session.commit()


def clear(username: str) -> None:
    session = db.session()
    session.execute(delete(LoginAttempt).where(LoginAttempt.username == username.lower()))
    session.commit()


def is_address_blocked(remote_addr: str) -> bool:
    """For sign-ins that name no account up front (a passwordless security key)."""
    count = db.session.scalar(select(func.count()).select_from(LoginAttempt).where(
        LoginAttempt.remote_addr == remote_addr, LoginAttempt.at >= _since()))
    return count >= MAX_PER_ADDRESS
