"""WebAuthn ceremonies (py_webauthn): registering security keys and signing in with them.

Challenges live in the signed session cookie, bound to their purpose and the admin,
expire after five minutes and are popped on first use, so each answers one ceremony.
A cookie is client-side, so an old copy could bring a challenge back: an assertion is
also refused when its challenge was issued before the key's last successful use, which
the database records (keys whose signature counter stays at 0 are covered too).
"""
from __future__ import annotations

import json
import os
import time
from urllib.parse import urlsplit

from flask import current_app, request, session
from flask_babel import gettext as _
from webauthn import (generate_authentication_options, generate_registration_options,
                      options_to_json, verify_authentication_response,
                      verify_registration_response)
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AttestationConveyancePreference,
                                      AuthenticatorSelectionCriteria,
                                      AuthenticatorTransport,
                                      PublicKeyCredentialDescriptor, ResidentKeyRequirement,
                                      UserVerificationRequirement)

from panel.models import WebAuthnCredential
from panel.models.base import as_utc
from panel.services import second_factors

RP_NAME = "MailApp"
RP_ID_SETTING = "MAILAPP_WEBAUTHN_RP_ID"
ORIGIN_SETTING = "MAILAPP_WEBAUTHN_ORIGIN"
CHALLENGE_TTL = 300
REGISTER_KEY = "webauthn_register"
AUTH_KEY = "webauthn_auth"
SECOND_FACTOR = "second_factor"
PASSWORDLESS = "passwordless"


class CeremonyError(Exception):
    """The browser's answer was refused; the message is safe to show."""


def _setting(name: str) -> str | None:
    value = current_app.config.get(name) or os.environ.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


def rp_id() -> str:
    """The host name the browser sees; set MAILAPP_WEBAUTHN_RP_ID behind a proxy."""
    return _setting(RP_ID_SETTING) or (urlsplit(f"//{request.host}").hostname or "localhost")


def origin() -> str:
    return (_setting(ORIGIN_SETTING) or f"{request.scheme}://{request.host}").rstrip("/")


def _descriptor(cred: WebAuthnCredential) -> PublicKeyCredentialDescriptor:
    known = {t.value: t for t in AuthenticatorTransport}
    transports = [known[t] for t in cred.transports or () if t in known]
    return PublicKeyCredentialDescriptor(id=base64url_to_bytes(cred.credential_id),
                                         transports=transports or None)


def _store(key: str, challenge: bytes, **extra) -> None:
    now = time.time()
    session[key] = {"challenge": bytes_to_base64url(challenge), "iat": now,
                    "exp": int(now) + CHALLENGE_TTL, **extra}


def _take(key: str) -> dict:
    """Pop the pending challenge: valid or not, it cannot be answered twice."""
    state = session.pop(key, None)
    if not isinstance(state, dict) or state.get("exp", 0) < time.time():
        raise CeremonyError(_("The security key request expired. Try again."))
    return state


def registration_options(admin) -> dict:
    handle = second_factors.user_handle_for(admin)
    options = generate_registration_options(
        rp_id=rp_id(), rp_name=RP_NAME, user_name=admin.username,
        user_display_name=admin.username, user_id=handle,
        attestation=AttestationConveyancePreference.NONE,
        # Discoverable where the key can: it then also signs in without a password.
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED,
            user_verification=UserVerificationRequirement.PREFERRED),
        exclude_credentials=[_descriptor(c) for c in second_factors.credentials(admin)])
    _store(REGISTER_KEY, options.challenge, admin=admin.id,
           handle=bytes_to_base64url(handle))
    data = json.loads(options_to_json(options))
    # credProps tells us whether the key made a discoverable (passwordless) credential.
    data["extensions"] = {"credProps": True}
    return data


