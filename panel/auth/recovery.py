"""Recovery codes: ten one-time codes that stand in for a lost second factor.

Only a salted SHA-256 of each code is stored. A slow hash is not needed: every code
carries about 50 random bits, far beyond guessing at the throttled sign-in rate.
"""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets

COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read back from paper
GROUP = 5
SCHEME = "sha256"


def generate(count: int = COUNT) -> list[str]:
    """Fresh codes shaped "abcde-fghij"."""
    codes = []
    for _ in range(count):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(GROUP * 2))
        codes.append(f"{raw[:GROUP]}-{raw[GROUP:]}")
    return codes


def normalise(code: str | None) -> str:
    """Case, spaces and dashes do not matter when a code is typed back."""
    return re.sub(r"[\s-]", "", (code or "").lower())


def hash_code(code: str) -> str:
    salt = secrets.token_hex(16)
    digest = hashlib.sha256(f"{salt}:{normalise(code)}".encode()).hexdigest()
    return f"{SCHEME}${salt}${digest}"


def matches(stored: str, code: str | None) -> bool:
    scheme, _, rest = stored.partition("$")
    salt, _, digest = rest.partition("$")
    if scheme != SCHEME or not salt or not digest:
        return False
    candidate = hashlib.sha256(f"{salt}:{normalise(code)}".encode()).hexdigest()
    return hmac.compare_digest(candidate, digest)


def looks_like_code(code: str | None) -> bool:
    value = normalise(code)
    return len(value) == GROUP * 2 and all(c in ALPHABET for c in value)
