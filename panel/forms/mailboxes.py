"""The mailbox forms: add, edit, password; Mailcow's password policy and domain limits checked up front."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, IntegerField, PasswordField, SelectField, \
    StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, \
    ValidationError

from panel.forms.domains import DOMAIN_RE, RATE_FRAMES, TAG_RE, KeepIfAbsentSelectField, \
    parse_tags
from panel.forms.fields import CheckboxList
from panel.mailcow.app_passwords import PROTOCOLS as APP_PROTOCOLS
from panel.mailcow.mailboxes import PROTOCOLS, USER_ACL_DEFAULTS, Mailbox, \
    MailboxSettings
from panel.mailcow.time_limited_aliases import VALIDITY_MAX_HOURS
from panel.mailcow.password_policy import PasswordPolicy

# What Mailcow accepts before the @ (its is_email check, without quoting).
LOCAL_PART_RE = re.compile(r"^[a-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[a-z0-9!#$%&'*+/=?^_`{|}~-]+)*$")
EMAIL_RE = re.compile(r"^[^@\s,]+@[^@\s,]+\.[^@\s,]+$")
ACTIVE_CHOICES = [SelectChoice("1", _l("Active")), SelectChoice("0", _l("Inactive")),
                  SelectChoice("2", _l("Disallow login (mail is still received)"))]
NOTIFICATIONS = [SelectChoice("never", _l("Never")), SelectChoice("hourly", _l("Hourly")),
                 SelectChoice("daily", _l("Daily")), SelectChoice("weekly", _l("Weekly"))]
CATEGORIES = [SelectChoice("reject", _l("Rejected")),
              SelectChoice("add_header", _l("Sent to the junk folder")),
              SelectChoice("all", _l("All"))]
PROTOCOL_LABELS = {"imap": _l("IMAP"), "pop3": _l("POP3"), "smtp": _l("SMTP (sending)"),
                   "sieve": _l("Sieve"), "sogo": _l("SOGo webmail"),
                   "eas": _l("ActiveSync"), "dav": _l("CalDAV / CardDAV")}
USER_ACL_LABELS = {
    "spam_alias": _l("Time-limited aliases"),
    "tls_policy": _l("TLS policy"),
    "spam_score": _l("Spam score"),
    "spam_policy": _l("Allow and deny lists"),
    "delimiter_action": _l("Tagged mail handling"),
    "syncjobs": _l("Sync jobs"),
    "eas_reset": _l("Reset ActiveSync devices"),
    "sogo_profile_reset": _l("Reset the SOGo profile"),
    "pushover": _l("Pushover notifications"),
    "quarantine": _l("Quarantine actions"),
    "quarantine_attachments": _l("Quarantine attachments"),
    "quarantine_notification": _l("Quarantine notifications"),
    "quarantine_category": _l("Quarantine notification category"),
    "app_passwds": _l("App passwords"),
}
TAGGED_CHOICES = [
    SelectChoice("subfolder", _l("Move into a subfolder named after the tag")),
    SelectChoice("subject", _l("Add the tag to the subject")),
    SelectChoice("none", _l("Do nothing (deliver to the inbox)")),
]
APP_PROTOCOL_LABELS = {"imap_access": _l("IMAP"), "smtp_access": _l("SMTP"),
                       "eas_access": _l("ActiveSync"), "dav_access": _l("CalDAV / CardDAV"),
                       "pop3_access": _l("POP3"), "sieve_access": _l("Sieve")}
# Custom attribute names: Mailcow strips spaces; we allow what is safe in its JSON map.
ATTRIBUTE_NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,64}$")
POLICY_TEXTS = {
    "length": _l("At least %(n)s characters"),
    "chars": _l("at least one letter"),
    "special_chars": _l("at least one character that is not a letter or digit"),
    "lowerupper": _l("lowercase and uppercase letters"),
    "numbers": _l("at least one digit"),
}


def policy_text(policy: PasswordPolicy) -> str:
    parts = [str(POLICY_TEXTS["length"]) % {"n": policy.length}]
    parts += [str(POLICY_TEXTS[k]) for k in ("chars", "special_chars", "lowerupper", "numbers")
              if getattr(policy, k)]
    return "; ".join(parts) + "."


def parse_senders(value: str | None) -> list[str]:
    """Sender addresses from a box: one per line or comma-separated, "@domain" and "*" too."""
    seen: list[str] = []
    for item in re.split(r"[,\s]+", value or ""):
        item = item.strip().lower()
        if item and item not in seen:
            seen.append(item)
    return seen


def _lower(value: str | None) -> str:
    return (value or "").strip().lower()


class PasswordPair:
    """A password and its confirmation, checked against Mailcow's policy."""

    policy: PasswordPolicy = PasswordPolicy()

    def apply_policy(self, policy: PasswordPolicy) -> None:
        self.policy = policy
        attrs = {"autocomplete": "new-password", "minlength": policy.length}
        if policy.html_pattern:
            attrs["pattern"] = policy.html_pattern
        self.password.render_kw = attrs
        self.password2.render_kw = {"autocomplete": "new-password"}

    def validate_password(self, field):
        if field.data and self.policy.problems(field.data):
            raise ValidationError(_l("The password does not meet Mailcow's policy: %(rules)s",
                                     rules=policy_text(self.policy)))

    def validate_password2(self, field):
        if (self.password.data or field.data) and field.data != self.password.data:
            raise ValidationError(_l("The two passwords differ."))


