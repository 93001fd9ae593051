"""Form pieces every blueprint shares."""

from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice


class ActionForm(FlaskForm):
    """The form of a button-only POST (deactivate, publish, cancel...): only the CSRF token."""


def show_error(form, error, default_field):
    """Put a domain error's message beside the field it names (its `field`), else beside
    `default_field`, so a refusal from a service reads like any other form error."""
    name = getattr(error, "field", None)
    field = form[name] if name and name in form else form[default_field]
    field.errors = [*field.errors, str(error)]


def picked_items(formdata):
    """The observations ticked (0-based item numbers of the node); anything else is ignored,
    so a tampered value reads as not ticked."""
    return sorted({int(v) for v in formdata.getlist("item") if v.isdigit() and len(v) < 4})


def options(pairs):
    """A select's or radio group's choices from (value, label) pairs (WTForms deprecates tuples)."""
    return [SelectChoice(value, label) for value, label in pairs]
