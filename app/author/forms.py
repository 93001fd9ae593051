from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import HiddenField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Optional

from app.forms import options

KIND_CHOICES = [("scenario", _l("Scenario")), ("module", _l("Module")), ("course", _l("Course"))]


class EditorForm(FlaskForm):
    """The editor: the text, the draft revision it was loaded at, the version it started from.
    The button pressed (`action`: check, save or publish) says what to do."""

    source = TextAreaField(_l("Markdown source"), validators=[Length(max=1_000_000)])
    revision = HiddenField()
    base_version_id = HiddenField()


class TranslationForm(FlaskForm):
    """A translation's text and the live translation it was opened on (none: a first one)."""

    source = TextAreaField(_l("Markdown source"), validators=[Length(max=1_000_000)])
    base_id = HiddenField()


class NewForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(KIND_CHOICES), default="scenario")
    slug = StringField(
        _l("Id"),
        validators=[DataRequired(_l("Give the new text an id, for example first-call.")), Length(max=120)],
        filters=[lambda value: value.strip() if isinstance(value, str) else value],
    )
    title = StringField(_l("Title"), validators=[Optional(), Length(max=300)])
    course = SelectField(_l("Course"), choices=[], validate_choice=False)


class UploadForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(KIND_CHOICES), default="scenario")
    file = FileField(_l("Markdown file (.md)"))