class PasswordForm(PasswordPair, FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired()])
    password2 = PasswordField(_l("Repeat the password"), validators=[DataRequired()])
    force_pw_update = BooleanField(_l("Ask for a new password at the next login"))


class MailboxSettingsForm(FlaskForm):
    name = StringField(_l("Full name"), validators=[Optional(), Length(max=255)])
    quota_mib = IntegerField(_l("Quota (MiB)"),
                             validators=[InputRequired(), NumberRange(min=0, max=100_000_000)])
    active_state = SelectField(_l("Status"), choices=ACTIVE_CHOICES, default="1")
    force_pw_update = BooleanField(_l("Ask for a new password at the next login"))
    imap_access = BooleanField(PROTOCOL_LABELS["imap"], default=True)
    pop3_access = BooleanField(PROTOCOL_LABELS["pop3"], default=True)
    smtp_access = BooleanField(PROTOCOL_LABELS["smtp"], default=True)
    sieve_access = BooleanField(PROTOCOL_LABELS["sieve"], default=True)
    sogo_access = BooleanField(PROTOCOL_LABELS["sogo"], default=True)
    eas_access = BooleanField(PROTOCOL_LABELS["eas"], default=True)
    dav_access = BooleanField(PROTOCOL_LABELS["dav"], default=True)
    rate_limit_value = IntegerField(_l("Rate limit (messages, 0 = the domain's)"), default=0,
                                    validators=[Optional(), NumberRange(min=0, max=10_000_000)])
    rate_limit_frame = SelectField(_l("Rate limit frame"), choices=RATE_FRAMES, default="s")
    tags = StringField(_l("Tags (comma-separated)"), validators=[Optional(), Length(max=1000)])
    tls_enforce_in = BooleanField(_l("Enforce TLS for incoming mail"))
    tls_enforce_out = BooleanField(_l("Enforce TLS for outgoing mail"))
    quarantine_notification = SelectField(_l("Quarantine notifications"), choices=NOTIFICATIONS,
                                          default="hourly")
    quarantine_category = SelectField(_l("Quarantine notification category"),
                                      choices=CATEGORIES, default="reject")
    tagged_mail = SelectField(_l("Tagged mail (user+tag@domain)"), choices=TAGGED_CHOICES,
                              default="none")
    user_acl = CheckboxList(_l("The user may change themselves"),
                            choices=[SelectChoice(k, v) for k, v in USER_ACL_LABELS.items()],
                            default=[k for k, on in USER_ACL_DEFAULTS.items() if on])

    # Set by the view from the domain: the largest quota Mailcow will accept, in MiB.
    max_quota_mib: int | None = None
    allow_unlimited = False

    def protocol_fields(self):
        return [getattr(self, f"{p}_access") for p in PROTOCOLS]

    def limit_quota(self, max_mib: int, allow_unlimited: bool) -> None:
        self.max_quota_mib = max_mib
        self.allow_unlimited = allow_unlimited
        self.quota_mib.render_kw = {"min": 0 if allow_unlimited else 1, "max": max_mib}

    def validate_quota_mib(self, field):
        if field.data is None:
            return
        if field.data == 0 and not self.allow_unlimited:
            raise ValidationError(_l("Only global administrators may give a mailbox an "
                                     "unlimited quota (0)."))
        if self.max_quota_mib is not None and field.data > self.max_quota_mib:
            raise ValidationError(_l("At most %(n)s MiB in this domain.", n=self.max_quota_mib))

    def validate_tags(self, field):
        for tag in parse_tags(field.data):
            if not TAG_RE.match(tag):
                raise ValidationError(_l("Tag “%(tag)s” contains characters that are not "
                                         "allowed.", tag=tag))

    def settings(self, base: MailboxSettings | None = None) -> MailboxSettings:
        settings = base or MailboxSettings()
        state = int(self.active_state.data)
        settings.name = (self.name.data or "").strip()
        settings.quota_mib = self.quota_mib.data
        settings.active = state == 1
        settings.active_state = state
        settings.force_pw_update = self.force_pw_update.data
        for protocol in PROTOCOLS:
            setattr(settings, f"{protocol}_access", getattr(self, f"{protocol}_access").data)
        settings.tags = parse_tags(self.tags.data)
        settings.tls_enforce_in = self.tls_enforce_in.data
        settings.tls_enforce_out = self.tls_enforce_out.data
        settings.quarantine_notification = self.quarantine_notification.data
        settings.quarantine_category = self.quarantine_category.data
        return settings

    def fill(self, mailbox: Mailbox) -> None:
        self.name.data = mailbox.name
        self.quota_mib.data = mailbox.quota // (1024 * 1024)
        self.active_state.data = str(mailbox.active_state)
        self.force_pw_update.data = mailbox.force_pw_update
        for protocol in PROTOCOLS:
            getattr(self, f"{protocol}_access").data = getattr(mailbox, f"{protocol}_access")
        self.rate_limit_value.data = mailbox.rate_limit_value \
            if mailbox.rate_limit_scope == "mailbox" else 0
        self.rate_limit_frame.data = mailbox.rate_limit_frame
        self.tags.data = ", ".join(mailbox.tags)
        self.tls_enforce_in.data = mailbox.tls_enforce_in
        self.tls_enforce_out.data = mailbox.tls_enforce_out
        self.quarantine_notification.data = mailbox.quarantine_notification
        self.quarantine_category.data = mailbox.quarantine_category


