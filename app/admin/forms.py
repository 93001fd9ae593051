from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

ROLE_CHOICES = [("trainee", "Trainee"), ("manager", "Manager"), ("trainer", "Trainer"), ("admin", "Admin")]
EMAIL_CHECKS = [DataRequired("Enter an email address."),
                Email("Enter a valid email address, like name@company.com.", check_deliverability=False),
                Length(max=254)]


def _strip(value):
    return value.strip() if isinstance(value, str) else value


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the user's name."), Length(max=120)],
                       filters=[_strip])
    email = EmailField("Email", validators=EMAIL_CHECKS, filters=[_strip])
    password = PasswordField("Initial password", validators=[DataRequired("Choose an initial password."),
                                                             Length(max=1024)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="trainee")
    team_id = SelectField("Team", coerce=int, default=0)
    hire_date = DateField("Hire date", validators=[Optional()])
    submit = SubmitField("Create user")


class EditUserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired("Enter the user's name."), Length(max=120)],
                       filters=[_strip])
    email = EmailField("Email", validators=EMAIL_CHECKS, filters=[_strip])
    role = SelectField("Role", choices=ROLE_CHOICES)
    team_id = SelectField("Team", coerce=int)
    hire_date = DateField("Hire date", validators=[Optional()])
    submit = SubmitField("Save")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired("Give the team a name."), Length(max=120)])
    manager_id = SelectField("Manager", coerce=int, default=0)
    submit = SubmitField("Create team")


class TeamManagerForm(FlaskForm):
    manager_id = SelectField("Manager", coerce=int)
    submit = SubmitField("Save")
