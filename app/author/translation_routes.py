"""The studio's Translations tab: each language's state and the source's changes since, and an
editor that checks a translation against the live source and publishes it."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app.author import bp
from app.author.forms import TranslationForm
from app.content.parse import LANGUAGE_RE
from app.services import authoring
from app.services.authoring import translating
from app.services.publishing import PublishRefused

SLUG = "<string(maxlength=120):slug>"
LANGUAGE = "<string(maxlength=40):language>"  # checked in the view (LANGUAGE_RE): a bad one is a 404


@bp.route(f"/<kind>/{SLUG}/translations")
def translations(kind, slug):
    if not authoring.valid_kind_and_slug(kind, slug):
        abort(404)
    found = translating.overview(kind, slug)
    if found is None and authoring.open_for_editing(kind, slug) is None:
        abort(404)
    return render_template("author/translations.html", kind=kind, slug=slug, found=found)


@bp.route(f"/<kind>/{SLUG}/translations/{LANGUAGE}", methods=["GET", "POST"])
def translate(kind, slug, language):
    if not authoring.valid_kind_and_slug(kind, slug) or not LANGUAGE_RE.match(language):
        abort(404)
    found, state = translating.state_of(kind, slug, language)
    if state is None:
        abort(404)
    form = TranslationForm()
    if request.method == "GET":
        form.source.data = translating.starting_text(found, state)
        form.base_id.data = state.row.id if state.row else ""
        return _editor(kind, slug, found, state, form)
    if not form.validate_on_submit():
        return _editor(kind, slug, found, state, form, status=400)
    if request.form.get("action") != "publish":
        return _editor(kind, slug, found, state, form)
    try:
        result = translating.publish(
            kind, slug, language, form.source.data or "", form.base_id.data, current_user
        )
    except translating.TranslationConflict as conflict:
        form.base_id.data = conflict.base_id or ""
        return _editor(kind, slug, found, state, form, conflict=conflict, status=409)
    except PublishRefused:
        flash(_("Not published: fix the errors below first. Your text is still here."), "error")
        return _editor(kind, slug, found, state, form, status=422)
    except authoring.AuthoringError as error:
        flash(str(error), "error")
        return _editor(kind, slug, found, state, form, status=422)
    flash(
        _("Published translation %(revision)s.", revision=result.row.revision)
        if result.created
        else _("Translation %(revision)s is published.", revision=result.row.revision),
        "success",
    )
    return redirect(url_for("author.translations", kind=kind, slug=slug), 303)


def _editor(kind, slug, found, state, form, conflict=None, status=200):
    value, findings = translating.check(kind, state.language, form.source.data or "", state.path)
    return render_template(
        "author/translate.html",
        kind=kind,
        slug=slug,
        found=found,
        state=state,
        form=form,
        value=value,
        findings=findings,
        conflict=conflict,
        errors=sum(1 for f in findings if f.is_error),
    ), status
