"""The PHP value rules Mailcow's checks depend on (intval, empty, filter_var, idn, ...)."""
from __future__ import annotations

import math
import re
from typing import Any

MIB = 1048576


class PhpFatal(Exception):
    """Where PHP would die with an uncaught error; the app answers HTTP 500 like php-fpm."""


def intval(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        match = re.match(r"[ \t\n\r\v\f]*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)", value)
        if not match:
            return 0
        number = match.group(1)
        if re.fullmatch(r"[+-]?\d+", number):
            return int(number)
        as_float = float(number)
        return int(as_float) if math.isfinite(as_float) else 0
    return 1 if value else 0


def empty(value: Any) -> bool:
    return value is None or value is False or value == 0 or value in ("", "0", [], {})


def isset(data: dict, key: str) -> bool:
    return isinstance(data, dict) and data.get(key) is not None


def isset_has_content(value: Any) -> bool:
    # PHP's `$var != ""` is loose: null, false and "" all count as no content.
    return value is not None and value is not False and value != ""


def loose_equals_true_string(value: Any) -> bool:
    """PHP `$x == 'true'`, as DataTables flags are compared."""
    return value is True or value == "true"


def trim(value: Any) -> str:
    return php_string(value).strip(" \t\n\r\0\x0b")


def php_string(value: Any) -> str:
    if value is None or value is False:
        return ""
    if value is True:
        return "1"
    if isinstance(value, (list, dict)):
        raise PhpFatal("Array to string conversion in a string-only function")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def htmlspecialchars(value: Any) -> str:
    text = php_string(value)
    return (text.replace("&", "&amp;").replace('"', "&quot;").replace("'", "&#039;")
            .replace("<", "&lt;").replace(">", "&gt;"))


def split_list(value: Any) -> list[str]:
    """preg_split('/( |,|;|\\n)/') then trim: how Mailcow reads address lists."""
    return [trim(part) for part in re.split(r"[ ,;\n]", php_string(value))]


def as_array(value: Any) -> list:
    """PHP `(array)$value` as Mailcow iterates it: scalars wrap, maps yield their values."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def listed(value: Any) -> list:
    """`is_array($x) ? $x : array($x)`, how handlers take one item or many."""
    if isinstance(value, list):
        return value
    if isinstance(value, dict):
        return list(value.values())
    return [value]


def before_at(address: str) -> str:
    """strstr($a, '@', true); false (no '@') concatenates as ''."""
    return address.split("@", 1)[0] if "@" in address else ""


def after_at(address: str) -> str:
    """substr(strstr($a, '@'), 1)."""
    return address.split("@", 1)[1] if "@" in address else ""


def idn_to_ascii(name: Any) -> str:
    """idn_to_ascii(..., UTS46): lower-cased punycode, or '' where PHP gets false."""
    text = php_string(name).lower()
    if not text:
        return ""
    try:
        return text.encode("idna").decode("ascii")
    except UnicodeError:
        return ""


_LABEL_CHAIN = re.compile(r"^([a-z\d](-*[a-z\d])*)(\.([a-z\d](-*[a-z\d])*))*$", re.I)


def is_valid_domain_name(name: Any) -> bool:
    if empty(name):
        return False
    ascii_name = idn_to_ascii(name)
    return bool(ascii_name and _LABEL_CHAIN.match(ascii_name) and len(ascii_name) <= 253
                and all(1 <= len(label) <= 63 for label in ascii_name.split(".")))


# FILTER_VALIDATE_EMAIL: dot-atom or quoted local part of at most 64 characters, and a
# domain of at least two labels whose last one starts with a letter (so "x@localhost"
# fails, which matters for spam@localhost gotos on alias edit).
_ATOM = r"[\x21\x23-\x27\x2A\x2B\x2D\x2F-\x39\x3D\x3F\x5E-\x7E]+"
_QUOTED = r'"(?:[\x01-\x08\x0B\x0C\x0E-\x1F\x21\x23-\x5B\x5D-\x7F]|\\[\x00-\x7F])*"'
_WORD = f"(?:{_ATOM}|{_QUOTED})"
_LABEL = r"(?:xn--)?[a-z0-9]+(?:-+[a-z0-9]+)*"
_TLD = r"(?:[a-z][a-z0-9]*|xn--[a-z0-9]+)(?:-+[a-z0-9]+)*"
_EMAIL = re.compile(rf"{_WORD}(?:\.{_WORD})*@(?:{_LABEL}\.)+{_TLD}", re.I)


def is_email(value: Any) -> bool:
    if not isinstance(value, str) or len(value) > 254 or "@" not in value:
        return False
    local, _, domain = value.rpartition("@")
    if len(local) > 64 or any(len(label) > 63 for label in domain.split(".")):
        return False
    return _EMAIL.fullmatch(value) is not None


def php_round(value: float) -> int:
    """round() to an integer, halves away from zero (Python rounds them to even)."""
    return int(math.floor(abs(value) + 0.5)) * (1 if value >= 0 else -1)
