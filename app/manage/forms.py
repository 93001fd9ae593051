"""Forms of the manager's workspace. Choices are filled per request with what the manager may
use; the services check the scope again, so a forged value is refused either way."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    DateField,
    IntegerField,
    RadioField,
    SelectField,
    SubmitField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from app.forms import options

DUE_MODES = [("date", _l("On a date")), ("days", _l("Days after each trainee's hire date"))]


class DueMixin:
    due_mode = RadioField(_l("Due"), choices=options(DUE_MODES), default="date")
    due_date = DateField(_l("Due date"), validators=[Optional()])
    due_days = IntegerField(
        _l("Days after hire"),
        validators=[
            Optional(),
            NumberRange(min=0, max=730, message=_l("Give a number of days between 0 and 730.")),
        ],
    )

    def due_values(self):
        """(due_date, due_days_after_hire), or an error message for the form."""
        if self.due_mode.data == "days":
            if self.due_days.data is None:
                self.due_days.errors = list(self.due_days.errors) + [
                    _("Give the number of days after the hire date.")
                ]
                return None
            return None, self.due_days.data
        if self.due_date.data is None:
            self.due_date.errors = list(self.due_date.errors) + [_("Give a due date (YYYY-MM-DD).")]
            return None
        return self.due_date.data, None


class AssignForm(DueMixin, FlaskForm):
    target = SelectField(
        _l("What"), validators=[DataRequired(message=_l("Choose what to assign."))], validate_choice=False
    )
    assignee = SelectField(
        _l("To whom"),
        validators=[DataRequired(message=_l("Choose a trainee or a team."))],
        validate_choice=False,
    )
    submit = SubmitField(_l("Assign"))


class ChangeDueForm(DueMixin, FlaskForm):
    submit = SubmitField(_l("Change date"))

    @classmethod
    def for_assignment(cls, assignment):
        """The form filled with an assignment's current due date (nothing posted)."""
        return cls(
            formdata=None,
            due_mode="date" if assignment.due_date else "days",
            due_date=assignment.due_date,
            due_days=assignment.due_days_after_hire,
        )


class CommentForm(FlaskForm):
    body = TextAreaField(
        _l("Coaching comment"),
        validators=[DataRequired(message=_l("Write a comment first.")), Length(max=4000)],
    )
    submit = SubmitField(_l("Send to the trainee"))
