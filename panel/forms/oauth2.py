"""The OAuth2 client form: one redirect URI, checked the way OAuth 2.0 expects it."""
from __future__ import annotations

import re
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.mailcow.oauth2 import REDIRECT_URI_MAX

LOOPBACK = {"localhost", "127.0.0.1", "::1"}
# RFC 8252 private-use schemes for native apps are reverse domain names: com.example.app
PRIVATE_SCHEME = re.compile(r"^[a-z][a-z0-9+-]*(\.[a-z0-9+-]+)+$")


def redirect_uri_problem(value: str) -> str | None:
    """Why `value` cannot be a redirect URI, or None."""
    if any(c.isspace() for c in value):
        return str(_l("A redirect URI cannot contain spaces."))
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        return str(_l("This is not a valid URI."))
    if parts.fragment or "#" in value:
        return str(_l("A redirect URI must not contain a fragment (#…)."))
    scheme = parts.scheme.lower()
    if scheme == "https":
        if not host:
            return str(_l("Enter the full address, e.g. https://app.example.org/callback."))
        return None
    if scheme == "http":
        if host in LOOPBACK:
            return None
        return str(_l("Use https://. Plain http:// is only accepted for localhost, "
                      "127.0.0.1 and [::1]."))
    if PRIVATE_SCHEME.match(scheme) and (parts.path or parts.netloc):
        return None  # a native app's private-use scheme, e.g. com.example.app:/callback
    return str(_l("Enter an absolute https:// address (or an app scheme such as "
                  "com.example.app:/callback)."))


class OAuth2ClientForm(FlaskForm):
    redirect_uri = StringField(
        _l("Redirect URI"), filters=[lambda v: (v or "").strip()],
        validators=[DataRequired(), Length(max=REDIRECT_URI_MAX)],
        render_kw={"placeholder": "https://app.example.org/oauth/callback",
                   "autocomplete": "off", "spellcheck": "false"})

    def validate_redirect_uri(self, field):
        problem = redirect_uri_problem(field.data or "")
        if problem:
            raise ValidationError(problem)
