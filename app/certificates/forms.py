"""The observed role-play form, built per stage from the rubric in course.md: one choice of
level per criterion, the day of the role-play and notes. The service checks every value again."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, HiddenField, RadioField, SubmitField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options

NOTES_MAX = 2000
REASON_MAX = 500


class RevokeForm(FlaskForm):
    """Withdraw a certificate: the reason is kept for the managers and the audit log."""

    reason = TextAreaField(_l("Why is it revoked?"), validators=[Length(max=REASON_MAX)])
    submit = SubmitField(_l("Revoke the certificate"))


class ObservationBase(FlaskForm):
    submission = HiddenField()
    observed_on = DateField(_l("Day of the role-play"), validators=[Optional()])
    notes = TextAreaField(_l("Notes on what you saw (optional)"), validators=[Length(max=NOTES_MAX)])
    submit = SubmitField(_l("Record the observation"))


def observation_form(settings, prefix, **kwargs):
    """A form class with one radio group per criterion of `settings.rubric` (fields
    `level-<criterion id>`, values 1..n, lowest first), instantiated with `kwargs`."""
    fields = {}
    for criterion in settings.rubric:
        fields[f"level-{criterion.id}"] = RadioField(
            criterion.title,
            choices=options((str(n), text) for n, text in enumerate(criterion.levels, 1)),
            validators=[DataRequired(message=_l("Choose a level for this criterion."))],
        )
    form_class = type("ObservationForm", (ObservationBase,), fields)
    return form_class(prefix=prefix, **kwargs)


def levels_of(form, settings):
    out = {}
    for criterion in settings.rubric:
        value = form[f"level-{criterion.id}"].data
        out[criterion.id] = int(value) if value and str(value).isdigit() else None
    return out


def blank_form(stage):
    """A new observation form for `stage`, dated today, with its one-time token."""
    from app import formats
    from app.services.learning.knowledge_checks import new_submission_token

    return observation_form(
        stage.certification,
        f"obs-{stage.id}",
        formdata=None,
        submission=new_submission_token(),
        observed_on=formats.today(),
    )


def observation_forms():
    """[(stage, form)] of every stage whose rubric a manager can score."""
    from app.reading import reader_language
    from app.services import observations

    stages = observations.observable_stages(reader_language())
    return [(stage, blank_form(stage)) for stage, _settings in stages]
