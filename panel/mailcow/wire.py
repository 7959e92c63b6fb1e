"""Small conversions between Mailcow's wire values and Python ones."""
from __future__ import annotations

from datetime import datetime
from typing import Any

MIB = 1024 * 1024


def flag(value: bool) -> str:
    """Mailcow takes booleans as "0"/"1" strings."""
    return "1" if value else "0"


def as_int(value: Any) -> int:
    """Mailcow mixes ints, numeric strings, null and "" for numbers."""
    try:
        return int(value)
    except (TypeError, ValueError):
        try:
            return int(float(value))
        except (TypeError, ValueError):
            return 0


def mib(value_bytes: int) -> int:
    return int(value_bytes) // MIB


def parse_time(value: Any) -> datetime | None:
    if not value or not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, "%Y-%m-%d %H:%M:%S")
    except ValueError:
        return None
