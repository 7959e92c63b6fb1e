"""Fail2ban forms: parameters with the allow and deny lists, regular expressions, one ban."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, NumberRange, ValidationError

from panel.mailcow.fail2ban import Fail2banSettings, split_list, valid_hostname, valid_network

DAY = 86400
NEVER_DENY = ("0.0.0.0", "0.0.0.0/0", "::/0")


def _entries(field, allow_hosts: bool) -> list[str]:
    entries = split_list(field.data or "")
    bad = [e for e in entries if not (valid_network(e) or (allow_hosts and valid_hostname(e)))]
    if bad:
        raise ValidationError(_l("Not an IP address, network (CIDR) or host name: %(list)s",
                                 list=", ".join(bad[:10])))
    return entries


class Fail2banForm(FlaskForm):
    ban_time = IntegerField(_l("Ban time (seconds)"),
                            validators=[InputRequired(), NumberRange(min=60, max=365 * DAY)])
    ban_time_increment = BooleanField(_l("Increase the ban time for repeat offenders"))
    max_ban_time = IntegerField(_l("Maximum ban time (seconds)"),
                                validators=[InputRequired(), NumberRange(min=60, max=365 * DAY)])
    max_attempts = IntegerField(_l("Attempts before a ban"),
                                validators=[InputRequired(), NumberRange(min=1, max=1000)])
    retry_window = IntegerField(_l("Retry window (seconds)"),
                                validators=[InputRequired(), NumberRange(min=1, max=30 * DAY)])
    netban_ipv4 = IntegerField(_l("IPv4 netban size (prefix length)"),
                               validators=[InputRequired(), NumberRange(min=8, max=32)])
    netban_ipv6 = IntegerField(_l("IPv6 netban size (prefix length)"),
                               validators=[InputRequired(), NumberRange(min=8, max=128)])
    manage_external = BooleanField(_l("Manage bans externally"))
    whitelist = TextAreaField(_l("Allow list"), render_kw={"rows": 6, "class": "mono"})
    blacklist = TextAreaField(_l("Deny list"), render_kw={"rows": 6, "class": "mono"})

    def validate_max_ban_time(self, field):
        if self.ban_time.data and field.data is not None and field.data < self.ban_time.data:
            raise ValidationError(_l("Must be at least the ban time."))

    def validate_whitelist(self, field):
        _entries(field, allow_hosts=True)

    def validate_blacklist(self, field):
        entries = _entries(field, allow_hosts=True)
        if any(e in NEVER_DENY for e in entries):
            raise ValidationError(_l("Denying every address would lock everyone out."))

    def fill(self, settings: Fail2banSettings) -> None:
        for name in ("ban_time", "ban_time_increment", "max_ban_time", "max_attempts",
                     "retry_window", "netban_ipv4", "netban_ipv6", "manage_external"):
            getattr(self, name).data = getattr(settings, name)
        self.whitelist.data = "\n".join(settings.whitelist)
        self.blacklist.data = "\n".join(settings.blacklist)

    def settings(self) -> Fail2banSettings:
        return Fail2banSettings(
            ban_time=self.ban_time.data, ban_time_increment=bool(self.ban_time_increment.data),
            max_ban_time=self.max_ban_time.data, max_attempts=self.max_attempts.data,
            retry_window=self.retry_window.data, netban_ipv4=self.netban_ipv4.data,
            netban_ipv6=self.netban_ipv6.data, whitelist=split_list(self.whitelist.data or ""),
            blacklist=split_list(self.blacklist.data or ""),
            manage_external=bool(self.manage_external.data))


class RegexForm(FlaskForm):
    """One filter per line; netfilter (Python) takes the banned address from group 1."""

    regex = TextAreaField(_l("Regular expressions"), validators=[DataRequired()],
                          render_kw={"rows": 12, "class": "mono", "spellcheck": "false"})

    def validate_regex(self, field):
        problems = []
        for number, pattern in enumerate(self.patterns(), start=1):
            try:
                compiled = re.compile(pattern)
            except re.error as exc:
                problems.append(_l("line %(n)s: %(error)s", n=number, error=str(exc)))
                continue
            if compiled.groups < 1:
                problems.append(_l("line %(n)s: needs a group ( … ) that captures the address",
                                   n=number))
        if problems:
            raise ValidationError("; ".join(str(p) for p in problems))

    def patterns(self) -> list[str]:
        return [line.strip() for line in (self.regex.data or "").splitlines() if line.strip()]


class NetworkForm(FlaskForm):
    """A network to unban, allow or deny from the bans table."""

    network = StringField(_l("Network"), filters=[lambda v: (v or "").strip()],
                          validators=[DataRequired()])

    def validate_network(self, field):
        if not valid_network(field.data):
            raise ValidationError(_l("Not an IP address or network (CIDR)."))
        if field.data in NEVER_DENY:
            raise ValidationError(_l("That would match every address."))
