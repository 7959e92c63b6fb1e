"""What Mailcow accepts as a domain name and as an e-mail address, checked before asking it.

Mirrors PHP's FILTER_VALIDATE_EMAIL closely enough for forms (dot-atom local part of at
most 64 characters, a domain of two or more labels ending in a letter) and Mailcow's
is_valid_domain_name() (letters, digits and inner hyphens per label, IDN allowed).
"""
from __future__ import annotations

import re

_LABEL = re.compile(r"^[a-z\d](?:[a-z\d-]{0,61}[a-z\d])?$", re.I)
_LOCAL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")


def ascii_domain(name: str) -> str | None:
    """The punycode form of a domain name, or None when it cannot be one."""
    try:
        text = name.strip().lower().encode("idna").decode("ascii")
    except UnicodeError:
        return None
    return text or None


def is_domain_name(name: str) -> bool:
    text = ascii_domain(name or "")
    if not text or len(text) > 253 or "." not in text:
        return False
    return all(_LABEL.match(label) for label in text.split("."))


def is_address(value: str) -> bool:
    value = (value or "").strip()
    local, at, domain = value.rpartition("@")
    if not at or not local or len(local) > 64 or len(value) > 254:
        return False
    if not _LOCAL.match(local) or not is_domain_name(domain):
        return False
    tld = ascii_domain(domain).rsplit(".", 1)[-1]
    return tld[0].isalpha() or tld.startswith("xn--")
