"""Time-based one-time passwords (RFC 6238): secrets, QR codes, and checking a code."""
from __future__ import annotations

import base64
import io
import re
import time

import pyotp
import segno
from pyotp.utils import strings_equal

ISSUER = "MailApp"
# One 30-second step either side: phones whose clocks drift a little still work.
VALID_WINDOW = 1
CODE_RE = re.compile(r"^\d{6}$")


def new_secret() -> str:
    """160 random bits in base32, as RFC 4226 recommends."""
    return pyotp.random_base32(32)


def normalise(code: str | None) -> str:
    return re.sub(r"[\s-]", "", code or "")


def provisioning_uri(secret: str, username: str, issuer: str = ISSUER) -> str:
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=issuer)


def qr_data_uri(uri: str) -> str:
    """An SVG QR code as a data: URI (dark on white, so it scans in dark mode too)."""
    out = io.BytesIO()
    # A standalone document (with xmlns), not inline markup: <img> will not draw the latter.
    segno.make(uri, error="m").save(out, kind="svg", scale=5, border=4, dark="#000",
                                    light="#fff", xmldecl=False, nl=False, svgclass=None,
                                    lineclass=None)
    return "data:image/svg+xml;base64," + base64.b64encode(out.getvalue()).decode()


def formatted(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i:i + 4] for i in range(0, len(secret), 4))


def matching_step(secret: str, code: str | None, last_step: int | None,
                  now: float | None = None) -> int | None:
    """The time step `code` belongs to, if valid now (±1 step) and newer than `last_step`.

    Returning the step rather than a yes/no lets the caller store it, so the same code
    (or an older one) is refused next time: a shoulder-surfed code is useless.
    """
    code = normalise(code)
    if not CODE_RE.match(code):
        return None
    now = time.time() if now is None else now
    totp = pyotp.TOTP(secret)
    if not totp.verify(code, for_time=now, valid_window=VALID_WINDOW):
        return None
    current = totp.timecode(now)
    for step in range(current - VALID_WINDOW, current + VALID_WINDOW + 1):
        if (last_step is None or step > last_step) and \
                strings_equal(totp.generate_otp(step), code):
            return step
    return None
