"""Forms for global and domain administrators."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, ValidationError

from panel.forms.fields import CheckboxList
from panel.permissions import PERMISSIONS
from panel.services.admins import MIN_PASSWORD, USERNAME_RE


class AdminForm(FlaskForm):
    username = StringField(_l("Username"), filters=[lambda v: (v or "").strip().lower()],
                           validators=[DataRequired(), Regexp(USERNAME_RE, message=_l(
                               "2 to 64 characters: lowercase letters, digits, dot, dash and "
                               "underscore, starting with a letter or digit."))])
    password = PasswordField(_l("Password"), render_kw={"autocomplete": "new-password"},
                             validators=[Optional(), Length(min=MIN_PASSWORD, max=1024, message=_l(
                                 "At least %(n)s characters.", n=MIN_PASSWORD))])
    password2 = PasswordField(_l("Confirm password"), render_kw={"autocomplete": "new-password"},
                              validators=[EqualTo("password", message=_l(
                                  "The two passwords do not match."))])
    active = BooleanField(_l("Active"), default=True)

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.editing = editing
        if editing:
            # The username is the login name: it stays what it was.
            del self.username

    def validate_password(self, field):
        if not self.editing and not field.data:
            raise ValidationError(_l("Choose a password."))


class DomainAdminForm(AdminForm):
    domains = CheckboxList(_l("Domains"), validators=[DataRequired(message=_l(
        "Pick at least one domain."))])
    permissions = CheckboxList(_l("Permissions"),
                               choices=[SelectChoice(k, v) for k, v in PERMISSIONS.items()])

    def set_domain_choices(self, names: list[str], assigned: list[str]) -> None:
        # Keep assigned domains listed even if Mailcow no longer has them, so they can be
        # removed; new assignments are limited to domains Mailcow knows.
        self.known_domains = set(names)
        self.domains.choices = [SelectChoice(d, d) for d in sorted(set(names) | set(assigned))]
        self.assigned = set(assigned)

    def validate_domains(self, field):
        unknown = [d for d in field.data or () if d not in self.known_domains
                   and d not in self.assigned]
        if unknown:
            raise ValidationError(_l("Mailcow has no domain %(d)s.", d=", ".join(unknown)))
