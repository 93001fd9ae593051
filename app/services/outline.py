"""The published course outline as reports read it: stages, modules with their parts, every
published title, and the completion plan (content/completion.py) they are folded against. One
light statement per call; the outline is built again only after a publication."""

import dataclasses
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, select

from app.content.completion import CoursePlan, ModulePlan
from app.content.model import Course
from app.extensions import db
from app.models import ContentVersion
from app.services import publishing


@dataclass(frozen=True)
class OutlineModule(ModulePlan):
    """A module of the plan with what reports show of it."""

    title: str = ""
    order: int = 0


@dataclass
class Outline:
    course: Course | None
    stages: list[tuple[str, str]]  # [(stage id, title)]
    modules: dict[str, OutlineModule]  # module id -> its plan and title, in course order
    titles: dict[tuple[str, str], str]  # (kind, slug) -> title of everything published
    scenarios: dict[str, int] = field(default_factory=dict)  # slug -> ContentVersion id
    key: str = ""  # digest of the published versions it was built from
    plan: CoursePlan = field(default_factory=lambda: CoursePlan((), ()))

    def modules_of(self, stage_id: str) -> list[OutlineModule]:
        return [m for m in self.modules.values() if m.stage == stage_id]

    def stage_total(self, stage_id: str) -> int:
        return sum(m.parts_total for m in self.modules_of(stage_id))


_OUTLINES: dict[tuple[object, ...], Outline] = {}  # (course, published versions) -> Outline, per process
_OUTLINES_KEPT = 8


def load_outline(course_id: str | None = None, language: str | None = None) -> Outline:
    """The published course, its modules and every published title. One light statement (ids,
    checksums and titles of the published versions) on each call; the outline built from them
    is cached per process per set of published versions (versions never change, and the sha256
    tells two databases' version 1 apart), so the compiled texts are read again only after a
    publication. Once per request: the dashboard's progress and assignments both read it, and
    each call keyed the cache with every published row (and every live translation's)."""
    return publishing.read_once(("outline", course_id, language), lambda: _load_outline(course_id, language))


def _load_outline(course_id: str | None, language: str | None) -> Outline:
    rows = publishing.published_rows()
    # the published course unless another is named (publishing.course_id's rule, on rows at hand)
    course_id = course_id or min((slug for _id, kind, slug, _t, _s in rows if kind == "course"), default=None)
    key = (course_id, tuple(tuple(row) for row in rows))
    outline = _OUTLINES.get(key)
    if outline is None:
        outline = _build_outline(course_id, rows)
        outline.key = hashlib.sha256(repr(key).encode()).hexdigest()
        if len(_OUTLINES) >= _OUTLINES_KEPT:
            _OUTLINES.clear()
        _OUTLINES[key] = outline
    return _in_language(outline, language) if language else outline


def _in_language(outline: Outline, language: str) -> Outline:
    """The outline with the titles of its live translations in `language` (one more light
    statement; the same plan, so progress folds the same whatever the reader's language)."""
    from app.services import (
        translations,  # it reads published versions through publishing
    )

    rows = translations.live_rows(language)
    if not rows or outline.course is None:
        return outline
    key = (outline.key, language, tuple(tuple(row) for row in rows))
    found = _OUTLINES.get(key)
    if found is not None:
        return found
    course, modules, titles = outline.course, dict(outline.modules), dict(outline.titles)
    for translation_id, kind, slug, title, _sha in rows:
        if title and (kind, slug) in titles:
            titles[(kind, slug)] = title
        if kind == "course" and slug == outline.course.id:
            course = translations.value_by_id(translation_id)
        elif kind == "module" and slug in modules and title:
            modules[slug] = dataclasses.replace(modules[slug], title=title)
    stage_titles = {s.id: s.title for s in course.stages}
    found = dataclasses.replace(
        outline,
        course=course,
        modules=modules,
        titles=titles,
        stages=[(sid, stage_titles.get(sid, title)) for sid, title in outline.stages],
    )
    if len(_OUTLINES) >= _OUTLINES_KEPT:
        _OUTLINES.clear()
    _OUTLINES[key] = found
    return found


def _build_outline(course_id: str | None, rows: Sequence[Row[Any]]) -> Outline:
    """The Outline of the published versions `rows` (their compiled texts in one more statement,
    parsed once per process per version by publishing.value_from_compiled)."""
    wanted = [
        version_id
        for version_id, kind, slug, _, _ in rows
        if kind == "module" or (kind == "course" and slug == course_id)
    ]
    compiled: dict[int, str] = (
        {
            version_id: text
            for version_id, text in db.session.execute(
                select(ContentVersion.id, ContentVersion.compiled).where(ContentVersion.id.in_(wanted))
            )
        }
        if wanted
        else {}
    )
    course, modules, titles, scenarios = None, [], {}, {}
    for version_id, kind, slug, title, _ in rows:
        titles[(kind, slug)] = title or slug
        if kind == "scenario":
            scenarios[slug] = version_id
        elif kind == "course" and slug == course_id:
            course = publishing.value_from_compiled(version_id, kind, compiled[version_id])
        elif kind == "module":
            value = publishing.value_from_compiled(version_id, kind, compiled[version_id])
            if value is not None and value.course == course_id:
                modules.append(value)
    if course is None:
        return Outline(None, [], {}, titles, scenarios)
    stage_index = {s.id: n for n, s in enumerate(course.stages)}
    # A module naming a stage the course does not have is in no stage: not part of the course.
    modules = sorted(
        (m for m in modules if m.stage in stage_index), key=lambda m: (stage_index[m.stage], m.order, m.id)
    )
    planned = tuple(
        OutlineModule(
            id=m.id,
            stage=m.stage,
            pages_total=len(m.pages),
            has_quiz=bool(m.quiz),
            scenarios=tuple(m.scenarios),
            title=m.title,
            order=m.order,
        )
        for m in modules
    )
    return Outline(
        course,
        [(s.id, s.title) for s in course.stages],
        {m.id: m for m in planned},
        titles,
        scenarios,
        plan=CoursePlan(tuple(s.id for s in course.stages), planned),
    )
