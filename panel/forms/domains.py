"""The domain add and edit forms, with the limits Mailcow enforces checked up front."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, \
    ValidationError

from panel.mailcow.domains import DomainSettings

# A DNS name of at least two labels, as Mailcow accepts for domains (IDN as punycode).
DOMAIN_RE = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+"
                       r"([a-z]{2,63}|xn--[a-z0-9-]{1,59})$")
SELECTOR_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$", re.I)
TAG_RE = re.compile(r"^[^,<>\"']{1,64}$")
RATE_FRAMES = [SelectChoice("s", _l("per second")), SelectChoice("m", _l("per minute")),
               SelectChoice("h", _l("per hour")), SelectChoice("d", _l("per day"))]
KEY_SIZES = [SelectChoice(bits, bits) for bits in ("1024", "2048", "3072", "4096")]


def normalise_domain(value: str | None) -> str:
    value = (value or "").strip().lower().rstrip(".")
    try:
        # Accept Unicode names and send Mailcow their punycode form.
        return value.encode("idna").decode("ascii") if value else value
    except UnicodeError:
        return value


def parse_tags(value: str | None) -> list[str]:
    seen: list[str] = []
    for tag in (value or "").split(","):
        tag = tag.strip()
        if tag and tag not in seen:
            seen.append(tag)
    return seen


class DomainSettingsForm(FlaskForm):
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)])
    max_aliases = IntegerField(_l("Max. aliases"), default=400,
                               validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    max_mailboxes = IntegerField(_l("Max. mailboxes"), default=10,
                                 validators=[InputRequired(), NumberRange(min=0, max=1_000_000)])
    default_mailbox_quota_mib = IntegerField(
        _l("Default mailbox quota (MiB)"), default=3072,
        validators=[InputRequired(), NumberRange(min=1, max=100_000_000)])
    max_mailbox_quota_mib = IntegerField(
        _l("Max. quota per mailbox (MiB)"), default=10240,
        validators=[InputRequired(), NumberRange(min=1, max=100_000_000)])
    quota_mib = IntegerField(_l("Total domain quota (MiB)"), default=10240,
                             validators=[InputRequired(), NumberRange(min=1, max=100_000_000)])
    rate_limit_value = IntegerField(_l("Rate limit (messages, 0 = none)"), default=0,
                                    validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    rate_limit_frame = SelectField(_l("Rate limit frame"), choices=RATE_FRAMES, default="s")
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=1000)])
    active = BooleanField(_l("Active"), default=True)
    gal = BooleanField(_l("Global address list (GAL)"), default=True)
    backupmx = BooleanField(_l("Relay this domain (backup MX)"), default=False)
    relay_all_recipients = BooleanField(_l("Relay all recipients"), default=False)
    relay_unknown_only = BooleanField(_l("Relay non-existing mailboxes only"), default=False)

    def validate_default_mailbox_quota_mib(self, field):
        if field.data and self.max_mailbox_quota_mib.data and \
                field.data > self.max_mailbox_quota_mib.data:
            raise ValidationError(_l("The default quota cannot be larger than the maximum "
                                     "quota per mailbox."))

    def validate_max_mailbox_quota_mib(self, field):
        if field.data and self.quota_mib.data and field.data > self.quota_mib.data:
            raise ValidationError(_l("The maximum quota per mailbox cannot be larger than "
                                     "the domain quota."))

    def validate_tags(self, field):
        for tag in parse_tags(field.data):
            if not TAG_RE.match(tag):
                raise ValidationError(_l("Tag “%(tag)s” contains characters that are not "
                                         "allowed.", tag=tag))

    def validate_relay_unknown_only(self, field):
        if (field.data or self.relay_all_recipients.data) and not self.backupmx.data:
            raise ValidationError(_l("Relay options only apply when the domain is relayed "
                                     "(backup MX)."))

    def settings(self) -> DomainSettings:
        return DomainSettings(
            description=(self.description.data or "").strip(),
            max_aliases=self.max_aliases.data,
            max_mailboxes=self.max_mailboxes.data,
            default_mailbox_quota_mib=self.default_mailbox_quota_mib.data,
            max_mailbox_quota_mib=self.max_mailbox_quota_mib.data,
            quota_mib=self.quota_mib.data,
            active=self.active.data,
            backupmx=self.backupmx.data,
            relay_all_recipients=self.relay_all_recipients.data,
            relay_unknown_only=self.relay_unknown_only.data,
            gal=self.gal.data,
            rate_limit_value=self.rate_limit_value.data or 0,
            rate_limit_frame=self.rate_limit_frame.data,
            tags=parse_tags(self.tags.data),
        )

    def fill(self, settings: DomainSettings) -> None:
        for name in ("description", "max_aliases", "max_mailboxes", "default_mailbox_quota_mib",
                     "max_mailbox_quota_mib", "quota_mib", "active", "backupmx",
                     "relay_all_recipients", "relay_unknown_only", "gal", "rate_limit_value",
                     "rate_limit_frame"):
            getattr(self, name).data = getattr(settings, name)
        self.tags.data = ", ".join(settings.tags)


class DomainAddForm(DomainSettingsForm):
    domain = StringField(_l("Domain"), filters=[normalise_domain],
                         validators=[DataRequired(), Length(max=253)])
    dkim_selector = StringField(_l("DKIM selector"), default="dkim",
                                validators=[DataRequired(), Length(max=63)])
    dkim_key_size = SelectField(_l("DKIM key length (bits)"), default="2048",
                                choices=KEY_SIZES)

    def validate_domain(self, field):
        if not DOMAIN_RE.match(field.data or ""):
            raise ValidationError(_l("Enter a domain name such as example.org."))

    def validate_dkim_selector(self, field):
        if not SELECTOR_RE.match(field.data or ""):
            raise ValidationError(_l("Letters, digits, dash and underscore only."))


class KeepIfAbsentSelectField(SelectField):
    """A select that may be left out of a post: then Mailcow's value is kept."""

    def pre_validate(self, form):
        if self.raw_data:
            super().pre_validate(form)


class DomainEditForm(DomainSettingsForm):
    # Choices (0 = default route, then Routing's sender-dependent transports) come from the view.
    relayhost = KeepIfAbsentSelectField(_l("Sender-dependent transport"), coerce=int,
                                        choices=[], validate_choice=True)

    def settings(self) -> DomainSettings:
        settings = super().settings()
        settings.relayhost = self.relayhost.data if self.relayhost.raw_data else None
        return settings

    def fill(self, settings: DomainSettings) -> None:
        super().fill(settings)
        self.relayhost.data = settings.relayhost or 0
