"""The resource add and edit forms, with Mailcow's rules for resources checked up front."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from panel.mailcow.resources import (
    ALWAYS_FREE,
    HARD_LIMIT,
    SOFT_LIMIT,
    ResourceSettings,
    address_part,
)

KIND_CHOICES = [SelectChoice("location", _l("Location (room)")),
                SelectChoice("group", _l("Group")),
                SelectChoice("thing", _l("Thing (equipment)"))]
BOOKING_CHOICES = [SelectChoice(ALWAYS_FREE, _l("Always free")),
                   SelectChoice(SOFT_LIMIT, _l("Soft limit")),
                   SelectChoice(HARD_LIMIT, _l("Hard limit"))]
KIND_LABELS = {c.value: c.label for c in KIND_CHOICES}
MAX_BOOKINGS = 1000


class ResourceForm(FlaskForm):
    description = StringField(_l("Description"), filters=[lambda v: (v or "").strip()],
                              validators=[DataRequired(), Length(max=255)])
    kind = SelectField(_l("Kind"), choices=KIND_CHOICES, default="location")
    booking_mode = SelectField(_l("Multiple bookings"), choices=BOOKING_CHOICES,
                               default=ALWAYS_FREE)
    booking_limit = IntegerField(_l("Booking limit"),
                                 validators=[Optional(), NumberRange(min=1, max=MAX_BOOKINGS)])
    active = BooleanField(_l("Active"), default=True)

    def validate_description(self, field):
        # Mailcow builds the address from the ASCII letters and digits, and takes "0"
        # for an empty description.
        if not address_part(field.data or ""):
            raise ValidationError(_l("Use at least one letter (a–z) or digit: the resource's "
                                     "address is made from them."))
        if field.data == "0":
            raise ValidationError(_l("“0” is not accepted as a description."))

    def validate(self, extra_validators=None) -> bool:
        valid = super().validate(extra_validators)
        # Checked here, not in a field validator: Optional() ends the chain on an empty box.
        limit = self.booking_limit
        if self.booking_mode.data == HARD_LIMIT and limit.data is None and not limit.errors:
            limit.errors = [*limit.errors, _l("Enter how many bookings may overlap (1 or more).")]
            valid = False
        return valid

    def settings(self) -> ResourceSettings:
        hard = self.booking_mode.data == HARD_LIMIT
        return ResourceSettings(description=self.description.data, kind=self.kind.data,
                                booking_mode=self.booking_mode.data,
                                booking_limit=self.booking_limit.data if hard else None,
                                active=self.active.data)

    def fill(self, settings: ResourceSettings) -> None:
        self.description.data = settings.description
        self.kind.data = settings.kind
        self.booking_mode.data = settings.booking_mode
        self.booking_limit.data = settings.booking_limit
        self.active.data = settings.active


class ResourceAddForm(ResourceForm):
    domain = SelectField(_l("Domain"), choices=[], validate_choice=True)
