"""What is published now, in the reader's language (services/translations): the modules and
role-plays a trainee may open, their titles, and the module that lists a role-play."""

from typing import Any

from app.content.model import Module, Scenario
from app.models import ContentVersion
from app.services import publishing, translations
from app.services.learning.refusals import NotFound
from app.services.outline import OutlineModule


def published_module(slug: str, language: str | None = None) -> tuple[ContentVersion, Module]:
    """(version, module) published now, in `language` when it has a translation (services/translations)."""
    return _published("module", slug, language)


def published_scenario(slug: str, language: str | None = None) -> tuple[ContentVersion, Scenario]:
    return _published("scenario", slug, language)


def _published(kind: str, slug: str, language: str | None) -> tuple[ContentVersion, Any]:
    version = publishing.published(kind, slug)
    if version is None:
        raise NotFound(slug)
    value = translations.localized(kind, version, language)[0]
    if value is None:
        raise NotFound(slug)
    return version, value


def scenario_titles(language: str | None = None) -> dict[str, str]:
    """{slug: title} of every published scenario (in `language` where translated), in one query each."""
    # from the request's light rows of every published version (the outline reads them too)
    titles: dict[str, str] = {
        slug: title or slug
        for _id, kind, slug, title, _sha in sorted(publishing.published_rows(), key=lambda row: row.slug)
        if kind == "scenario"
    }
    return titles | translations.titles("scenario", language) if language else titles


def module_listing(scenario_slug: str, language: str | None = None) -> OutlineModule | None:
    """The first module of the published course (in course order) that lists this role-play,
    for its breadcrumb and "Back to the module" (titled in `language` where translated): from
    the outline, without the trainee's records."""
    from app.services.outline import load_outline

    return next(
        (m for m in load_outline(language=language).modules.values() if scenario_slug in m.scenarios), None
    )
