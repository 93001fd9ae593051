"""Form pieces every blueprint shares."""
from flask_wtf import FlaskForm


class ActionForm(FlaskForm):
    """The form of a button-only POST (deactivate, publish, cancel...): only the CSRF token."""


def show_error(form, error, default_field):
    """Put a domain error's message beside the field it names (its `field`), else beside
    `default_field`, so a refusal from a service reads like any other form error."""
    name = getattr(error, "field", None)
    field = form[name] if name and name in form else form[default_field]
    field.errors = [*field.errors, str(error)]
