"""The password policy form and the two notification-mail forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, ValidationError

from panel.forms.mailboxes import EMAIL_RE

from panel.mailcow.mail_templates import PasswordResetNotification, QuotaNotification
from panel.mailcow.password_policy import MIN_LENGTH, PasswordPolicy

MAX_LENGTH = 128
TEMPLATE_MAX = 65_000


def _strip(value):
    return (value or "").strip()


class PasswordPolicyForm(FlaskForm):
    length = IntegerField(_l("Minimum length"), validators=[
        InputRequired(message=_l("Enter the minimum number of characters.")),
        NumberRange(min=MIN_LENGTH, max=MAX_LENGTH,
                    message=_l("Enter a length from %(min)s to %(max)s; Mailcow ignores "
                               "anything below %(min)s.", min=MIN_LENGTH, max=MAX_LENGTH))])
    chars = BooleanField(_l("At least one letter"))
    special_chars = BooleanField(_l("At least one special character (not a letter or digit)"))
    lowerupper = BooleanField(_l("Both lowercase and uppercase letters"))
    numbers = BooleanField(_l("At least one digit"))

    def policy(self) -> PasswordPolicy:
        return PasswordPolicy(length=self.length.data, chars=self.chars.data,
                              special_chars=self.special_chars.data,
                              lowerupper=self.lowerupper.data, numbers=self.numbers.data)

    def fill(self, policy: PasswordPolicy) -> None:
        self.length.data = policy.length
        self.chars.data = policy.chars
        self.special_chars.data = policy.special_chars
        self.lowerupper.data = policy.lowerupper
        self.numbers.data = policy.numbers


def _sender_ok(form, field):
    # Mailcow silently stores an invalid sender as empty, and drops non-ASCII bytes
    # first: refuse both here instead.
    value = field.data or ""
    if value and (not value.isascii() or not EMAIL_RE.match(value)):
        raise ValidationError(_l("Enter a valid address, e.g. noreply@example.org."))


def _sender_field(label):
    return StringField(label, filters=[_strip], validators=[Length(max=255), _sender_ok],
                       render_kw={"type": "email", "autocomplete": "off"})


class QuotaNotificationForm(FlaskForm):
    sender = _sender_field(_l("Sender"))
    subject = StringField(_l("Subject"), filters=[_strip], validators=[Length(max=255)])
    html = TextAreaField(_l("HTML template"), validators=[Length(max=TEMPLATE_MAX)],
                         render_kw={"rows": 14, "spellcheck": "false"})

    def settings(self) -> QuotaNotification:
        return QuotaNotification(self.sender.data or "", self.subject.data or "",
                                 self.html.data or "")

    def fill(self, settings: QuotaNotification) -> None:
        self.sender.data, self.subject.data, self.html.data = \
            settings.sender, settings.subject, settings.html


class PasswordResetForm(FlaskForm):
    sender = _sender_field(_l("Sender"))
    subject = StringField(_l("Subject"), filters=[_strip], validators=[Length(max=255)])
    text = TextAreaField(_l("Text template"), validators=[Length(max=TEMPLATE_MAX)],
                         render_kw={"rows": 10, "spellcheck": "false"})
    html = TextAreaField(_l("HTML template"), validators=[Length(max=TEMPLATE_MAX)],
                         render_kw={"rows": 14, "spellcheck": "false"})

    def settings(self) -> PasswordResetNotification:
        return PasswordResetNotification(self.sender.data or "", self.subject.data or "",
                                         self.html.data or "", self.text.data or "")

    def fill(self, settings: PasswordResetNotification) -> None:
        self.sender.data, self.subject.data = settings.sender, settings.subject
        self.text.data, self.html.data = settings.text, settings.html
