"""The sieve filter forms: a mailbox's script, and the global pre/postfilter."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, ValidationError

from panel.mailcow.filters import POSTFILTER, PREFILTER, FilterSettings

TYPE_CHOICES = [SelectChoice(PREFILTER, _l("Prefilter")),
                SelectChoice(POSTFILTER, _l("Postfilter"))]
SCRIPT_MAX = 65535  # Mailcow's script_data is a TEXT column
_LABEL = r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?"
_ADDRESS = re.compile(rf"^[^@\s]+@{_LABEL}(?:\.{_LABEL})+$", re.I)


def _unix_newlines(value):
    return (value or "").replace("\r\n", "\n").replace("\r", "\n")


class FilterForm(FlaskForm):
    filter_type = SelectField(_l("Type"), choices=TYPE_CHOICES, default=PREFILTER)
    description = StringField(_l("Description"), filters=[lambda v: (v or "").strip()],
                              validators=[DataRequired(), Length(max=255)])
    script = TextAreaField(_l("Sieve script"), filters=[_unix_newlines],
                           validators=[DataRequired(), Length(max=SCRIPT_MAX)],
                           render_kw={"rows": 16, "spellcheck": "false",
                                      "class": "code-editor", "autocapitalize": "off"})
    active = BooleanField(_l("Active"), default=True)

    def validate_description(self, field):
        # Mailcow takes "0" for no description (PHP's empty()).
        if field.data == "0":
            raise ValidationError(_l("“0” is not accepted as a description."))

    def validate_script(self, field):
        if field.data and not field.data.strip():
            raise ValidationError(_l("The script must not be empty."))

    def settings(self) -> FilterSettings:
        return FilterSettings(filter_type=self.filter_type.data,
                              description=self.description.data, script=self.script.data,
                              active=self.active.data)

    def fill(self, settings: FilterSettings) -> None:
        self.filter_type.data = settings.filter_type
        self.description.data = settings.description
        self.script.data = settings.script
        self.active.data = settings.active


class FilterAddForm(FilterForm):
    username = StringField(_l("Mailbox"), filters=[lambda v: (v or "").strip().lower()],
                           validators=[DataRequired(), Length(max=255)])

    def validate_username(self, field):
        if field.data and not _ADDRESS.match(field.data):
            raise ValidationError(_l("Enter the full address of a mailbox on this server."))


class GlobalFilterForm(FlaskForm):
    script = TextAreaField(_l("Sieve script"), filters=[_unix_newlines],
                           validators=[Length(max=SCRIPT_MAX)],
                           render_kw={"rows": 14, "spellcheck": "false",
                                      "class": "code-editor", "autocapitalize": "off"})
