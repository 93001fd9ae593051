from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    EmailField,
    PasswordField,
    SelectField,
    StringField,
    SubmitField,
)
from wtforms.validators import DataRequired, Email, Length, Optional

from app.forms import options
from app.vocabulary import ROLE_NAMES

ROLE_CHOICES = list(ROLE_NAMES.items())
EMAIL_CHECKS = [
    DataRequired(_l("Enter an email address.")),
    Email(_l("Enter a valid email address, like name@company.com."), check_deliverability=False),
    Length(max=254),
]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the user's name.")), Length(max=120)],
        filters=[_strip],
    )
    email = EmailField(_l("Email"), validators=EMAIL_CHECKS, filters=[_strip])
    password = PasswordField(
        _l("Initial password"), validators=[DataRequired(_l("Choose an initial password.")), Length(max=1024)]
    )
    role = SelectField(_l("Role"), choices=options(ROLE_CHOICES), default="trainee")
    team_id = SelectField(_l("Team"), coerce=int, default=0)
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    submit = SubmitField(_l("Create user"))


class EditUserForm(FlaskForm):
    name = StringField(
        _l("Full name"),
        validators=[DataRequired(_l("Enter the user's name.")), Length(max=120)],
        filters=[_strip],
    )
    email = EmailField(_l("Email"), validators=EMAIL_CHECKS, filters=[_strip])
    role = SelectField(_l("Role"), choices=options(ROLE_CHOICES))
    team_id = SelectField(_l("Team"), coerce=int)
    hire_date = DateField(_l("Hire date"), validators=[Optional()])
    submit = SubmitField(_l("Save"))


class TeamForm(FlaskForm):
    name = StringField(
        _l("Team name"), validators=[DataRequired(_l("Give the team a name.")), Length(max=120)]
    )
    manager_id = SelectField(_l("Manager"), coerce=int, default=0)
    submit = SubmitField(_l("Create team"))


class TeamManagerForm(FlaskForm):
    manager_id = SelectField(_l("Manager"), coerce=int)
    submit = SubmitField(_l("Save"))
