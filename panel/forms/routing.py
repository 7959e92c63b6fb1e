"""Forms for sender-dependent transports and transport maps, with Postfix's rules up front.

Passwords are write-only: the field is never filled back in, a blank field on edit keeps
the password Mailcow has, and "clear password" removes it.
"""
from __future__ import annotations

import ipaddress
import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.mailcow.relayhosts import CLEAR, KEEP, REPLACE, RelayhostSettings
from panel.mailcow.transports import TransportSettings, split_destinations

_LABEL = r"(?!-)[A-Za-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*\.?$")
_HOST_PORT = re.compile(r"^(?P<bracket>\[(?P<inner>[^\]]+)\])?(?P<plain>[^\[\]]*?)"
                        r"(:(?P<port>\d+))?$")
_DOMAIN = re.compile(rf"^{_LABEL}(\.{_LABEL})+$")
_EMAIL = re.compile(rf"^[^@\s]+@{_LABEL}(\.{_LABEL})+$")


def _strip(value):
    return (value or "").strip()


def _is_ip(value: str) -> bool:
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return False
    return True


def next_hop_problem(value: str) -> str | None:
    """Why `value` is no Postfix next hop ("host", "host:port", "[host]:port"), or None."""
    if _is_ip(value):
        return None  # Mailcow puts a bare IP address in brackets itself
    if re.match(r"^[a-z0-9+.-]+:(?!\d+$)", value, re.I) and not value.startswith("["):
        return str(_l("Leave out the service name (such as smtp: or relay:): Mailcow always "
                      "uses smtp."))
    match = _HOST_PORT.match(value)
    if not match or (match.group("bracket") and match.group("plain")):
        return str(_l("Use host, host:port or [host]:port, e.g. [smtp.example.net]:587."))
    host = match.group("inner") if match.group("bracket") else match.group("plain")
    if not host or not (_HOSTNAME.match(host) or _is_ip(host)):
        return str(_l("“%(host)s” is not a valid host name or IP address.", host=host or ""))
    port = match.group("port")
    if port is not None and not 1 <= int(port) <= 65535:
        return str(_l("The port must be between 1 and 65535."))
    return None


def destination_problem(value: str, mx_based: bool) -> str | None:
    if mx_based:
        if re.search(r"(?<!\\)/", value):
            return str(_l("Escape slashes in the expression as \\/."))
        try:
            re.compile(value)
        except re.error as exc:
            return str(_l("“%(value)s” is not a valid regular expression: %(error)s",
                          value=value, error=str(exc)))
        return None
    if value == "*" or _EMAIL.match(value) or _DOMAIN.match(value.removeprefix(".")):
        return None
    return str(_l("“%(value)s” is not a domain, .domain (its subdomains), an address or *.",
                  value=value))


class _CredentialsForm(FlaskForm):
    username = StringField(_l("Username"), filters=[_strip], validators=[Length(max=255)])
    # Never rendered back: PasswordField leaves its value out of the page.
    password = PasswordField(_l("Password"), validators=[Length(max=255)])
    clear_password = BooleanField(_l("Remove the stored password"))
    editing = False

    def validate_clear_password(self, field):
        if field.data and self.password.data:
            raise ValidationError(_l("Either type a new password or remove the stored one, "
                                     "not both."))

    def password_action(self) -> str:
        if self.password.data:
            return REPLACE
        if self.editing and not self.clear_password.data:
            return KEEP
        return CLEAR if self.editing else REPLACE


class RelayhostForm(_CredentialsForm):
    hostname = StringField(_l("Host"), filters=[_strip],
                           validators=[DataRequired(), Length(max=255)])
    active = BooleanField(_l("Active"), default=True)

    def validate_hostname(self, field):
        problem = next_hop_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def settings(self) -> RelayhostSettings:
        return RelayhostSettings(hostname=self.hostname.data, username=self.username.data or "",
                                 password=self.password.data or "",
                                 password_action=self.password_action(),
                                 active=bool(self.active.data))


class TransportForm(_CredentialsForm):
    destination = StringField(_l("Destination"), filters=[_strip],
                              validators=[DataRequired(), Length(max=255)])
    nexthop = StringField(_l("Next hop"), filters=[_strip],
                          validators=[DataRequired(), Length(max=255)])
    is_mx_based = BooleanField(_l("Match the destination's MX (regular expression)"))
    active = BooleanField(_l("Active"), default=True)

    def validate_destination(self, field):
        values = split_destinations(field.data or "")
        if self.editing and len(values) > 1:
            raise ValidationError(_l("An existing entry has exactly one destination."))
        for value in values:
            problem = destination_problem(value, bool(self.is_mx_based.data))
            if problem:
                raise ValidationError(problem)

    def validate_nexthop(self, field):
        problem = next_hop_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_password(self, field):
        if field.data and not self.username.data:
            raise ValidationError(_l("A password needs a username; Mailcow drops it "
                                     "otherwise."))

    def settings(self) -> TransportSettings:
        return TransportSettings(destination=self.destination.data,
                                 nexthop=self.nexthop.data,
                                 username=self.username.data or "",
                                 password=self.password.data or "",
                                 password_action=self.password_action(),
                                 is_mx_based=bool(self.is_mx_based.data),
                                 active=bool(self.active.data))


def edit_form(cls, **kwargs):
    form = cls(**kwargs)
    form.editing = True
    return form
