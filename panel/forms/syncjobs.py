"""The sync job add and edit forms, with Mailcow's rules checked before anything is sent."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, PasswordField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, ValidationError

from panel.mailcow.syncjobs import (
    MAX_AGE,
    MAX_BYTES_PER_SECOND,
    MAX_INTERVAL,
    MAX_TIMEOUT,
    SyncJobSettings,
    custom_params_refusal,
)

ENCRYPTION_CHOICES = [SelectChoice("SSL", _l("SSL/TLS")),
                      SelectChoice("TLS", _l("STARTTLS")),
                      SelectChoice("PLAIN", _l("None (plain text)"))]
# A host name (Mailcow's edit refuses anything else) or an IPv4 address.
_HOST = re.compile(r"^(?=.{1,253}$)([a-z0-9](-*[a-z0-9])*)(\.[a-z0-9](-*[a-z0-9])*)*$", re.I)


def _strip(value):
    return (value or "").strip()


def exclude_problem(pattern: str) -> str | None:
    """Why Mailcow would refuse the exclude pattern (it compiles it as /pattern/ in PHP)."""
    escaped = False
    for char in pattern:
        if escaped:
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == "/":
            return str(_l("Escape a slash as \\/: Mailcow wraps the pattern in slashes."))
    if escaped:
        return str(_l("The pattern must not end with a single backslash."))
    try:
        # PCRE allows inline flags such as (?i) anywhere; Python only at the start.
        re.compile(re.sub(r"\(\?[imsx]+\)", "", pattern))
    except re.error as exc:
        return str(_l("Not a valid regular expression: %(error)s", error=exc))
    return None


class SyncJobForm(FlaskForm):
    host = StringField(_l("Remote host"), filters=[_strip],
                       validators=[DataRequired(), Length(max=255)])
    port = IntegerField(_l("Port"), default=993,
                        validators=[InputRequired(), NumberRange(min=1, max=65535)])
    encryption = SelectField(_l("Encryption"), choices=ENCRYPTION_CHOICES, default="SSL")
    user = StringField(_l("Remote user name"), filters=[_strip],
                       validators=[DataRequired(), Length(max=255)],
                       render_kw={"autocomplete": "off"})
    # Never rendered back: PasswordField leaves its value out of the page.
    password = PasswordField(_l("Remote password"), validators=[Length(max=255)],
                             render_kw={"autocomplete": "new-password"})
    interval = IntegerField(_l("Interval (minutes)"), default=20,
                            validators=[InputRequired(), NumberRange(min=1, max=MAX_INTERVAL)])
    subfolder = StringField(_l("Subfolder on this server"), default="External",
                            filters=[_strip], validators=[Length(max=255)])
    exclude = StringField(_l("Folders to exclude (regular expression)"),
                          default="(?i)spam|(?i)junk", filters=[_strip],
                          validators=[Length(max=500)])
    max_age = IntegerField(_l("Maximum age (days)"), default=0,
                           validators=[NumberRange(min=0, max=MAX_AGE)])
    max_bytes_per_second = IntegerField(_l("Maximum bytes per second"), default=0,
                                        validators=[NumberRange(min=0, max=MAX_BYTES_PER_SECOND)])
    timeout_remote = IntegerField(_l("Timeout of the remote server (seconds)"), default=600,
                                  validators=[InputRequired(),
                                              NumberRange(min=1, max=MAX_TIMEOUT)])
    timeout_local = IntegerField(_l("Timeout of this server (seconds)"), default=600,
                                 validators=[InputRequired(), NumberRange(min=1, max=MAX_TIMEOUT)])
    custom_params = StringField(_l("Custom parameters"), filters=[_strip],
                                validators=[Length(max=1000)])
    delete_duplicates = BooleanField(_l("Delete duplicates on the destination"), default=True)
    delete_from_source = BooleanField(_l("Delete from the source after transfer"),
                                      default=False)
    delete_on_destination = BooleanField(
        _l("Delete messages on the destination that are not on the source"), default=False)
    automap = BooleanField(_l("Map standard folders (Sent, Trash, Junk…) automatically"),
                           default=True)
    skip_cross_duplicates = BooleanField(_l("Skip duplicates across folders"), default=False)
    subscribe_all = BooleanField(_l("Subscribe to all folders"), default=True)
    dry_run = BooleanField(_l("Dry run: only report what would be copied"), default=False)
    active = BooleanField(_l("Active"), default=True)

    require_password = False

    def validate_host(self, field):
        if field.data and not _HOST.match(field.data):
            raise ValidationError(_l("Enter a host name such as imap.example.com or an IPv4 "
                                     "address."))

    def validate_password(self, field):
        if self.require_password and not field.data:
            raise ValidationError(_l("Enter the password of the remote mailbox."))

    def validate_exclude(self, field):
        problem = exclude_problem(field.data or "")
        if problem:
            raise ValidationError(problem)

    def validate_custom_params(self, field):
        refusal = custom_params_refusal(field.data or "")
        if refusal == "bad character SPACE":
            raise ValidationError(_l("Write each option as --option or --option=value, "
                                     "without spaces inside an option."))
        if refusal:
            raise ValidationError(_l("Mailcow does not allow the imapsync option --%(name)s.",
                                     name=refusal.removeprefix("bad option ")))

    def settings(self) -> SyncJobSettings:
        return SyncJobSettings(
            host=self.host.data.lower(), user=self.user.data,
            password=self.password.data or None, port=self.port.data,
            encryption=self.encryption.data, interval=self.interval.data,
            exclude=self.exclude.data or "", subfolder=self.subfolder.data or "",
            max_age=self.max_age.data or 0,
            max_bytes_per_second=self.max_bytes_per_second.data or 0,
            timeout_remote=self.timeout_remote.data, timeout_local=self.timeout_local.data,
            delete_duplicates=self.delete_duplicates.data,
            delete_from_source=self.delete_from_source.data,
            delete_on_destination=self.delete_on_destination.data,
            automap=self.automap.data, skip_cross_duplicates=self.skip_cross_duplicates.data,
            subscribe_all=self.subscribe_all.data, dry_run=self.dry_run.data,
            custom_params=self.custom_params.data or "",
            active=self.active.data)

    def fill(self, settings: SyncJobSettings) -> None:
        for name, value in (
                ("host", settings.host), ("user", settings.user), ("port", settings.port),
                ("encryption", settings.encryption), ("interval", settings.interval),
                ("exclude", settings.exclude), ("subfolder", settings.subfolder),
                ("max_age", settings.max_age),
                ("max_bytes_per_second", settings.max_bytes_per_second),
                ("timeout_remote", settings.timeout_remote),
                ("timeout_local", settings.timeout_local),
                ("custom_params", settings.custom_params),
                ("delete_duplicates", settings.delete_duplicates),
                ("delete_from_source", settings.delete_from_source),
                ("delete_on_destination", settings.delete_on_destination),
                ("automap", settings.automap),
                ("skip_cross_duplicates", settings.skip_cross_duplicates),
                ("subscribe_all", settings.subscribe_all), ("dry_run", settings.dry_run),
                ("active", settings.active)):
            getattr(self, name).data = value


class SyncJobAddForm(SyncJobForm):
    owner = StringField(_l("Local mailbox (owner)"),
                        filters=[lambda v: (v or "").strip().lower()],
                        validators=[DataRequired(), Length(max=255)])
    require_password = True

    def validate_owner(self, field):
        local, _, domain = (field.data or "").rpartition("@")
        if not local or not _HOST.match(domain) or "." not in domain:
            raise ValidationError(_l("Enter the full address of a mailbox on this server."))
