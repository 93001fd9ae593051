"""What a manager can assign: every published course, module and scenario, and their titles."""

from flask_babel import lazy_gettext as _l

from app.i18n import gettext
from app.models import ContentVersion
from app.services import publishing
from app.services.outline import load_outline

TARGET_KINDS = ("course", "module", "scenario")
KIND_LABELS = {"course": _l("Course"), "module": _l("Module"), "scenario": _l("Scenario")}
# Their messages, for kind_label: a lazy label goes through Flask-Babel's own lookup each time it
# is shown, once a row on the trainee's dashboard (27 rows in the capacity benchmark).
_KIND_MESSAGES: dict[str, str] = {kind: label._args[0] for kind, label in KIND_LABELS.items()}


def kind_label(kind: str) -> str:
    """KIND_LABELS[kind] read from the page's catalog (app.i18n.gettext)."""
    message = _KIND_MESSAGES.get(kind)
    return gettext(message) if message else kind


def assignable_targets(language: str | None = None) -> list[tuple[str, str, str]]:
    """[(kind, slug, title)] of everything published, courses first, modules in course order;
    titled in `language` (the reader's) where a translation is live."""
    translated = load_outline(language=language).titles if language else {}
    out: list[tuple[str, str, str]] = []
    for kind in TARGET_KINDS:
        versions = publishing.published_all(kind)
        items: list[tuple[tuple[str, int], str, str]] = []
        for slug, version in versions.items():
            value = publishing.value_of(version) if kind == "module" else None
            order = (getattr(value, "stage", ""), getattr(value, "order", 0)) if value else ("", 0)
            items.append((order, slug, translated.get((kind, slug)) or version.title or slug))
        if kind == "module":
            stage_order = _stage_order()
            items.sort(key=lambda item: (stage_order.get(item[0][0], 99), item[0][1], item[1]))
        else:
            items.sort(key=lambda item: item[2].lower())
        out += [(kind, slug, title) for _, slug, title in items]
    return out


def _stage_order() -> dict[str, int]:
    order: dict[str, int] = {}
    for version in publishing.published_all("course").values():
        course = publishing.value_of(version)
        if course is not None:
            for number, stage in enumerate(course.stages):
                order.setdefault(stage.id, number)
    return order


def target_title(kind: str, slug: str) -> str | None:
    version: ContentVersion | None = publishing.published(kind, slug)
    return version.title if version is not None else None
