"""API key use cases: create (the key shown once), revoke, list, and authenticate a caller.

A key looks like `mailapp_<prefix>_<secret>`. The prefix identifies it in lists and
logs; only the SHA-256 of the whole key is stored, which is enough for a random
256-bit secret (no slow hash needed: nothing to guess).
"""
from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import select

from panel.audit import record
from panel.extensions import db
from panel.models import ApiKey
from panel.models.base import as_utc
from panel.permissions import clean

KEY_TAG = "mailapp"
NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 ._-]{0,59}$")
ACTOR_PREFIX = "api:"


class ApiKeyInputError(ValueError):
    """A value the caller must correct; `field` names the form field it belongs to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


class ApiKeyRefused(Exception):
    """The request's key does not authenticate it; `code` says why (for the JSON error)."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class ApiPrincipal:
    """Who an API request acts as: the access-principal interface of an administrator.

    An unscoped key is a global administrator; a key with domains is a domain
    administrator of those domains holding `permissions`. `writable` is separate:
    read-only keys are refused every change, whatever their scope.
    """

    key_id: int
    name: str
    prefix: str
    writable: bool
    domains: tuple[str, ...] = ()
    permissions: tuple[str, ...] = ()

    is_authenticated = True
    is_active = True
    is_anonymous = False
    is_api_key = True

    @property
    def username(self) -> str:
        """The audit trail's actor."""
        return ACTOR_PREFIX + self.name

    @property
    def is_global(self) -> bool:
        return not self.domains

    @property
    def role(self) -> str:
        return "global" if self.is_global else "domain"

    def may(self, permission: str) -> bool:
        return self.is_global or permission in self.permissions

    def get_id(self) -> str:
        return f"api-key:{self.key_id}"


def hash_key(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def parse_networks(text_or_list) -> list[str]:
    """CIDR networks, normalised; raises ApiKeyInputError naming the first bad entry."""
    items = text_or_list if isinstance(text_or_list, list) else \
        re.split(r"[\s,]+", text_or_list or "")
    networks: list[str] = []
    for item in (i.strip() for i in items):
        if not item:
            continue
        try:
            network = ipaddress.ip_network(item, strict=True)
        except ValueError as exc:
            hint = ""
            try:
                hint = f" Did you mean {ipaddress.ip_network(item, strict=False)}?"
            except ValueError:
                pass
            raise ApiKeyInputError(f"“{item}” is not a network in CIDR notation "
                                   f"({exc}).{hint}", "networks") from exc
        if str(network) not in networks:
            networks.append(str(network))
    return networks


def address_allowed(networks: list[str], remote_addr: str | None) -> bool:
    if not networks:
        return True
    try:
        address = ipaddress.ip_address(remote_addr or "")
    except ValueError:
        return False
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(n) for n in networks)


def create_key(name: str, *, writable: bool, actor: str, domains=(), permissions=(),
               networks=(), expires_at: datetime | None = None) -> tuple[ApiKey, str]:
    """Store a new key and return it with the full key text, which is never kept."""
    name = (name or "").strip()
    if not NAME_RE.match(name):
        raise ApiKeyInputError("Names are 1 to 60 characters: letters, digits, space, dot, "
                               "dash and underscore.", "name")
    session = db.session()
    if session.scalar(select(ApiKey).where(ApiKey.name == name)) is not None:
        raise ApiKeyInputError(f"A key named “{name}” already exists.", "name")
    expires_at = as_utc(expires_at)
    if expires_at is not None and expires_at <= datetime.now(timezone.utc):
        raise ApiKeyInputError("The expiry must be in the future.", "expires_at")
    named = [d for d in domains if d is not None]
    domains = sorted({d.strip().lower() for d in named if d.strip()})
    if named and not domains:
        # An empty scope means every domain: blank names must not widen a key to that.
        raise ApiKeyInputError("Name at least one domain, or none for every domain.", "domains")
    perms = clean(permissions) if domains else []
    nets = parse_networks(list(networks))
    prefix = secrets.token_hex(6)
    raw = f"{KEY_TAG}_{prefix}_{secrets.token_urlsafe(32)}"
    key = ApiKey(name=name, prefix=prefix, key_hash=hash_key(raw), writable=writable,
                 domains=domains, permissions=perms, networks=nets, expires_at=expires_at,
                 created_by=actor)
    session.add(key)
    session.commit()
    record("api_key.create", target=name, actor=actor,
           changes={"prefix": prefix, "access": "read-write" if writable else "read-only",
                    "domains": domains, "permissions": perms, "networks": nets,
                    "expires_at": expires_at.isoformat() if expires_at else None})
    return key, raw


