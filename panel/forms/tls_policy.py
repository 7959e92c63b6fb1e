"""The TLS policy map form: destination, Postfix TLS policy, its parameters, active."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.address_rules import is_domain_name
from panel.mailcow.tls_policy import POLICIES, TlsPolicySettings, parameters_valid

POLICY_HINTS = {
    "none": _l("none — never use TLS"),
    "may": _l("may — TLS when offered, unverified (opportunistic)"),
    "encrypt": _l("encrypt — TLS required, certificate not verified"),
    "dane": _l("dane — DANE when TLSA records exist, else opportunistic"),
    "dane-only": _l("dane-only — DANE required"),
    "fingerprint": _l("fingerprint — certificate must match a fingerprint"),
    "verify": _l("verify — TLS with a verified certificate, name from DNS (MX)"),
    "secure": _l("secure — TLS with a verified certificate and secure name matching"),
}
POLICY_CHOICES = [SelectChoice(p, POLICY_HINTS[p]) for p in POLICIES]
# A destination as Postfix's policy table takes it: a domain, or a next hop in brackets
# with an optional port ([mx.example.org]:25).
_NEXT_HOP = re.compile(r"^\[([^\[\]\s]+)\](?::(\d{1,5}))?$")
# Postfix's smtp_tls_policy_maps attributes.
KNOWN_PARAMETERS = ("ciphers", "exclude", "match", "protocols", "servername", "tafile",
                    "connection_reuse", "enable_rpk")


class TlsPolicyForm(FlaskForm):
    dest = StringField(_l("Destination"), filters=[lambda v: (v or "").strip().lower()],
                       validators=[DataRequired(), Length(max=255)])
    policy = SelectField(_l("Policy"), choices=POLICY_CHOICES, default="encrypt")
    parameters = StringField(_l("Parameters"), filters=[lambda v: " ".join((v or "").split())],
                             validators=[Length(max=255)])
    active = BooleanField(_l("Active"), default=True)

    def validate_dest(self, field):
        if field.data.startswith("."):
            raise ValidationError(_l("Mailcow cannot store a destination starting with a dot; "
                                     "enter the domain itself (example.org)."))
        hop = _NEXT_HOP.match(field.data)
        name = hop.group(1) if hop else field.data
        if hop and hop.group(2) and not 0 < int(hop.group(2)) < 65536:
            raise ValidationError(_l("The port must be between 1 and 65535."))
        if not is_domain_name(name):
            raise ValidationError(_l("Enter a domain (example.org) or a next hop in brackets "
                                     "([mx.example.org]:25)."))

    def validate_parameters(self, field):
        if not parameters_valid(field.data):
            raise ValidationError(_l("Use name=value pairs separated by spaces, for example "
                                     "protocols=>=TLSv1.2 ciphers=high."))
        unknown = [p.split("=", 1)[0] for p in field.data.split(" ")
                   if field.data and p.split("=", 1)[0] not in KNOWN_PARAMETERS]
        if unknown:
            raise ValidationError(_l("Unknown parameter %(names)s; Postfix knows %(known)s.",
                                     names=", ".join(unknown),
                                     known=", ".join(KNOWN_PARAMETERS)))

    def settings(self) -> TlsPolicySettings:
        return TlsPolicySettings(dest=self.dest.data, policy=self.policy.data,
                                 parameters=self.parameters.data, active=self.active.data)

    def fill(self, settings: TlsPolicySettings) -> None:
        self.dest.data = settings.dest
        self.policy.data = settings.policy
        self.parameters.data = settings.parameters
        self.active.data = settings.active
