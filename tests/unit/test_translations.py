"""Every user-facing string goes through Flask-Babel and is in the English catalog."""
import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po

from panel.i18n import EXTRACT_KEYWORDS

ROOT = Path(__file__).resolve().parents[2]


def test_english_catalog_holds_every_extracted_string(tmp_path):
    pot = tmp_path / "messages.pot"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "extract", "-F",
                    "panel/babel.cfg", *EXTRACT_KEYWORDS, "--no-location", "-o", str(pot), "."],
                   cwd=ROOT, check=True, capture_output=True)
    with pot.open("rb") as fh:
        extracted = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    with (ROOT / "panel/translations/en/LC_MESSAGES/messages.po").open("rb") as fh:
        catalog = {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(fh) if m.id}
    missing = sorted(extracted - catalog)
    assert not missing, ("strings missing from the English catalog; run `python -m panel.i18n`: "
                         f"{missing[:10]}")


def test_catalog_is_compiled_at_start(app):
    mo = Path(app.instance_path) / "translations/en/LC_MESSAGES/messages.mo"
    assert mo.exists() and mo.stat().st_size > 0
