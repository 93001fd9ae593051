"""Forms of the trainee's pages. Every POST carries a CSRF token (Flask-WTF)."""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from markupsafe import Markup
from wtforms import HiddenField, IntegerField, RadioField, SelectMultipleField
from wtforms.validators import DataRequired, InputRequired, StopValidation
from wtforms.widgets import CheckboxInput, HiddenInput, ListWidget

from app.content import quiz
from app.content.render import render_inline
from app.forms import options


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
            field.errors[:] = []  # "Not a valid choice" from the radio's own check says less
            raise StopValidation(self.message)


@dataclass(frozen=True)
class StepPosted:
    """One step of a role-play as posted: the expected sequence number, the choice button
    pressed (None for Continue), and on a signal-picking node whether `pick` was sent (the
    observations ticked, `item`, are read by app.forms.picked_items: a list of checkboxes, never
    `required`)."""

    seq: int
    choice: int | None
    pick: bool


def step_posted(formdata):
    """The step posted, or None when it cannot be read. The rules of the WTForms form it replaces
    (IntegerField seq with InputRequired, IntegerField choice with Optional, a hidden `pick`),
    read straight from the form: building a form cost ~5% of a step POST, and the CSRF token is
    checked for every POST by CSRFProtect already (app.extensions.csrf)."""
    seq = formdata.get("seq")
    if not seq:
        return None
    choice = formdata.get("choice")
    try:
        return StepPosted(
            int(seq),
            int(choice) if choice is not None and choice.strip() else None,
            bool(formdata.get("pick")),
        )
    except ValueError:  # not an integer: as IntegerField said
        return None


class BoostForm(FlaskForm):
    """One boost answer: the item's answer number it is (a second tab or a replay posts the same
    one and finds the first answer) and the sealed version shown. The answer itself (`answer`,
    one or several values) is checked by the service, which says what is missing."""

    seq = IntegerField(validators=[InputRequired()], widget=HiddenInput())
    version_id = HiddenField()


class QuizFormBase(FlaskForm):
    submission = HiddenField(validators=[DataRequired()])
    version_id = HiddenField()


def quiz_form_for(module, asked, formdata=None):
    """A WTForms form with one field per question drawn (`asked`, see content/quiz.py), its
    answers in the order drawn: radio buttons when one answer is right, checkboxes when several
    are (the question says "select all that apply"). Field names and values are the module's
    question and answer numbers, so the order shown never changes what an answer means."""

    class QuizForm(QuizFormBase):
        pass

    for item in asked:
        question = module.quiz[item.number - 1]
        choices = options((str(i), Markup(render_inline(question.answers[i - 1].text))) for i in item.order)
        label = Markup(render_inline(question.text))
        if quiz.several(question):
            field = CheckboxesField(
                label, choices=choices, validators=[Answered(_l("Choose at least one answer."))]
            )
        else:
            field = RadioField(label, choices=choices, validators=[Answered(_l("Choose an answer."))])
        setattr(QuizForm, f"q{item.number}", field)
    form = QuizForm(formdata=formdata) if formdata is not None else QuizForm()
    form.question_fields = [
        (
            position,
            module.quiz[item.number - 1],
            form[f"q{item.number}"],
            quiz.several(module.quiz[item.number - 1]),
        )
        for position, item in enumerate(asked, 1)
    ]
    form.asked = asked
    return form


def answers_of(form):
    """{question number in the module: [answer numbers]} of the questions asked."""
    out = {}
    for (_position, _question, field, several), item in zip(form.question_fields, form.asked, strict=True):
        data = field.data if several else ([field.data] if field.data else [])
        out[str(item.number)] = sorted({int(v) for v in (data or []) if str(v).isdigit()})
    return out
