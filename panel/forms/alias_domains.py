"""The alias domain forms: the new name and its target, or only whether it is active."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from panel.forms.domains import DOMAIN_RE, normalise_domain


class AliasDomainForm(FlaskForm):
    alias_domain = StringField(_l("Alias domain"), filters=[normalise_domain],
                               validators=[DataRequired(), Length(max=253)])
    target_domain = SelectField(_l("Target domain"), validators=[DataRequired()],
                                validate_choice=True)
    active = BooleanField(_l("Active"), default=True)

    def validate_alias_domain(self, field):
        if not DOMAIN_RE.match(field.data or ""):
            raise ValidationError(_l("Enter a domain name such as example.net."))
        if field.data == self.target_domain.data:
            raise ValidationError(_l("An alias domain cannot point to itself."))


class AliasDomainEditForm(FlaskForm):
    active = BooleanField(_l("Active"), default=True)
