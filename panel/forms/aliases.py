"""The alias form and the expand-over-alias-domains choice, checked before Mailcow sees them."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.domains import DOMAIN_RE, normalise_domain
from panel.mailcow.aliases import Alias, AliasSettings

LOCAL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
TARGETS = [SelectChoice("addresses", _l("Forward to the addresses above")),
           SelectChoice("discard", _l("Discard silently")),
           SelectChoice("learn_spam", _l("Learn as spam, then discard")),
           SelectChoice("learn_ham", _l("Learn as ham (not spam), then discard"))]
COMMENT_MAX = 160  # bytes, Mailcow's limit


def normalise_address(value: str | None) -> str:
    """Lower-case the domain, IDN to punycode; "@domain" stays a catch-all."""
    value = (value or "").strip()
    if "@" not in value:
        return value
    local, _, domain = value.rpartition("@")
    return f"{local}@{normalise_domain(domain)}"


def valid_address(value: str, catch_all: bool = False) -> bool:
    local, at, domain = value.rpartition("@")
    if not at or not DOMAIN_RE.match(domain) or len(value) > 255:
        return False
    return (catch_all and local == "") or bool(LOCAL_RE.match(local))


def parse_gotos(value: str | None) -> list[str]:
    """Destinations separated by commas, spaces or new lines; duplicates dropped."""
    found: list[str] = []
    for part in re.split(r"[\s,;]+", value or ""):
        part = normalise_address(part)
        if part and part not in found:
            found.append(part)
    return found


def _comment_length(form, field):
    if len((field.data or "").encode()) > COMMENT_MAX:
        raise ValidationError(_l("At most %(n)s bytes.", n=COMMENT_MAX))


class AliasForm(FlaskForm):
    address = StringField(_l("Alias address"), filters=[normalise_address],
                          validators=[DataRequired(), Length(max=255)])
    goto = TextAreaField(_l("Goto address(es)"), validators=[Length(max=10_000)])
    target = RadioField(_l("Deliver to"), choices=TARGETS, default="addresses")
    sogo_visible = BooleanField(_l("Visible in SOGo"), default=True)
    public_comment = StringField(_l("Public comment"), validators=[_comment_length])
    private_comment = StringField(_l("Private comment"), validators=[_comment_length])
    internal = BooleanField(_l("Internal (only this server's mailboxes may write to it)"),
                            default=False)
    active = BooleanField(_l("Active"), default=True)

    def validate_address(self, field):
        if not valid_address(field.data or "", catch_all=True):
            raise ValidationError(_l("Enter an address such as info@example.org, or "
                                     "@example.org to catch all addresses of the domain."))

    def validate_goto(self, field):
        if self.target.data != "addresses":
            return
        gotos = parse_gotos(field.data)
        if not gotos:
            raise ValidationError(_l("Enter at least one destination address, or choose "
                                     "another kind of delivery below."))
        wrong = [g for g in gotos if not valid_address(g)]
        if wrong:
            raise ValidationError(_l("Not a valid address: %(list)s", list=", ".join(wrong)))
        if self.address.data and self.address.data in gotos:
            raise ValidationError(_l("An alias cannot forward to itself."))

    @property
    def domain(self) -> str:
        return (self.address.data or "").rpartition("@")[2]

    def settings(self) -> AliasSettings:
        special = None if self.target.data == "addresses" else self.target.data
        return AliasSettings(
            goto=[] if special else parse_gotos(self.goto.data), special=special,
            active=self.active.data, sogo_visible=self.sogo_visible.data,
            public_comment=(self.public_comment.data or "").strip(),
            private_comment=(self.private_comment.data or "").strip(),
            internal=self.internal.data)

    def fill(self, alias: Alias) -> None:
        settings = AliasSettings.of(alias)
        self.address.data = alias.address
        self.goto.data = "\n".join(settings.goto)
        self.target.data = settings.special or "addresses"
        for name in ("sogo_visible", "public_comment", "private_comment", "internal", "active"):
            getattr(self, name).data = getattr(settings, name)


class ConfirmForm(FlaskForm):
    """Only the CSRF token: confirmations and bulk actions read their choices themselves."""
