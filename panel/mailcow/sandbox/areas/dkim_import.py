"""`add/dkim_import`: a DKIM key from a PEM private key (the handler lives in sandbox/dkim.py)."""
from __future__ import annotations

from .. import dkim

ADD = {"dkim_import": dkim.import_key}
