"""Helpers for the second-factor tests: a software security key and TOTP set-up.

`SoftKey` answers WebAuthn ceremonies the way a real authenticator does (packed-less
"none" attestation, ES256, authenticator data with UP/UV flags and a counter), so
the server side is tested through HTTP with real signatures and no browser.
"""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import struct

import cbor2
import pyotp
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from panel.extensions import db
from panel.models import Admin, AuditEvent
from panel.services import second_factors
from tests.conftest import CSRF_RE, csrf_token

ORIGIN = "http://localhost"  # Flask's test client talks to http://localhost


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class SoftKey:
    """One ES256 credential on a pretend authenticator."""

    def __init__(self, user_verification: bool = True, counter: bool = True) -> None:
        self.private = ec.generate_private_key(ec.SECP256R1())
        self.credential_id = os.urandom(32)
        self.sign_count = 0
        self.user_handle: bytes | None = None
        self.rp_id: str | None = None
        self.uv = user_verification
        # Many passkeys keep their signature counter at 0: no replay protection from it.
        self.counter = counter

    def _flags(self, attested: bool) -> int:
        return 0x01 | (0x04 if self.uv else 0) | (0x40 if attested else 0)

    def _cose_key(self) -> bytes:
        numbers = self.private.public_key().public_numbers()
        return cbor2.dumps({1: 2, 3: -7, -1: 1, -2: numbers.x.to_bytes(32, "big"),
                            -3: numbers.y.to_bytes(32, "big")})

    def create(self, options: dict, origin: str = ORIGIN) -> dict:
        self.rp_id = options["rp"]["id"]
        self.user_handle = unb64url(options["user"]["id"])
        client_data = json.dumps({"type": "webauthn.create", "challenge": options["challenge"],
                                  "origin": origin, "crossOrigin": False}).encode()
        auth_data = (hashlib.sha256(self.rp_id.encode()).digest()
                     + bytes([self._flags(True)]) + struct.pack(">I", self.sign_count)
                     + bytes(16) + struct.pack(">H", len(self.credential_id))
                     + self.credential_id + self._cose_key())
        attestation = cbor2.dumps({"fmt": "none", "attStmt": {}, "authData": auth_data})
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data),
                             "attestationObject": b64url(attestation), "transports": ["usb"]},
                "clientExtensionResults": {"credProps": {"rk": True}}}

    def get(self, options: dict, origin: str = ORIGIN) -> dict:
        self.sign_count += 1 if self.counter else 0
        client_data = json.dumps({"type": "webauthn.get", "challenge": options["challenge"],
                                  "origin": origin, "crossOrigin": False}).encode()
        auth_data = (hashlib.sha256(options["rpId"].encode()).digest()
                     + bytes([self._flags(False)]) + struct.pack(">I", self.sign_count))
        signature = self.private.sign(auth_data + hashlib.sha256(client_data).digest(),
                                      ec.ECDSA(hashes.SHA256()))
        return {"id": b64url(self.credential_id), "rawId": b64url(self.credential_id),
                "type": "public-key",
                "response": {"clientDataJSON": b64url(client_data),
                             "authenticatorData": b64url(auth_data),
                             "signature": b64url(signature),
                             "userHandle": b64url(self.user_handle or b"")},
                "clientExtensionResults": {}}


def page_token(client, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return next(g for g in match.groups() if g)


def post_json(client, url: str, body: dict | None = None, token: str | None = None):
    token = token or csrf_token(client, "/login")
    return client.post(url, json=body or {}, headers={"X-CSRFToken": token,
                                                      "Accept": "application/json"})


def register_key(client, key: SoftKey, name: str = "Test key"):
    """Add `key` to the signed-in admin through the Security page's endpoints."""
    token = page_token(client, "/account")
    options = post_json(client, "/account/keys/options", token=token)
    assert options.status_code == 200, options.get_data(as_text=True)
    return post_json(client, "/account/keys", {"name": name,
                                               "credential": key.create(options.get_json())},
                     token=token)


def admin_named(name: str = "root") -> Admin:
    return db.session.scalar(select(Admin).where(Admin.username == name))


def enable_totp(app, username: str = "root") -> str:
    """Turn TOTP on for `username` (as if enrolled); returns the base32 secret."""
    with app.app_context():
        me = admin_named(username)
        secret = second_factors.pending_totp_secret(me)
        codes = second_factors.confirm_totp(me, pyotp.TOTP(secret).now(), actor="test")
        assert codes is not None
        # Forget the step the set-up used, so the test may sign in with the current code.
        second_factors._totp_row(me.id).last_step = None
        db.session.commit()
        db.session.remove()
    return secret


def recovery_codes_for(app, username: str = "root") -> list[str]:
    with app.app_context():
        codes = second_factors.regenerate_recovery_codes(admin_named(username), actor="test")
        db.session.remove()
    return codes


def events(app, action: str) -> list[AuditEvent]:
    with app.app_context():
        rows = db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)
                                  .order_by(AuditEvent.id)).all()
        db.session.remove()
    return rows


def shown_codes(html: str) -> list[str]:
    return re.findall(r"<li><code>([a-z0-9]{5}-[a-z0-9]{5})</code></li>", html)


def second_step(client, method: str, code: str):
    token = page_token(client, "/login/second-factor")
    return client.post("/login/second-factor", data={f"{method}-csrf_token": token,
                                                      f"{method}-method": method,
                                                      f"{method}-code": code})
