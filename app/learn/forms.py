"""Forms of the trainee's pages. Every POST carries a CSRF token (Flask-WTF)."""
from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, Optional, StopValidation
from wtforms.widgets import CheckboxInput, ListWidget

from markupsafe import Markup

from app.content.render import render_inline


class CheckboxesField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class Answered:
    """An answer is required, checked on the server only. Unlike DataRequired it sets no
    `required` flag: on a checkbox group the browser would then demand every box ticked, and a
    form mixing radios and checkboxes would say "unanswered" in two different ways. Each
    unanswered question gets this message beside it, and the answers given stay on the page."""
    field_flags: dict = {}

    def __init__(self, message):
        self.message = message

    def __call__(self, form, field):
        if not field.data:
            field.errors[:] = []        # "Not a valid choice" from the radio's own check says less
            raise StopValidation(self.message)


class StepForm(FlaskForm):
    """One step of a role-play: the expected sequence number, and the choice button pressed
    (absent for Continue)."""
    seq = IntegerField(validators=[InputRequired()])
    choice = IntegerField(validators=[Optional()])


class StartForm(FlaskForm):
    """Start or resume an attempt (no fields but the CSRF token)."""


class QuizFormBase(FlaskForm):
    submission = HiddenField(validators=[DataRequired()])
    version_id = HiddenField()


def quiz_form_for(module, formdata=None):
    """A WTForms form with one field per question: radio buttons when one answer is right,
    checkboxes when several are (the question says "select all that apply")."""

    class QuizForm(QuizFormBase):
        pass

    for number, question in enumerate(module.quiz, 1):
        choices = [(str(i), Markup(render_inline(a.text))) for i, a in enumerate(question.answers, 1)]
        label = Markup(render_inline(question.text))
        several = sum(1 for a in question.answers if a.correct) > 1
        if several:
            field = CheckboxesField(label, choices=choices, validators=[Answered("Choose at least one answer.")])
        else:
            field = RadioField(label, choices=choices, validators=[Answered("Choose an answer.")])
        setattr(QuizForm, f"q{number}", field)
    form = QuizForm(formdata=formdata) if formdata is not None else QuizForm()
    form.question_fields = [(number, question, form[f"q{number}"], sum(1 for a in question.answers if a.correct) > 1)
                            for number, question in enumerate(module.quiz, 1)]
    return form


def answers_of(form):
    out = {}
    for number, _question, field, several in form.question_fields:
        data = field.data if several else ([field.data] if field.data else [])
        out[str(number)] = sorted({int(v) for v in (data or []) if str(v).isdigit()})
    return out
