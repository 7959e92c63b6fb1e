"""PHP's json_encode / json_decode, byte for byte as Mailcow's API prints and reads them."""
from __future__ import annotations

import json
from typing import Any


def _phpify(value: Any) -> Any:
    # PHP has one array type: an empty map prints as [] exactly like an empty list.
    if isinstance(value, dict):
        return {str(k): _phpify(v) for k, v in value.items()} if value else []
    if isinstance(value, (list, tuple)):
        return [_phpify(v) for v in value]
    if isinstance(value, float) and value.is_integer():
        return int(value)  # no JSON_PRESERVE_ZERO_FRACTION
    return value


def encode(value: Any) -> str:
    """json_encode($v): compact, \\u-escaped unicode, escaped slashes."""
    text = json.dumps(_phpify(value), separators=(",", ":"), ensure_ascii=True)
    return text.replace("/", "\\/")


def encode_pretty(value: Any) -> str:
    """json_encode($v, JSON_UNESCAPED_UNICODE | JSON_PRETTY_PRINT), as GET answers are."""
    text = json.dumps(_phpify(value), indent=4, ensure_ascii=False)
    return text.replace("/", "\\/").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def _reject_constant(name: str) -> Any:
    raise ValueError(name)


def decode(raw: bytes | str | None) -> Any:
    """json_decode($raw, true); returns None where PHP returns null (also for bad JSON)."""
    if raw is None:
        return None
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        return json.loads(text, parse_constant=_reject_constant)
    except (ValueError, UnicodeDecodeError):
        return None