def revoke_key(key_id: int, actor: str) -> ApiKey | None:
    """Revoke a key at once; None when there is no such key. Revoking twice is harmless."""
    session = db.session()
    key = session.get(ApiKey, key_id)
    if key is None:
        return None
    if key.revoked_at is None:
        key.revoked_at = datetime.now(timezone.utc)
        key.revoked_by = actor
        session.commit()
        record("api_key.revoke", target=key.name, actor=actor, changes={"prefix": key.prefix})
    return key


def list_keys() -> list[ApiKey]:
    """Usable keys first (newest first), then revoked ones."""
    keys = db.session().scalars(select(ApiKey).order_by(ApiKey.created_at.desc(),
                                                        ApiKey.id.desc())).all()
    return sorted(keys, key=lambda k: k.revoked)


def get_key(key_id: int) -> ApiKey | None:
    return db.session().get(ApiKey, key_id)


USE_RECORD_INTERVAL = timedelta(minutes=10)


def _use_worth_recording(previous: datetime | None, previous_from: str | None,
                         current_from: str | None, now: datetime) -> bool:
    if previous is None or previous_from != current_from:
        return True
    return now - as_utc(previous) >= USE_RECORD_INTERVAL


def authenticate(raw: str | None, remote_addr: str | None) -> ApiPrincipal:
    """The principal for a request's X-API-Key, or ApiKeyRefused; records the use."""
    if not raw:
        raise ApiKeyRefused("missing_api_key", "Send your API key in the X-API-Key header.")
    parts = raw.strip().split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_TAG or not parts[1]:
        raise ApiKeyRefused("invalid_api_key", "The API key is not valid.")
    session = db.session()
    key = session.scalar(select(ApiKey).where(ApiKey.prefix == parts[1]))
    if key is None or not hmac.compare_digest(key.key_hash, hash_key(raw.strip())):
        raise ApiKeyRefused("invalid_api_key", "The API key is not valid.")
    refusal = None
    if key.revoked:
        refusal = ApiKeyRefused("api_key_revoked", "This API key has been revoked.")
    elif key.expired():
        refusal = ApiKeyRefused("api_key_expired", "This API key has expired.")
    elif not address_allowed(key.networks or [], remote_addr):
        refusal = ApiKeyRefused("network_not_allowed",
                                f"This API key may not be used from {remote_addr}.")
    if refusal is not None:
        # A real key used where it may not be is worth a trace; a wrong key is not
        # (anyone can send one, and it names nobody).
        record("api.refused", target=key.name, actor=ACTOR_PREFIX + key.name,
               outcome="refused", detail=refusal.code)
        raise refusal
    now = datetime.now(timezone.utc)
    previous, previous_from = key.last_used_at, key.last_used_from
    key.last_used_at = now
    key.last_used_from = (remote_addr or "")[:64] or None
    session.commit()
    if _use_worth_recording(previous, previous_from, key.last_used_from, now):
        # Changes are audited one by one (panel.api.usage); plain use is recorded when a
        # key starts being used, from a new address, or after a quiet spell, so a script
        # polling every few seconds leaves a trace without flooding the log.
        record("api.use", target=key.name, actor=ACTOR_PREFIX + key.name,
               detail=f"from {key.last_used_from or 'unknown address'}")
    return ApiPrincipal(key_id=key.id, name=key.name, prefix=key.prefix,
                        writable=key.writable, domains=tuple(key.domains or ()),
                        permissions=tuple(key.permissions or ()))
