"""Request-wide wiring: headers, error pages and what every template can use."""
from __future__ import annotations

from flask import Flask

from panel import errors, headers
from panel.navigation import navigation


def init_app(app: Flask) -> None:
    headers.init_app(app)
    errors.init_app(app)
    settings = app.extensions["settings"]

    @app.context_processor
    def shell_context() -> dict:
        return {"sandbox_mode": settings.sandbox, "navigation": navigation}

    app.jinja_env.filters["bytes"] = human_bytes
    app.jinja_env.filters["duration"] = human_duration


def human_bytes(value: int | float | None) -> str:
    """1536 -> '1.5 KiB'; Mailcow quotas are binary units."""
    if value is None:
        return "—"
    size = float(value)
    for unit in ("B", "KiB", "MiB", "GiB", "TiB"):
        if abs(size) < 1024 or unit == "TiB":
            return f"{size:.0f} {unit}" if unit == "B" else f"{size:.1f} {unit}".replace(".0 ", " ")
        size /= 1024
    return f"{size:.1f} PiB"


def human_duration(seconds: int | float | None) -> str:
    """93784 -> '1 d 2 h 3 min': uptimes and ban times at a glance."""
    if seconds is None:
        return "—"
    left = int(seconds)
    parts = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if left >= size:
            parts.append(f"{left // size} {unit}")
            left %= size
    return " ".join(parts[:3]) or f"{left} s"
