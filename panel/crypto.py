"""Encryption at rest for secrets MailApp must read back (TOTP seeds, relay passwords).

Fernet (AES-128-CBC + HMAC-SHA256) with a key from MAILAPP_ENCRYPTION_KEY. Several
comma-separated keys rotate: the first encrypts, every one decrypts. Without the
setting a key is generated once into the instance folder; replicas must then share
that file, or each would fail to read what another wrote.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from flask import current_app

from panel.config import secret_from_file

KEY_SETTING = "MAILAPP_ENCRYPTION_KEY"
KEY_FILE = "encryption_key"

log = logging.getLogger(__name__)


class DecryptionError(Exception):
    """A stored secret could not be read: wrong key, or the value was tampered with."""


class Cipher:
    def __init__(self, keys: list[str]) -> None:
        if not keys:
            raise ValueError("at least one encryption key is needed")
        try:
            self._fernet = MultiFernet([Fernet(k.strip().encode()) for k in keys])
        except (ValueError, TypeError) as exc:
            raise ValueError(
                f"{KEY_SETTING} must hold Fernet keys (32 random bytes, url-safe base64), "
                "for example the output of: python -c \"from cryptography.fernet import "
                "Fernet; print(Fernet.generate_key().decode())\"") from exc

    def encrypt(self, plaintext: str) -> str:
        return self._fernet.encrypt(plaintext.encode()).decode()

    def decrypt(self, token: str, ttl: int | None = None) -> str:
        """`ttl` (seconds) refuses tokens older than that, e.g. short-lived hand-overs."""
        try:
            return self._fernet.decrypt(token.encode(), ttl=ttl).decode()
        except (InvalidToken, ValueError) as exc:
            raise DecryptionError("stored secret cannot be decrypted with the configured "
                                  f"{KEY_SETTING}") from exc


def _key_from_file(path: Path) -> str:
    """Read the instance key, creating it (owner-only) on first use."""
    key, created = secret_from_file(path, lambda: Fernet.generate_key().decode())
    if not created:
        return key
    log.warning("%s is not set: generated an encryption key in %s. Every MailApp replica "
                "must share this key (set %s or copy the file), and losing it makes stored "
                "TOTP secrets and passwords unreadable.", KEY_SETTING, path, KEY_SETTING)
    return key


def cipher_for(instance_path: Path, configured: str | None) -> Cipher:
    if configured and configured.strip():
        return Cipher([k for k in configured.split(",") if k.strip()])
    return Cipher([_key_from_file(Path(instance_path) / KEY_FILE)])


def init_app(app) -> Cipher:
    """Build the app's cipher once (at start, so a missing key is reported early)."""
    configured = app.config.get(KEY_SETTING) or os.environ.get(KEY_SETTING)
    cipher = cipher_for(Path(app.instance_path), configured)
    app.extensions["cipher"] = cipher
    return cipher


def cipher() -> Cipher:
    existing = current_app.extensions.get("cipher")
    return existing if existing is not None else init_app(current_app)


def encrypt(plaintext: str) -> str:
    return cipher().encrypt(plaintext)


def decrypt(token: str, ttl: int | None = None) -> str:
    return cipher().decrypt(token, ttl=ttl)
