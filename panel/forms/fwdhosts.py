"""The forwarding host form: an IP address, a network in CIDR notation, or a host name."""
from __future__ import annotations

import ipaddress

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.address_rules import is_domain_name


def host_kind(value: str) -> str | None:
    """"address", "network" or "name" for what Mailcow accepts, None for anything else."""
    try:
        ipaddress.ip_address(value)
        return "address"
    except ValueError:
        pass
    if "/" in value:
        try:
            ipaddress.ip_network(value, strict=True)
            return "network"
        except ValueError:
            return None
    # Mailcow would store digits-and-dots or hex-and-colons text as typed, unchecked: only
    # real addresses get that far here.
    if all(c in "0123456789./" for c in value) or all(c in "0123456789abcdef:/" for c in value):
        return None
    return "name" if is_domain_name(value) else None


class ForwardingHostForm(FlaskForm):
    hostname = StringField(_l("Host"), filters=[lambda v: (v or "").strip().lower()],
                           validators=[DataRequired(), Length(max=255)])
    spam_filter = BooleanField(_l("Filter spam"), default=False)

    def validate_hostname(self, field):
        if "/" in field.data and host_kind(field.data) is None:
            try:
                network = ipaddress.ip_network(field.data, strict=False)
            except ValueError:
                pass
            else:
                raise ValidationError(_l("Host bits are set; the network is %(net)s.",
                                         net=str(network)))
        if host_kind(field.data) is None:
            raise ValidationError(_l("Enter an IPv4 or IPv6 address, a network in CIDR notation "
                                     "(192.0.2.0/24) or a host or domain name."))
