"""The studio's first page: every course, module and scenario with its published version,
draft, lint status, attempts in progress and pass rate."""

from dataclasses import dataclass

from sqlalchemy import case, func, select

from app.extensions import db
from app.models import ContentDraft, ContentVersion, PublishedContent, QuizAttempt, ScenarioAttempt
from app.services import translations
from app.services.authoring.checking import KINDS, Context, check, path_for


@dataclass
class Row:
    kind: str
    slug: str
    title: str
    version: ContentVersion | None
    draft: ContentDraft | None
    errors: int = 0
    warnings: int = 0
    in_progress: int | None = None
    finished: int | None = None
    passed: int | None = None
    origin: str | None = None  # where the live version came from: "file" or "studio"

    @property
    def unpublished_changes(self) -> bool:
        return self.draft is not None and (self.version is None or self.draft.source != self.version.source)

    @property
    def pass_rate(self) -> int | None:
        if not self.finished:
            return None
        return round(100 * (self.passed or 0) / self.finished)


def catalogue(language: str | None = None) -> dict[str, list[Row]]:
    """Every course, module and scenario with its published version, draft, lint status,
    attempts in progress and pass rate: a fixed number of grouped queries, whatever the size.
    Titled in `language` (the reader's) where a translation is live, as the outline is."""
    translated = (
        {(row.kind, row.slug): row.title for row in translations.live_rows(language) if row.title}
        if language
        else {}
    )
    published: dict[tuple[str, str], ContentVersion] = {}
    origins: dict[tuple[str, str], str] = {}
    for v, origin in db.session.execute(
        select(ContentVersion, PublishedContent.origin).join(
            PublishedContent, PublishedContent.version_id == ContentVersion.id
        )
    ):
        published[(v.kind, v.slug)], origins[(v.kind, v.slug)] = v, origin
    drafts = {(d.kind, d.slug): d for d in db.session.scalars(select(ContentDraft))}
    scenario_stats = {
        slug: (prog, fin, ok)
        for slug, prog, fin, ok in db.session.execute(
            select(
                ScenarioAttempt.scenario_slug,
                func.sum(case((ScenarioAttempt.status == "in_progress", 1), else_=0)),
                func.sum(case((ScenarioAttempt.status == "finished", 1), else_=0)),
                func.sum(case((ScenarioAttempt.passed.is_(True), 1), else_=0)),
            ).group_by(ScenarioAttempt.scenario_slug)
        )
    }
    quiz_stats = {
        slug: (n, ok)
        for slug, n, ok in db.session.execute(
            select(
                QuizAttempt.module_slug,
                func.count(),
                func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)),
            ).group_by(QuizAttempt.module_slug)
        )
    }
    context = Context(
        courses={s: v for (k, s), v in published.items() if k == "course"},
        scenario_ids=frozenset(s for (k, s) in published if k == "scenario"),
    )
    module_paths = {v.slug: v.path for (k, _), v in published.items() if k == "module" and v.path}
    groups: dict[str, list[Row]] = {kind: [] for kind in KINDS}
    for kind, slug in sorted(set(published) | set(drafts)):
        if kind not in groups:
            continue
        version, draft = published.get((kind, slug)), drafts.get((kind, slug))
        if draft is not None:
            text = draft.source
        elif version is not None:
            text = version.source
        else:
            continue
        path = module_paths.get(slug) if kind == "module" else None
        path = path or (version.path if version and version.path else _simple_path(kind, slug))
        value, findings = check(kind, text, path, context)
        title = translated.get((kind, slug)) or (
            value.title
            if value is not None and getattr(value, "title", None)
            else (version.title if version else slug)
        )
        row = Row(
            kind,
            slug,
            title,
            version,
            draft,
            errors=sum(1 for f in findings if f.is_error),
            warnings=sum(1 for f in findings if not f.is_error),
            origin=origins.get((kind, slug)),
        )
        if kind == "scenario":
            prog, fin, ok = scenario_stats.get(slug, (0, 0, 0))
            row.in_progress, row.finished, row.passed = int(prog or 0), int(fin or 0), int(ok or 0)
        elif kind == "module":
            n, ok = quiz_stats.get(slug, (0, 0))
            row.finished, row.passed = int(n or 0), int(ok or 0)
        groups[kind].append(row)
    return groups


def _simple_path(kind: str, slug: str) -> str:
    if kind == "module":
        return f"courses/course/99-{slug}.md"
    return path_for(kind, slug)
