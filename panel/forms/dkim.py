"""DKIM forms: generate, import (a PEM private key, checked here) and duplicate."""
from __future__ import annotations

import re

from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_pem_private_key
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from panel.mailcow.dkim import KEY_SIZES

# Mailcow allows letters, digits, '-', '_' and '.'; a DNS label holds at most 63 octets.
SELECTOR_RE = re.compile(r"^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$")
MAX_PEM = 20000
MIN_BITS, MAX_BITS = 1024, 8192


def _strip(value):
    return (value or "").strip()


class _SelectorMixin:
    def validate_selector(self, field):
        if not SELECTOR_RE.match(field.data or "") or \
                any(len(label) > 63 for label in (field.data or "").split(".")):
            raise ValidationError(_l("Use letters, digits, dashes, underscores and dots, "
                                     "e.g. dkim or mail2026."))


def read_private_key(pem: str) -> tuple[rsa.RSAPrivateKey | None, str | None]:
    """(key, None) for an unencrypted RSA PEM private key, else (None, why not)."""
    text = pem.replace("\r\n", "\n").replace("\r", "\n").strip()
    if "-----BEGIN" not in text:
        return None, str(_l("Paste the key in PEM form, from -----BEGIN … PRIVATE KEY----- "
                            "to the matching END line."))
    if "ENCRYPTED" in text.split("\n", 1)[0] or "Proc-Type: 4,ENCRYPTED" in text:
        return None, str(_l("The key is protected by a passphrase; Mailcow needs it "
                            "without one (openssl rsa -in key.pem -out plain.pem)."))
    try:
        key = load_pem_private_key(text.encode("utf-8"), password=None)
    except TypeError:
        return None, str(_l("The key is protected by a passphrase; Mailcow needs it "
                            "without one (openssl rsa -in key.pem -out plain.pem)."))
    except (ValueError, UnicodeError):
        return None, str(_l("This is not a readable PEM private key."))
    if not isinstance(key, rsa.RSAPrivateKey):
        return None, str(_l("DKIM keys in Mailcow are RSA keys; this is a different kind "
                            "of key."))
    if not MIN_BITS <= key.key_size <= MAX_BITS:
        return None, str(_l("The key has %(bits)s bits; use %(min)s to %(max)s.",
                            bits=key.key_size, min=MIN_BITS, max=MAX_BITS))
    return key, None


class DkimGenerateForm(_SelectorMixin, FlaskForm):
    domain = SelectField(_l("Domain"), choices=[], validate_choice=True)
    selector = StringField(_l("Selector"), default="dkim", filters=[_strip],
                           validators=[DataRequired(), Length(max=253)])
    key_size = SelectField(_l("Key length (bits)"), default="2048",
                           choices=[SelectChoice(str(b), str(b)) for b in KEY_SIZES])


class DkimImportForm(_SelectorMixin, FlaskForm):
    domain = SelectField(_l("Domain"), choices=[], validate_choice=True)
    selector = StringField(_l("Selector"), default="dkim", filters=[_strip],
                           validators=[DataRequired(), Length(max=253)])
    private_key = TextAreaField(_l("Private key (PEM)"),
                                validators=[DataRequired(), Length(max=MAX_PEM)])
    overwrite = BooleanField(_l("Replace the domain's existing key"))
    bits = 0

    def validate_private_key(self, field):
        key, problem = read_private_key(field.data or "")
        if problem:
            raise ValidationError(problem)
        self.bits = key.key_size

    def pem(self) -> str:
        return (self.private_key.data or "").replace("\r\n", "\n").replace("\r", "\n").strip()

    def forget_key(self) -> None:
        """Never send the private key back to the browser, not even after an error."""
        self.private_key.data = ""
        self.private_key.raw_data = []


class DkimDuplicateForm(FlaskForm):
    to_domain = SelectField(_l("Copy to"), choices=[], validate_choice=True)
    overwrite = BooleanField(_l("Replace the key the target domain already has"))
