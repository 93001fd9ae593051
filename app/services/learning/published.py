"""What is published now, in the reader's language (services/translations): the modules and
role-plays a trainee may open, their titles, and the module that lists a role-play."""

from app.services import publishing, translations
from app.services.learning.refusals import NotFound


def published_module(slug, language=None):
    """(version, module) published now, in `language` when it has a translation (services/translations)."""
    return _published("module", slug, language)


def published_scenario(slug, language=None):
    return _published("scenario", slug, language)


def _published(kind, slug, language):
    version = publishing.published(kind, slug)
    value = translations.localized(kind, version, language)[0] if version is not None else None
    if value is None:
        raise NotFound(slug)
    return version, value


def scenario_titles(language=None):
    """{slug: title} of every published scenario (in `language` where translated), in one query each."""
    titles = {slug: v.title or slug for slug, v in publishing.published_all("scenario").items()}
    return titles | translations.titles("scenario", language) if language else titles


def module_listing(scenario_slug, language=None):
    """The first module of the published course (in course order) that lists this role-play,
    for its breadcrumb and "Back to the module" (titled in `language` where translated): from
    the outline, without the trainee's records."""
    from app.services.outline import load_outline

    return next(
        (m for m in load_outline(language=language).modules.values() if scenario_slug in m.scenarios), None
    )
