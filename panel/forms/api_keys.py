"""The API key form: name, access, domain scope and permissions, networks, expiry."""
from __future__ import annotations

import ipaddress
import re
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from panel.forms.domains import DOMAIN_RE, normalise_domain
from panel.forms.fields import CheckboxList
from panel.permissions import DEFAULT_PERMISSIONS, PERMISSIONS
from panel.services.api_keys import NAME_RE, parse_networks

ACCESS = [SelectChoice("ro", _l("Read-only")), SelectChoice("rw", _l("Read and write"))]


def split_entries(value: str | None) -> list[str]:
    """Entries separated by commas, spaces or new lines, duplicates dropped."""
    seen: list[str] = []
    for item in re.split(r"[\s,;]+", value or ""):
        if item and item not in seen:
            seen.append(item)
    return seen


class ApiKeyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)],
                       filters=[lambda v: (v or "").strip()])
    access = SelectField(_l("Access"), choices=ACCESS, default="ro")
    domains = TextAreaField(_l("Limit to domains"), validators=[Optional(), Length(max=10000)])
    permissions = CheckboxList(
        _l("Permissions of a key limited to domains"),
        choices=[SelectChoice(k, label) for k, label in PERMISSIONS.items()],
        default=list(DEFAULT_PERMISSIONS))
    networks = TextAreaField(_l("Allowed source networks"),
                             validators=[Optional(), Length(max=10000)])
    expires_at = DateTimeLocalField(_l("Expires (UTC)"), validators=[Optional()],
                                    format=["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S"])

    def __init__(self, *args, known_domains=None, **kwargs):
        """`known_domains`: a callable giving Mailcow's domain names, asked only if needed."""
        super().__init__(*args, **kwargs)
        self._known_domains = known_domains

    def validate_name(self, field):
        if not NAME_RE.match(field.data or ""):
            raise ValidationError(_l("Letters, digits, space, dot, dash and underscore; "
                                     "at most 60 characters."))

    def validate_domains(self, field):
        names = [normalise_domain(d) for d in split_entries(field.data)]
        bad = [n for n in names if not DOMAIN_RE.match(n)]
        if bad:
            raise ValidationError(_l("Not a domain name: %(names)s", names=", ".join(bad)))
        if names and self._known_domains is not None:
            known = {d.lower() for d in self._known_domains()}
            missing = [n for n in names if n not in known]
            if missing:
                raise ValidationError(_l("Mailcow has no domain %(names)s.",
                                         names=", ".join(missing)))

    def validate_networks(self, field):
        for item in split_entries(field.data):
            try:
                ipaddress.ip_network(item, strict=True)
            except ValueError:
                try:
                    loose = ipaddress.ip_network(item, strict=False)
                except ValueError:
                    raise ValidationError(_l(
                        "“%(value)s” is not a network in CIDR notation, such as "
                        "192.0.2.0/24 or 2001:db8::/32.", value=item)) from None
                raise ValidationError(_l("“%(value)s” has host bits set: did you mean "
                                         "%(network)s?", value=item, network=str(loose))) \
                    from None

    def validate_expires_at(self, field):
        if field.data is not None and self.expires_utc() <= datetime.now(timezone.utc):
            raise ValidationError(_l("Choose a moment in the future."))

    def domain_list(self) -> list[str]:
        return [normalise_domain(d) for d in split_entries(self.domains.data)]

    def network_list(self) -> list[str]:
        return parse_networks(split_entries(self.networks.data))

    def expires_utc(self) -> datetime | None:
        return self.expires_at.data.replace(tzinfo=timezone.utc) if self.expires_at.data else None
