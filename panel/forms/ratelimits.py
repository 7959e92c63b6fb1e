"""The rate-limit form: what is limited, and how many messages per time frame."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, NumberRange

from panel.mailcow.ratelimits import DOMAIN, MAILBOX

FRAME_CHOICES = [SelectChoice("s", _l("per second")), SelectChoice("m", _l("per minute")),
                 SelectChoice("h", _l("per hour")), SelectChoice("d", _l("per day"))]
FRAME_LABELS = {c.value: c.label for c in FRAME_CHOICES}
SCOPE_CHOICES = [SelectChoice(DOMAIN, _l("Domain")), SelectChoice(MAILBOX, _l("Mailbox"))]
MAX_VALUE = 1_000_000


class RateLimitForm(FlaskForm):
    value = IntegerField(_l("Messages"), validators=[
        InputRequired(message=_l("Enter how many messages may be sent.")),
        NumberRange(min=1, max=MAX_VALUE,
                    message=_l("Enter a number from 1 to %(max)s.", max=MAX_VALUE))])
    frame = SelectField(_l("Time frame"), choices=FRAME_CHOICES, default="h")


class NewRateLimitForm(RateLimitForm):
    scope = SelectField(_l("Limit applies to"), choices=SCOPE_CHOICES, default=DOMAIN)
    domain = SelectField(_l("Domain"), choices=[], validate_choice=False)
    mailbox = StringField(_l("Mailbox address"), filters=[lambda v: (v or "").strip().lower()],
                          validators=[Length(max=255)],
                          render_kw={"placeholder": "user@example.org", "autocomplete": "off"})

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        if self.scope.data == DOMAIN:
            if self.domain.data not in [c[0] for c in self.domain.choices]:
                self.domain.errors = [*self.domain.errors, _l("Choose one of your domains.")]
                valid = False
        elif "@" not in (self.mailbox.data or "") or self.mailbox.data.startswith("@"):
            self.mailbox.errors = [*self.mailbox.errors,
                                   _l("Enter the mailbox's full address, e.g. user@example.org.")]
            valid = False
        return valid

    @property
    def target(self) -> str:
        return self.domain.data if self.scope.data == DOMAIN else self.mailbox.data
