"""The quarantine settings form, with Mailcow's rules checked before anything is sent."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DecimalField, EmailField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from panel.forms.fields import CheckboxList
from panel.forms.mailboxes import EMAIL_RE
from panel.mailcow.quarantine import QuarantineSettings

RELEASE_CHOICES = [SelectChoice("raw", _l("The original message")),
                   SelectChoice("attachment", _l("As an attachment (.eml) to a new message"))]
MAX_RETENTION = 1000     # items per mailbox; Mailcow's UI offers no more
MAX_SIZE_MIB = 100       # Rspamd refuses to scan larger messages anyway


def _strip(value):
    return (value or "").strip()


def _address(form, field):
    # Mailcow silently stores an invalid address as empty; say so before it does.
    if field.data and (not field.data.isascii() or not EMAIL_RE.match(field.data)):
        raise ValidationError(_l("Enter a valid email address, or leave it empty."))


class QuarantineSettingsForm(FlaskForm):
    retention_size = IntegerField(
        _l("Items kept per mailbox"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_RETENTION)])
    max_size = IntegerField(
        _l("Largest message kept (MiB)"),
        validators=[InputRequired(), NumberRange(min=0, max=MAX_SIZE_MIB)])
    max_score = DecimalField(
        _l("Only keep messages scoring below"), places=None,
        validators=[Optional(), NumberRange(min=0, max=10000)])
    max_age = IntegerField(_l("Keep items for (days)"),
                           validators=[InputRequired(), NumberRange(min=1, max=3650)])
    exclude_domains = CheckboxList(_l("Domains without quarantine"), choices=[])
    release_format = SelectField(_l("Release as"), choices=RELEASE_CHOICES, default="raw")
    sender = EmailField(_l("Notification sender"), filters=[_strip],
                        validators=[_address, Length(max=255)])
    subject = StringField(_l("Notification subject"), filters=[_strip],
                          validators=[Length(max=255)])
    bcc = EmailField(_l("Send a copy of every notification to"), filters=[_strip],
                     validators=[_address, Length(max=255)])
    redirect = EmailField(_l("Send notifications to this address instead"), filters=[_strip],
                          validators=[_address, Length(max=255)])
    html_tmpl = TextAreaField(_l("Notification template (HTML)"),
                              validators=[Length(max=65535)],
                              render_kw={"rows": 10, "class": "mono", "spellcheck": "false"})

    def fill(self, settings: QuarantineSettings) -> None:
        self.retention_size.data = settings.retention_size
        self.max_size.data = settings.max_size
        self.max_score.data = settings.max_score or None
        self.max_age.data = settings.max_age
        self.exclude_domains.data = list(settings.exclude_domains)
        self.release_format.data = settings.release_format
        self.sender.data = settings.sender
        self.subject.data = settings.subject
        self.bcc.data = settings.bcc
        self.redirect.data = settings.redirect
        self.html_tmpl.data = settings.html_tmpl

    def settings(self) -> QuarantineSettings:
        score = self.max_score.data
        return QuarantineSettings(
            retention_size=self.retention_size.data, max_size=self.max_size.data,
            max_score="" if score is None else format(score.normalize(), "f"),
            max_age=self.max_age.data, exclude_domains=list(self.exclude_domains.data or []),
            release_format=self.release_format.data, sender=self.sender.data or "",
            subject=self.subject.data or "", bcc=self.bcc.data or "",
            redirect=self.redirect.data or "", html_tmpl=self.html_tmpl.data or "")