def parse_attributes(value: str | None) -> list[tuple[str, str]]:
    """Custom attributes from a box: one `name = value` per line."""
    pairs = []
    for line in (value or "").splitlines():
        if not line.strip():
            continue
        name, _sep, text = line.partition("=")
        pairs.append((name.strip(), text.strip()))
    return pairs


class MailboxAddForm(PasswordPair, MailboxSettingsForm):
    local_part = StringField(_l("Username (before the @)"), filters=[_lower],
                             validators=[DataRequired(), Length(max=64)])
    domain = SelectField(_l("Domain"), choices=[], validate_choice=True)
    password = PasswordField(_l("Password"), validators=[DataRequired()])
    password2 = PasswordField(_l("Repeat the password"), validators=[DataRequired()])

    def validate_local_part(self, field):
        if not LOCAL_PART_RE.match(field.data or ""):
            raise ValidationError(_l("Letters, digits and . _ - + only, e.g. jane.doe."))


class MailboxEditForm(MailboxSettingsForm):
    sender_acl = TextAreaField(
        _l("May also send as"), validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3})

    custom_attributes = TextAreaField(
        _l("Custom attributes"), validators=[Optional(), Length(max=5000)],
        render_kw={"rows": 3})

    def validate_custom_attributes(self, field):
        seen = set()
        for name, value in parse_attributes(field.data):
            if not ATTRIBUTE_NAME_RE.match(name):
                raise ValidationError(_l("“%(n)s” is not a usable attribute name: letters, "
                                         "digits and _ . : - only, written as name = value.",
                                         n=name or "="))
            if name.lower() in seen:
                raise ValidationError(_l("Attribute “%(n)s” appears twice.", n=name))
            if len(value) > 255:
                raise ValidationError(_l("The value of “%(n)s” is longer than 255 characters.",
                                         n=name))
            seen.add(name.lower())

    def attributes(self) -> dict[str, str]:
        return dict(parse_attributes(self.custom_attributes.data))

    def validate_sender_acl(self, field):
        for value in parse_senders(field.data):
            if value == "*":
                continue
            if value.startswith("@"):
                if not DOMAIN_RE.match(value[1:]):
                    raise ValidationError(_l("“%(v)s” is not a domain such as @example.org.",
                                             v=value))
            elif not EMAIL_RE.match(value):
                raise ValidationError(_l("“%(v)s” is not an address, @domain or *.", v=value))

    # Global administrators only: the view removes it for domain administrators.
    relayhost = KeepIfAbsentSelectField(_l("Sender-dependent transport"), coerce=int,
                                        choices=[], validate_choice=True)

    def settings(self, base: MailboxSettings | None = None) -> MailboxSettings:
        settings = super().settings(base)
        relayhost = getattr(self, "relayhost", None)
        settings.relayhost = relayhost.data if relayhost is not None and relayhost.raw_data \
            else None
        return settings

    def fill(self, mailbox: Mailbox) -> None:
        super().fill(mailbox)
        if getattr(self, "relayhost", None) is not None:
            self.relayhost.data = mailbox.relayhost
        self.sender_acl.data = "\n".join(mailbox.sender_acl)
        self.custom_attributes.data = "\n".join(f"{k} = {v}" for k, v in
                                                mailbox.custom_attributes.items())


