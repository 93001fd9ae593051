from flask_wtf import FlaskForm
from wtforms import DateField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, Length, Optional

ROLE_CHOICES = [("trainee", "Trainee"), ("manager", "Manager"), ("trainer", "Trainer"), ("admin", "Admin")]


class UserForm(FlaskForm):
    name = StringField("Full name", validators=[DataRequired(), Length(max=120)])
    email = EmailField("Email", validators=[DataRequired(), Email(check_deliverability=False), Length(max=254)])
    password = PasswordField("Initial password", validators=[DataRequired(), Length(max=1024)])
    role = SelectField("Role", choices=ROLE_CHOICES, default="trainee")
    team_id = SelectField("Team", coerce=int, default=0)
    hire_date = DateField("Hire date", validators=[Optional()])
    submit = SubmitField("Create user")


class EditUserForm(FlaskForm):
    role = SelectField("Role", choices=ROLE_CHOICES)
    team_id = SelectField("Team", coerce=int)
    hire_date = DateField("Hire date", validators=[Optional()])
    submit = SubmitField("Save")


class TeamForm(FlaskForm):
    name = StringField("Team name", validators=[DataRequired(), Length(max=120)])
    manager_id = SelectField("Manager", coerce=int, default=0)
    submit = SubmitField("Create team")


class TeamManagerForm(FlaskForm):
    manager_id = SelectField("Manager", coerce=int)
    submit = SubmitField("Save")


class ActionForm(FlaskForm):
    """A bare form for POST buttons: only the CSRF token."""
