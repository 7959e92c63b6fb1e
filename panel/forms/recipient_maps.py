"""The recipient map form: original recipient (address or domain) → new recipient."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.address_rules import is_address, is_domain_name
from panel.mailcow.recipient_maps import RecipientMapSettings


def _clean(value):
    return (value or "").strip().lower()


class RecipientMapForm(FlaskForm):
    old = StringField(_l("Original recipient"), filters=[_clean],
                      validators=[DataRequired(), Length(max=255)])
    new = StringField(_l("New recipient"), filters=[_clean],
                      validators=[DataRequired(), Length(max=255)])
    active = BooleanField(_l("Active"), default=True)

    def validate_old(self, field):
        value = field.data[1:] if field.data.startswith("@") else field.data
        if not (is_domain_name(value) or is_address(value)):
            raise ValidationError(_l("Enter an e-mail address, or a domain to map all of its "
                                     "recipients."))
        field.data = value

    def validate_new(self, field):
        if not is_address(field.data):
            raise ValidationError(_l("Enter one e-mail address."))
        if field.data == self.old.data:
            raise ValidationError(_l("The new recipient must differ from the original one."))

    def settings(self) -> RecipientMapSettings:
        return RecipientMapSettings(old=self.old.data, new=self.new.data,
                                    active=self.active.data)

    def fill(self, settings: RecipientMapSettings) -> None:
        self.old.data = settings.old
        self.new.data = settings.new
        self.active.data = settings.active