class AppPasswordForm(FlaskForm):
    """A new app password: a name, a password (or a generated one), the protocols."""

    app_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=255)],
                           render_kw={"placeholder": _l("e.g. Thunderbird on the laptop")})
    generate = BooleanField(_l("Generate a strong password"), default=True)
    app_passwd = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"})
    app_passwd2 = PasswordField(_l("Repeat the password"),
                                render_kw={"autocomplete": "new-password"})
    protocols = CheckboxList(_l("May be used for"),
                             choices=[SelectChoice(p, APP_PROTOCOL_LABELS[p]) for p in APP_PROTOCOLS],
                             default=["imap_access", "smtp_access"])

    policy = None

    def validate_app_name(self, field):
        if not (field.data or "").strip():
            raise ValidationError(_l("Give the app password a name."))

    def validate_app_passwd(self, field):
        if self.generate.data:
            return
        if not field.data:
            raise ValidationError(_l("Enter a password, or let MailApp generate one."))
        if self.policy is not None and self.policy.problems(field.data):
            raise ValidationError(_l("The password does not meet Mailcow's policy: %(rules)s",
                                     rules=policy_text(self.policy)))

    def validate_app_passwd2(self, field):
        if not self.generate.data and field.data != self.app_passwd.data:
            raise ValidationError(_l("The two passwords differ."))

    def validate_protocols(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one protocol."))


class TimeLimitedAliasForm(FlaskForm):
    domain = SelectField(_l("Domain"), choices=[], validate_choice=True)
    description = StringField(_l("Description"), validators=[Optional(), Length(max=255)],
                              render_kw={"placeholder": _l("e.g. the shop it was given to")})
    validity = SelectField(_l("Valid for"), default="168", choices=[
        SelectChoice("1", _l("1 hour")), SelectChoice("24", _l("1 day")),
        SelectChoice("168", _l("1 week")), SelectChoice("720", _l("30 days")),
        SelectChoice("2160", _l("90 days")), SelectChoice("8760", _l("1 year")),
        SelectChoice(str(VALIDITY_MAX_HOURS), _l("10 years"))])
    permanent = BooleanField(_l("Keep it after it expires (permanent)"))


class SpamScoreForm(FlaskForm):
    low = DecimalField(_l("Junk folder above"), places=None,
                       validators=[InputRequired(), NumberRange(min=0, max=9999)],
                       render_kw={"step": "0.1", "min": 0, "max": 9999})
    high = DecimalField(_l("Reject above"), places=None,
                        validators=[InputRequired(), NumberRange(min=0, max=9999)],
                        render_kw={"step": "0.1", "min": 0, "max": 9999})

    def validate_high(self, field):
        if self.low.data is not None and field.data is not None and field.data <= self.low.data:
            raise ValidationError(_l("Must be higher than the junk-folder score."))
