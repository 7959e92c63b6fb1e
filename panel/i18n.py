"""Compiles the message catalogs (.po, kept in git) into .mo files Flask-Babel reads.

Compiled into the instance folder at start, so a fresh clone or a read-only image
needs no separate build step.
"""
from __future__ import annotations

import io
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

CATALOGS = Path(__file__).resolve().parent / "translations"

# Compiled catalogs by (.po path, its mtime and size): a process that creates several apps
# (the test suite, a multi-app server) parses each catalog once.
_compiled: dict[tuple[Path, int, int], bytes] = {}


def compile_catalogs(target: Path) -> Path:
    for po_path in CATALOGS.glob("*/LC_MESSAGES/messages.po"):
        locale = po_path.parent.parent.name
        mo_path = target / locale / "LC_MESSAGES" / "messages.mo"
        if mo_path.exists() and mo_path.stat().st_mtime >= po_path.stat().st_mtime:
            continue
        mo_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = mo_path.with_suffix(".tmp")
        tmp.write_bytes(_compile(po_path, locale))
        tmp.replace(mo_path)  # atomic: concurrent starts never read half a file
    return target


def _compile(po_path: Path, locale: str) -> bytes:
    stat = po_path.stat()
    key = (po_path, stat.st_mtime_ns, stat.st_size)
    if key not in _compiled:
        with po_path.open("rb") as fh:
            catalog = read_po(fh, locale=locale)
        out = io.BytesIO()
        write_mo(out, catalog)
        _compiled[key] = out.getvalue()
    return _compiled[key]


def update_catalogs() -> None:
    """Re-extract strings and merge them into every catalog: `python -m panel.i18n`."""
    import subprocess
    import sys

    root = CATALOGS.parent.parent
    pot = CATALOGS / "messages.pot"
    babel = [sys.executable, "-m", "babel.messages.frontend"]
    subprocess.run([*babel, "extract", "-F", "panel/babel.cfg", *EXTRACT_KEYWORDS,
                    "--no-location", "--sort-output", "--omit-header", "-o", str(pot), "."],
                   cwd=root, check=True)
    subprocess.run([*babel, "update", "-i", str(pot), "-d", str(CATALOGS), "--no-fuzzy-matching"],
                   cwd=root, check=True)


EXTRACT_KEYWORDS = ["-k", "_l", "-k", "lazy_gettext", "-k", "ngettext:1,2"]

if __name__ == "__main__":
    update_catalogs()