def verify_registration(admin, credential: dict) -> dict:
    """Check the browser's answer; returns the fields to store for the new key."""
    state = _take(REGISTER_KEY)
    if state.get("admin") != admin.id:
        raise CeremonyError(_("The security key request expired. Try again."))
    try:
        verified = verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp_id(), expected_origin=origin())
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        current_app.logger.info("WebAuthn registration refused: %s", exc)
        raise CeremonyError(_("The security key's answer could not be verified.")) from exc
    response = credential.get("response") if isinstance(credential, dict) else None
    transports = (response or {}).get("transports") or []
    extensions = credential.get("clientExtensionResults") or {}
    rk = (extensions.get("credProps") or {}).get("rk") if isinstance(extensions, dict) else None
    return {
        "credential_id": bytes_to_base64url(verified.credential_id),
        "public_key": verified.credential_public_key,
        "sign_count": verified.sign_count,
        "user_handle": base64url_to_bytes(state["handle"]),
        "transports": transports if isinstance(transports, list) else [],
        "aaguid": verified.aaguid,
        "device_type": verified.credential_device_type.value,
        "backed_up": verified.credential_backed_up,
        "discoverable": rk if isinstance(rk, bool) else None,
    }


def authentication_options(purpose: str, admin=None) -> dict:
    """For the second step (`admin` given: only their keys) or passwordless (any
    discoverable key; the key says who it belongs to, so user verification is required)."""
    if purpose == SECOND_FACTOR:
        allow = [_descriptor(c) for c in second_factors.credentials(admin)]
        verification = UserVerificationRequirement.PREFERRED
    else:
        allow = None
        verification = UserVerificationRequirement.REQUIRED
    options = generate_authentication_options(rp_id=rp_id(), allow_credentials=allow,
                                              user_verification=verification)
    _store(AUTH_KEY, options.challenge, purpose=purpose,
           admin=admin.id if admin is not None else None)
    return json.loads(options_to_json(options))


def _credential_id(credential: dict) -> str:
    raw = credential.get("rawId") or credential.get("id")
    if not isinstance(raw, str):
        raise CeremonyError(_("The security key's answer could not be verified."))
    try:
        return bytes_to_base64url(base64url_to_bytes(raw))
    except (ValueError, TypeError) as exc:
        raise CeremonyError(_("The security key's answer could not be verified.")) from exc


def _issued_before_last_use(state: dict, cred: WebAuthnCredential) -> bool:
    if cred.last_used_at is None:
        return False
    issued = state.get("iat")
    return not isinstance(issued, (int, float)) or issued <= as_utc(cred.last_used_at).timestamp()


def verify_authentication(credential: dict, purpose: str, admin=None) -> WebAuthnCredential:
    """Check an assertion; returns the key used (its counter and last use updated)."""
    state = _take(AUTH_KEY)
    if state.get("purpose") != purpose or \
            state.get("admin") != (admin.id if admin is not None else None):
        raise CeremonyError(_("The security key request expired. Try again."))
    if not isinstance(credential, dict):
        raise CeremonyError(_("The security key's answer could not be verified."))
    cred = second_factors.find_credential(_credential_id(credential))
    if cred is None or (admin is not None and cred.admin_id != admin.id):
        raise CeremonyError(_("This security key is not registered here."))
    if _issued_before_last_use(state, cred):
        raise CeremonyError(_("The security key request expired. Try again."))
    if purpose == PASSWORDLESS:
        handle = (credential.get("response") or {}).get("userHandle")
        try:
            if not handle or base64url_to_bytes(handle) != cred.user_handle:
                raise CeremonyError(_("This security key is not registered here."))
        except (ValueError, TypeError) as exc:
            raise CeremonyError(_("This security key is not registered here.")) from exc
    try:
        verified = verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(state["challenge"]),
            expected_rp_id=rp_id(), expected_origin=origin(),
            credential_public_key=cred.public_key,
            credential_current_sign_count=cred.sign_count,
            require_user_verification=purpose == PASSWORDLESS)
    except (WebAuthnException, ValueError, KeyError, TypeError) as exc:
        current_app.logger.info("WebAuthn assertion refused: %s", exc)
        raise CeremonyError(_("The security key's answer could not be verified.")) from exc
    second_factors.mark_credential_used(cred, verified.new_sign_count)
    return cred


def credential_named(credential) -> WebAuthnCredential | None:
    """The stored key a (refused) answer names, for throttling and the audit trail."""
    if not isinstance(credential, dict):
        return None
    try:
        return second_factors.find_credential(_credential_id(credential))
    except CeremonyError:
        return None
