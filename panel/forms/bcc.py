"""The BCC map add and edit forms, with Mailcow's rules checked up front."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.address_rules import is_address, is_domain_name
from panel.mailcow.bcc import RECIPIENT, SENDER, BccSettings

TYPE_CHOICES = [SelectChoice(SENDER, _l("Sender: copies of mail it sends")),
                SelectChoice(RECIPIENT, _l("Recipient: copies of mail it receives"))]
TYPE_LABELS = {SENDER: _l("Sender"), RECIPIENT: _l("Recipient")}


def _clean(value):
    return (value or "").strip().lower()


class BccEditForm(FlaskForm):
    type = SelectField(_l("BCC type"), choices=TYPE_CHOICES, default=SENDER)
    bcc_dest = StringField(_l("BCC destination"), filters=[_clean],
                           validators=[DataRequired(), Length(max=255)])
    active = BooleanField(_l("Active"), default=True)

    def validate_bcc_dest(self, field):
        if not is_address(field.data):
            raise ValidationError(_l("Enter one e-mail address; Mailcow accepts a single BCC "
                                     "destination per map."))

    def settings(self, local_dest: str) -> BccSettings:
        return BccSettings(local_dest=local_dest, bcc_dest=self.bcc_dest.data,
                           type=self.type.data, active=self.active.data)

    def fill(self, settings: BccSettings) -> None:
        self.type.data = settings.type
        self.bcc_dest.data = settings.bcc_dest
        self.active.data = settings.active


class BccAddForm(BccEditForm):
    local_dest = StringField(_l("Local destination"), filters=[_clean],
                             validators=[DataRequired(), Length(max=255)])

    def validate_local_dest(self, field):
        value = field.data.lstrip("@") if field.data.startswith("@") else field.data
        if not (is_domain_name(value) or is_address(value)):
            raise ValidationError(_l("Enter a domain (example.org) or the address of a mailbox "
                                     "or alias (name@example.org)."))
        field.data = value

    def settings(self, local_dest: str | None = None) -> BccSettings:
        return super().settings(local_dest or self.local_dest.data)
