"""The trainer studio's use cases: the catalogue, drafts that two trainers can save without
losing a word, publishing, templates, uploads, play-testing without learning records, and
item analysis.

Concurrency: a draft carries a `revision`. The editor sends back the revision it loaded; a
save succeeds only when the draft is still at that revision (one conditional UPDATE, or an
INSERT guarded by the unique (kind, slug) constraint), so two trainers saving from one base
cannot both win: the second gets a `DraftConflict` with the other text and a diff, and
nothing is overwritten. Publishing also checks that the published version is still the one
the editor started from.
"""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import yaml
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError

from app.content import engine, playtest
from app.content.lint import lint_course, lint_module, lint_scenario
from app.content.model import Finding, sort_findings
from app.content.parse import ID_RE, MODULE_STEM_RE, stem_of
from app.extensions import db
from app.models import (AttemptStep, ContentDraft, ContentVersion, PublishedContent, QuizAttempt,
                        ScenarioAttempt)
from app.services import publishing

KINDS = ("course", "module", "scenario")
MAX_GAMES = 2000


class AuthoringError(ValueError):
    """A request the studio refuses, with a message in the trainer's words."""


@dataclass
class DraftConflict(Exception):
    """Someone else saved (or published) since this editor loaded. Their text is kept; the
    user's text comes back with a diff so nothing is lost."""
    kind: str
    slug: str
    theirs: str
    mine: str
    revision: int                    # the revision to save on top of, once merged
    base_version_id: int | None
    by: str                          # who saved or published the other text
    when: Any
    reason: str                      # "draft" or "published"
    diff: list = field(default_factory=list)


# --- paths and checking ---------------------------------------------------------------------

def valid_kind_and_slug(kind, slug):
    return kind in KINDS and isinstance(slug, str) and bool(ID_RE.match(slug)) and len(slug) <= 120


def id_in_front_matter(text):
    """The `id:` of a text's front matter, read leniently (for choosing its path), or None."""
    m = re.match(r"\A---\s*\n(.*?)\n---\s*(\n|\Z)", text or "", re.S)
    if not m:
        return None
    found = re.search(r"^id:\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*$", m.group(1), re.M)
    return found.group(1) if found else None


def path_for(kind, slug):
    """Where the text would live in git: the parser checks the id against this path's stem, and
    a module takes its course and order from it."""
    if kind == "scenario":
        return f"scenarios/{slug}.md"
    if kind == "course":
        return f"courses/{slug}/course.md"
    latest = db.session.scalar(select(ContentVersion.path).where(
        ContentVersion.kind == "module", ContentVersion.slug == slug, ContentVersion.path.is_not(None))
        .order_by(ContentVersion.version.desc()).limit(1))
    if latest:
        return latest
    return _new_module_path(slug)


def _new_module_path(slug, course_id=None):
    courses = sorted(publishing.published_all("course"))
    course_id = course_id or (courses[0] if courses else "course")
    orders = [0]
    for path in db.session.scalars(select(ContentVersion.path).where(ContentVersion.kind == "module")):
        m = MODULE_STEM_RE.match(stem_of(path or ""))
        if m and f"courses/{course_id}/" in (path or ""):
            orders.append(int(m.group(1)))
    return f"courses/{course_id}/{max(orders) + 1:02d}-{slug}.md"


@dataclass
class Context:
    """What texts are checked against, loaded once per request: the published courses and the
    published scenario ids."""
    courses: dict            # course id -> ContentVersion
    scenario_ids: frozenset

    @classmethod
    def load(cls):
        return cls(publishing.published_all("course"), frozenset(publishing.published_all("scenario")))


def check(kind, text, path, context=None):
    """(value, findings) of a text, checked against the published content."""
    context = context or Context.load()
    value, _ = _parse(kind, text, path)
    course_key = None
    if value is not None and kind in ("module", "scenario"):
        course_version = context.courses.get(value.course)
        course_key = (course_version.id, course_version.sha256) if course_version else None
    return _check_cached(kind, text, path, course_key,
                         context.scenario_ids if kind == "module" else frozenset())


@lru_cache(maxsize=256)
def _parse(kind, text, path):
    return publishing.PARSERS[kind](text, path)


@lru_cache(maxsize=256)
def _check_cached(kind, text, path, course_key, scenario_ids):
    value, findings = _parse(kind, text, path)
    findings = list(findings)
    if value is None:
        return None, tuple(sort_findings(findings))
    course = None
    if course_key is not None:
        course = publishing.value_of(db.session.get(ContentVersion, course_key[0]))
    if kind == "course":
        findings += lint_course(value)
    elif kind == "module":
        findings += lint_module(value, course, set(scenario_ids))
    else:
        findings += lint_scenario(value, course)
    return value, tuple(sort_findings(findings))


def findings_json(findings):
    return [{"line": f.line, "code": f.code, "message": f.message, "severity": f.severity} for f in findings]


def lint_text(kind, text, slug=None):
    """Findings for the editor's live check. The path is chosen from the slug or the text's id."""
    if kind not in KINDS:
        raise AuthoringError("Choose what this text is: a scenario, a module or a course.")
    slug = slug if slug and ID_RE.match(slug) else id_in_front_matter(text) or "untitled"
    if not ID_RE.match(slug):
        slug = "untitled"
    value, findings = check(kind, text, path_for(kind, slug))
    return value, list(findings)


# --- the catalogue ----------------------------------------------------------------------------

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

    @property
    def unpublished_changes(self):
        return self.draft is not None and (self.version is None or self.draft.source != self.version.source)

    @property
    def pass_rate(self):
        if not self.finished:
            return None
        return round(100 * (self.passed or 0) / self.finished)


def catalogue():
    """Every course, module and scenario with its published version, draft, lint status,
    attempts in progress and pass rate: a fixed number of grouped queries, whatever the size."""
    published = {(v.kind, v.slug): v for v in db.session.scalars(
        select(ContentVersion).join(PublishedContent, PublishedContent.version_id == ContentVersion.id))}
    drafts = {(d.kind, d.slug): d for d in db.session.scalars(select(ContentDraft))}
    scenario_stats = {slug: (prog, fin, ok) for slug, prog, fin, ok in db.session.execute(
        select(ScenarioAttempt.scenario_slug,
               func.sum(case((ScenarioAttempt.status == "in_progress", 1), else_=0)),
               func.sum(case((ScenarioAttempt.status == "finished", 1), else_=0)),
               func.sum(case((ScenarioAttempt.passed.is_(True), 1), else_=0)))
        .group_by(ScenarioAttempt.scenario_slug))}
    quiz_stats = {slug: (n, ok) for slug, n, ok in db.session.execute(
        select(QuizAttempt.module_slug, func.count(),
               func.sum(case((QuizAttempt.passed.is_(True), 1), else_=0)))
        .group_by(QuizAttempt.module_slug))}
    context = Context(courses={s: v for (k, s), v in published.items() if k == "course"},
                      scenario_ids=frozenset(s for (k, s) in published if k == "scenario"))
    module_paths = {v.slug: v.path for (k, _), v in published.items() if k == "module" and v.path}
    groups = {kind: [] for kind in KINDS}
    for kind, slug in sorted(set(published) | set(drafts)):
        if kind not in groups:
            continue
        version, draft = published.get((kind, slug)), drafts.get((kind, slug))
        text = draft.source if draft is not None else version.source
        path = module_paths.get(slug) if kind == "module" else None
        path = path or (version.path if version and version.path else _simple_path(kind, slug))
        value, findings = check(kind, text, path, context)
        title = (value.title if value is not None and getattr(value, "title", "") else
                 (version.title if version else slug))
        row = Row(kind, slug, title, version, draft,
                  errors=sum(1 for f in findings if f.is_error),
                  warnings=sum(1 for f in findings if not f.is_error))
        if kind == "scenario":
            prog, fin, ok = scenario_stats.get(slug, (0, 0, 0))
            row.in_progress, row.finished, row.passed = int(prog or 0), int(fin or 0), int(ok or 0)
        elif kind == "module":
            n, ok = quiz_stats.get(slug, (0, 0))
            row.finished, row.passed = int(n or 0), int(ok or 0)
        groups[kind].append(row)
    return groups


def _simple_path(kind, slug):
    if kind == "module":
        return f"courses/course/99-{slug}.md"
    return path_for(kind, slug)


# --- drafts -----------------------------------------------------------------------------------

@dataclass
class Editing:
    """What the editor loads: the text, the draft revision it is based on (0: no draft yet) and
    the published version it started from."""
    kind: str
    slug: str
    source: str
    revision: int
    base_version_id: int | None
    published: ContentVersion | None
    draft: ContentDraft | None
    live: publishing.LiveOrigin | None = None     # where the published version came from

    @property
    def path(self):
        return path_for(self.kind, self.slug)


def open_for_editing(kind, slug):
    """The draft if there is one, else the published text; None when neither exists."""
    draft = _draft(kind, slug)
    live = publishing.live_origin(kind, slug)
    version = live.version if live else None
    if draft is None and version is None:
        return None
    if draft is not None:
        return Editing(kind, slug, draft.source, draft.revision, draft.base_version_id, version, draft, live)
    return Editing(kind, slug, version.source, 0, version.id, version, None, live)


def _draft(kind, slug):
    return db.session.scalar(select(ContentDraft).where(ContentDraft.kind == kind, ContentDraft.slug == slug))


def _who(user_id):
    from app.models import User
    user = db.session.get(User, user_id) if user_id else None
    return user.name if user else "someone"


def _conflict(kind, slug, theirs, mine, revision, base_version_id, by, when, reason):
    return DraftConflict(kind, slug, theirs, mine, revision, base_version_id, by, when, reason,
                         diff=diff_lines(theirs, mine, "their text", "your text"))


def save_draft(kind, slug, source, revision, user, base_version_id=None):
    """Save the editor's text on top of draft `revision`; a `DraftConflict` when the draft moved
    on since. Returns the saved draft."""
    source = normalise_newlines(source)
    revision = int(revision or 0)
    if revision > 0:
        result = db.session.execute(
            update(ContentDraft)
            .where(ContentDraft.kind == kind, ContentDraft.slug == slug, ContentDraft.revision == revision)
            .values(source=source, revision=revision + 1, updated_by_id=user.id,
                    updated_at=func.now())
            .execution_options(synchronize_session=False))
        if result.rowcount == 1:
            draft = _draft(kind, slug)
            db.session.refresh(draft)
            return draft
    else:
        if _draft(kind, slug) is None:
            draft = ContentDraft(kind=kind, slug=slug, source=source, revision=1, updated_by_id=user.id,
                                 base_version_id=base_version_id)
            try:
                with db.session.begin_nested():
                    db.session.add(draft)
                return draft
            except IntegrityError:
                pass                      # another trainer created it a moment ago
    current = _draft(kind, slug)
    if current is None:
        raise AuthoringError("This draft no longer exists. Copy your text, reload the page and save again.")
    db.session.refresh(current)
    raise _conflict(kind, slug, current.source, source, current.revision, current.base_version_id,
                    _who(current.updated_by_id), current.updated_at, "draft")


def publish(kind, slug, source, revision, base_version_id, user):
    """Publish the editor's text as a new version (refused while it has errors, or when someone
    saved or published since this editor loaded); the draft then follows the new version."""
    source = normalise_newlines(source)
    revision = int(revision or 0)
    current = _draft(kind, slug)
    current_revision = current.revision if current is not None else 0
    live = publishing.published(kind, slug)
    if current_revision != revision:
        raise _conflict(kind, slug, current.source, source, current.revision, current.base_version_id,
                        _who(current.updated_by_id), current.updated_at, "draft")
    base = int(base_version_id) if base_version_id not in (None, "", "None") else None
    if live is not None and base != live.id and live.source != source:
        raise _conflict(kind, slug, live.source, source, current_revision, live.id,
                        _who(live.author_id), live.created_at, "published")
    result = publishing.publish_text(kind, source, path_for(kind, slug), author=user,
                                      origin=publishing.FROM_STUDIO)
    if result.version.slug != slug:
        raise AuthoringError(f"The text's id is `{result.version.slug}`, not `{slug}`.")
    if current is None:
        db.session.add(ContentDraft(kind=kind, slug=slug, source=source, revision=1,
                                    base_version_id=result.version.id, updated_by_id=user.id))
    else:
        # Conditional, like a save: a trainer who saved a moment ago is not overwritten.
        done = db.session.execute(
            update(ContentDraft)
            .where(ContentDraft.id == current.id, ContentDraft.revision == revision)
            .values(source=source, revision=revision + 1, base_version_id=result.version.id,
                    updated_by_id=user.id, updated_at=func.now())
            .execution_options(synchronize_session=False))
        if done.rowcount != 1:
            db.session.rollback()
            db.session.refresh(current)
            raise _conflict(kind, slug, current.source, source, current.revision, current.base_version_id,
                            _who(current.updated_by_id), current.updated_at, "draft")
    db.session.flush()
    return result


def normalise_newlines(text):
    return (text or "").replace("\r\n", "\n").replace("\r", "\n")


def diff_lines(a, b, a_name="before", b_name="after", context=3):
    """A unified diff as (kind, old line number, new line number, text) rows for a template:
    kind is 'hunk', 'add', 'del' or 'same'."""
    a_lines, b_lines = (a or "").split("\n"), (b or "").split("\n")
    rows = []
    matcher = difflib.SequenceMatcher(None, a_lines, b_lines, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(("hunk", None, None,
                     f"@@ {a_name} lines {first[1] + 1}-{last[2]}, {b_name} lines {first[3] + 1}-{last[4]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", i + 1, j1 + (i - i1) + 1, a_lines[i]) for i in range(i1, i2)]
                continue
            if tag in ("replace", "delete"):
                rows += [("del", i + 1, None, a_lines[i]) for i in range(i1, i2)]
            if tag in ("replace", "insert"):
                rows += [("add", None, j + 1, b_lines[j]) for j in range(j1, j2)]
    return rows


# --- templates, uploads -----------------------------------------------------------------------

def new_from_template(kind, slug, title, user, course_id=None):
    """Start a course, module or scenario from a template that passes lint; returns the draft."""
    if kind not in KINDS:
        raise AuthoringError("Choose a scenario, a module or a course.")
    slug = (slug or "").strip()
    if not ID_RE.match(slug) or len(slug) > 120:
        raise AuthoringError("The id must be kebab-case: lower-case letters, digits and dashes, "
                             "starting with a letter (for example `first-call`).")
    title = (title or "").strip() or slug.replace("-", " ").capitalize()
    if _draft(kind, slug) is not None or publishing.published(kind, slug) is not None:
        raise AuthoringError(f"A {kind} with the id `{slug}` already exists; open it from the list.")
    courses = publishing.published_all("course")
    course_version = courses.get(course_id) if course_id else next(iter(courses.values()), None)
    if kind != "course" and course_version is None:
        raise AuthoringError("Publish a course first: modules and scenarios belong to a course.")
    course = publishing.value_of(course_version) if course_version else None
    text = template_text(kind, slug, title, course)
    draft = ContentDraft(kind=kind, slug=slug, source=text, revision=1, updated_by_id=user.id)
    try:
        with db.session.begin_nested():
            db.session.add(draft)
    except IntegrityError:
        raise AuthoringError(f"A {kind} with the id `{slug}` already exists; open it from the list.") from None
    return draft


def _quoted(text):
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template_text(kind, slug, title, course=None):
    if kind == "course":
        return f"""---
id: {slug}
title: {_quoted(title)}
language: en
unlock: sequential
stages:
  - {{id: first-stage, title: "First stage"}}
phases:
  - {{id: latent, title: "Need exists but is not recognised", signals: ["Says all is fine"]}}
  - {{id: decision, title: "Choosing between final offers", signals: ["Gives a signing date"]}}
pao:
  - {{id: A1, phase: latent, title: "Share a figure from their sector"}}
---

# {title}

What trainees will learn, in a few sentences.
"""
    stage = course.stages[0].id if course and course.stages else "first-stage"
    course_id = course.id if course else "course"
    if kind == "module":
        return f"""---
id: {slug}
title: {_quoted(title)}
stage: {stage}
minutes: 15
objectives: ["Name the one thing a trainee should do differently"]
scenarios: []
pass: 70
---

# {title}

## Why it matters

One idea per page. Keep pages short.

## How to do it

A worked example.

## Knowledge check

### What should you do first?
- [x] Ask before you propose
  > Right: questions first.
- [ ] Send the price list
  > Too early: you do not know the need yet.
"""
    return f"""---
id: {slug}
title: {_quoted(title)}
course: {course_id}
stage: {stage}
persona: "Name, role at a company"
difficulty: 1
minutes: 5
start: opening
scores: {{relationship: [0, 5, 10]}}
---

# {title}

The briefing: who the trainee meets, and what is at stake.

## opening

**Prospect:** "What the counterpart says first."

- [A good answer](#end-good) `relationship +3` `rating: best`
  > Why this works.
- [A poor answer](#end-poor) `relationship -3` `rating: poor`
  > Why this hurts the relationship.

## end-good
`end: win`

### Debrief
Relationship {{relationship}}/10: well done.

## end-poor
`end: loss`

### Debrief
Relationship {{relationship}}/10: try again.
"""


@dataclass
class UploadRefused(Exception):
    message: str
    findings: list = field(default_factory=list)
    filename: str = ""


def upload(kind, filename, data, user):
    """Publish an uploaded `.md` file, as `flask content sync` does for git; refused with its
    findings while it has errors."""
    if kind not in KINDS:
        raise UploadRefused("Choose what the file is: a scenario, a module or a course.")
    filename = (filename or "").rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if not filename.lower().endswith(".md"):
        raise UploadRefused("Upload a Markdown file whose name ends in .md.", filename=filename)
    if not data:
        raise UploadRefused("The file is empty.", filename=filename)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise UploadRefused(f"The file is not UTF-8 text (a byte on line {line} cannot be read). "
                            "Save it as UTF-8 in your editor and upload it again.", filename=filename) from None
    if "\x00" in text:
        raise UploadRefused("The file contains NUL bytes; it is not a text file.", filename=filename)
    text = normalise_newlines(text)
    slug = id_in_front_matter(text)
    if not slug or not ID_RE.match(slug):
        stem = stem_of(filename)
        m = MODULE_STEM_RE.match(stem)
        slug = m.group(2) if (m and kind == "module") else stem
    if not ID_RE.match(slug or ""):
        raise UploadRefused("The file needs front matter with an `id:` in kebab-case.", filename=filename)
    path = path_for(kind, slug)
    value, findings = check(kind, text, path)
    errors = [f for f in findings if f.is_error]
    if value is None or errors:
        raise UploadRefused(f"{filename} was not published: it has {len(errors) or 1} error(s).",
                            list(errors or findings), filename)
    live = publishing.published(kind, slug)
    draft = _draft(kind, slug)
    result = publishing.publish_value(kind, text, value, path=path, author=user,
                                      origin=publishing.FROM_STUDIO)
    if draft is not None and live is not None and draft.source == live.source:
        # The draft had no unpublished work: it follows the upload. Otherwise it is left alone,
        # and publishing it later is flagged as a conflict with this version.
        draft.source, draft.revision = text, draft.revision + 1
        draft.base_version_id, draft.updated_by_id = result.version.id, user.id
    db.session.flush()
    return result, findings


GUIDES = {"authoring": "authoring.md", "content-format": "content-format.md"}
DOCS = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))), "docs")


def guide_text(name):
    """A guide of docs/ as Markdown, its links to the other guides pointing at their studio
    pages; None when the file is not there."""
    try:
        with open(os.path.join(DOCS, GUIDES[name]), encoding="utf-8") as fh:
            text = fh.read()
    except (KeyError, OSError):
        return None
    for other, filename in GUIDES.items():
        text = text.replace(f"]({filename})", f"](/author/guide/{other})")
    return text


def download_name(kind, slug, path=None):
    if kind == "module" and path:
        return stem_of(path) + ".md"
    if kind == "course":
        return "course.md"
    return f"{slug}.md"


# --- versions ---------------------------------------------------------------------------------

def versions_with_authors(kind, slug):
    from app.models import User
    rows = db.session.execute(
        select(ContentVersion.id, ContentVersion.version, ContentVersion.created_at, ContentVersion.sha256,
               ContentVersion.title, User.name)
        .outerjoin(User, User.id == ContentVersion.author_id)
        .where(ContentVersion.kind == kind, ContentVersion.slug == slug)
        .order_by(ContentVersion.version.desc())).all()
    return rows


def version(kind, slug, number):
    return db.session.scalar(select(ContentVersion).where(
        ContentVersion.kind == kind, ContentVersion.slug == slug, ContentVersion.version == number))


def republish(kind, slug, number, user):
    """Put an older version back in front of trainees (its text is already a version: no new row)."""
    old = version(kind, slug, number)
    if old is None:
        return None
    return publishing.publish_text(kind, old.source, old.path or path_for(kind, slug), author=user,
                                  origin=publishing.FROM_STUDIO)


# --- what to play-test ------------------------------------------------------------------------

@dataclass
class Source:
    """A text to look at: the draft, or a numbered version."""
    ref: str                 # "draft" or "v3"
    text: str
    label: str


def source_of(kind, slug, ref):
    ref = ref or "draft"
    if ref == "draft":
        draft = _draft(kind, slug)
        if draft is not None:
            return Source("draft", draft.source, f"draft (revision {draft.revision})")
        live = publishing.published(kind, slug)
        return Source(f"v{live.version}", live.source, f"version {live.version}") if live else None
    m = re.fullmatch(r"v(\d{1,9})", ref)
    if not m:
        return None
    found = version(kind, slug, int(m.group(1)))
    return Source(ref, found.source, f"version {found.version}") if found else None


def scenario_of(slug, ref):
    """(Source, scenario, findings) for a scenario's draft or version; scenario None if unreadable."""
    src = source_of("scenario", slug, ref)
    if src is None:
        return None, None, []
    value, findings = check("scenario", src.text, path_for("scenario", slug))
    return src, value, list(findings)


# --- the graph --------------------------------------------------------------------------------

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 184, 44, 28, 64, 16


def graph_layout(scenario, visits=None):
    """A top-down layered drawing: row = shortest distance from start, unreachable nodes in a
    last row, order in a row by the mean position of parents (two sweeps). Parallel links
    between two nodes are drawn once; a link is thicker when random play took it more often."""
    from app.content.graph import graph_data
    data = graph_data(scenario)
    nodes = {n["id"]: dict(n) for n in data["nodes"]}
    for e in data["edges"]:
        if e["target"] not in nodes:
            nodes[e["target"]] = {"id": e["target"], "kind": "missing", "reachable": False,
                                  "deadend": False, "label": "missing node", "line": 0}
    out = {}
    for e in data["edges"]:
        out.setdefault(e["source"], []).append(e["target"])
    layer = {}
    if data["start"] in nodes:
        layer[data["start"]] = 0
        queue = [data["start"]]
        while queue:
            nxt = []
            for s in queue:
                for t in out.get(s, []):
                    if t not in layer:
                        layer[t] = layer[s] + 1
                        nxt.append(t)
            queue = nxt
    last = max(layer.values(), default=-1) + 1
    for nid in nodes:
        layer.setdefault(nid, last)
    rows = {}
    for nid in nodes:                                   # source order is the author's order
        rows.setdefault(layer[nid], []).append(nid)
    parents = {}
    for e in data["edges"]:
        parents.setdefault(e["target"], []).append(e["source"])
    for _ in range(2):
        for r in sorted(rows):
            if r == 0:
                continue
            pos = {nid: i - (len(row) - 1) / 2 for row in rows.values() for i, nid in enumerate(row)}

            def weight(nid, pos=pos, r=r):
                ps = [pos[p] for p in parents.get(nid, []) if layer.get(p, r) < r]
                return sum(ps) / len(ps) if ps else pos[nid]
            rows[r].sort(key=weight)
    widest = max((len(row) for row in rows.values()), default=1)
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X + 40     # room for loops on the right
    for r, row in rows.items():
        row_w = len(row) * NODE_W + (len(row) - 1) * GAP_X
        left = PAD + (width - 40 - 2 * PAD - row_w) / 2
        for i, nid in enumerate(row):
            nodes[nid]["x"] = left + i * (NODE_W + GAP_X)
            nodes[nid]["y"] = PAD + r * (NODE_H + GAP_Y)
    height = PAD * 2 + (max(rows, default=0) + 1) * (NODE_H + GAP_Y) - GAP_Y
    visits = visits or {}
    merged = {}
    numbers = {}
    for e in data["edges"]:
        numbers[e["source"]] = numbers.get(e["source"], 0) + 1
        n = numbers[e["source"]]
        key = (e["source"], e["target"], e["kind"])
        if key not in merged:
            merged[key] = {**e, "numbers": [], "labels": [], "count": None}
        m = merged[key]
        m["numbers"].append(n)
        m["labels"].append(e["label"])
        if e["kind"] == "choice":
            m["count"] = (m["count"] or 0) + visits.get((e["source"], n), 0) if visits else None
    edges = list(merged.values())
    top_count = max((e["count"] for e in edges if e["count"]), default=0)
    for e in edges:
        a, b = nodes[e["source"]], nodes[e["target"]]
        e["number"] = ",".join(str(n) for n in e["numbers"])
        e["label"] = " / ".join(label for label in e["labels"] if label)
        if e["source"] != e["target"] and layer[e["target"]] == layer[e["source"]]:
            # a sideways link in one row: an arc above the row
            x1, y1 = a["x"] + NODE_W / 2, a["y"]
            x2, y2 = b["x"] + NODE_W / 2, b["y"]
            top = y1 - 26
            e["d"] = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{top:.0f} {x2:.0f},{top:.0f} {x2:.0f},{y2 - 4:.0f}"
            e["back"] = True
            e["lx"], e["ly"] = (x1 + x2) / 2, top + 2
        elif layer[e["target"]] <= layer[e["source"]]:
            # a loop or a jump back: leave from the right side, come around on the right
            x1, y1 = a["x"] + NODE_W, a["y"] + NODE_H / 2
            x2, y2 = b["x"] + NODE_W, b["y"] + NODE_H / 2
            side = max(x1, x2) + 36
            e["d"] = f"M{x1:.0f},{y1:.0f} C{side:.0f},{y1:.0f} {side:.0f},{y2:.0f} {x2 + 4:.0f},{y2:.0f}"
            e["back"] = True
            e["lx"], e["ly"] = side - 6, (y1 + y2) / 2
        else:
            x1, y1 = a["x"] + NODE_W / 2, a["y"] + NODE_H
            x2, y2 = b["x"] + NODE_W / 2, b["y"]
            mid = (y1 + y2) / 2
            e["d"] = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2 - 4:.0f}"
            e["back"] = False
            # the label sits a third of the way along the curve, so fanning links keep theirs apart
            t = 0.34
            e["lx"] = (1 - t) ** 3 * x1 + 3 * (1 - t) ** 2 * t * x1 + 3 * (1 - t) * t * t * x2 + t ** 3 * x2 + 5
            e["ly"] = (1 - t) ** 3 * y1 + 3 * (1 - t) ** 2 * t * mid + 3 * (1 - t) * t * t * mid + t ** 3 * y2
        if e["count"] is not None and top_count:
            e["width"] = round(1.2 + 6 * (e["count"] / top_count) ** 0.5, 1)
        else:
            e["width"] = 1.4
    return {"nodes": list(nodes.values()), "edges": edges, "width": int(width), "height": int(height),
            "node_w": NODE_W, "node_h": NODE_H, "start": data["start"], "top_count": top_count}


# --- play-testing ------------------------------------------------------------------------------

MAX_HISTORY = 60


def _signer(secret_key):
    return URLSafeSerializer(secret_key, salt="author-playtest")


def playtest_start(scenario, node_id=None, starting=None):
    """A play-test state from any node with chosen starting values. Nothing is written anywhere."""
    state = engine.start_state(scenario)
    starting = starting or {}
    for dim in scenario.scores:
        raw = starting.get(f"score_{dim.name}")
        if raw not in (None, ""):
            try:
                state["scores"][dim.name] = min(dim.max, max(dim.min, _number(raw)))
            except ValueError:
                raise AuthoringError(f"The starting value of `{dim.name}` must be a number.") from None
    for var in scenario.variables:
        raw = starting.get(f"var_{var.name}")
        if raw in (None, ""):
            continue
        if isinstance(var.initial, bool):
            state["vars"][var.name] = str(raw).lower() in ("1", "true", "yes", "on")
        elif isinstance(var.initial, (int, float)):
            try:
                state["vars"][var.name] = _number(raw)
            except ValueError:
                raise AuthoringError(f"The starting value of `{var.name}` must be a number.") from None
        else:
            state["vars"][var.name] = str(raw)[:200]
    if node_id and node_id != scenario.start:
        if scenario.node(node_id) is None:
            raise AuthoringError(f"There is no node `{node_id}` in this text.")
        state["node"] = node_id
        state["finished"], state["outcome"] = False, None
        node = scenario.node(node_id)
        if node.is_ending:
            state["finished"], state["outcome"] = True, node.end
    return state


def _number(raw):
    value = float(str(raw).strip().replace(",", "."))
    if value != value or value in (float("inf"), float("-inf")):
        raise ValueError(raw)
    return int(value) if value == int(value) else value


def playtest_advance(scenario, state, choice=None):
    """One step of a play-test: a choice number (1-based among those shown) or Continue."""
    if choice is None:
        return engine.continue_(scenario, state)
    return engine.step(scenario, state, choice)


def pack(secret_key, payload):
    return _signer(secret_key).dumps(payload)


def unpack(secret_key, token):
    try:
        payload = _signer(secret_key).loads(token or "")
    except BadSignature:
        return None
    return payload if isinstance(payload, dict) else None


def step_summary(outcome, scenario):
    """A JSON-able line for the play-test history."""
    return {"node": outcome.node, "choice": outcome.choice_number, "label": outcome.label or "Continue",
            "deltas": {k: v for k, v in outcome.deltas.items() if v}, "sets": outcome.sets,
            "given": outcome.given, "got": outcome.got, "rating": outcome.rating,
            "feedback": outcome.feedback, "new_node": outcome.new_node}


def run_tests(scenario, games=200, seed=0):
    games = max(0, min(int(games), MAX_GAMES))
    return playtest.test_scenario(scenario, games=games, seed=int(seed))


def random_visits(scenario, games=200, seed=0):
    """(node, 1-based choice index in the node) -> how often random play took it."""
    report = playtest.randomtest(scenario, games, seed)
    return dict(report.choice_visits), report


# --- item analysis ---------------------------------------------------------------------------

@dataclass
class ChoiceStat:
    index: int               # 0-based in the node
    label: str
    target: str
    rating: str | None
    taken: int
    taken_by_passers: int
    share: int               # percent of the node's choices


@dataclass
class NodeStat:
    node_id: str
    line: int
    total: int
    passers_total: int
    choices: list
    split: bool              # trainees who pass chose differently here


def item_analysis(slug, version_row):
    """Per choice, how often trainees take it (counts only, no names), over every attempt on
    one version; and the nodes where trainees who pass split between answers. One query."""
    scenario = publishing.value_of(version_row)
    rows = db.session.execute(
        select(AttemptStep.node, AttemptStep.choice, ScenarioAttempt.passed, func.count())
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(ScenarioAttempt.scenario_slug == slug, ScenarioAttempt.version_id == version_row.id,
               AttemptStep.choice.is_not(None))
        .group_by(AttemptStep.node, AttemptStep.choice, ScenarioAttempt.passed)).all()
    counts, passers = {}, {}
    for node_id, index, passed, n in rows:
        counts[(node_id, index)] = counts.get((node_id, index), 0) + n
        if passed:
            passers[(node_id, index)] = passers.get((node_id, index), 0) + n
    stats = []
    for node in scenario.nodes:
        if not node.choices or node.gotos:
            continue
        total = sum(counts.get((node.id, i), 0) for i in range(len(node.choices)))
        ptotal = sum(passers.get((node.id, i), 0) for i in range(len(node.choices)))
        choices = [ChoiceStat(i, c.label, c.target, c.effects.rating, counts.get((node.id, i), 0),
                              passers.get((node.id, i), 0),
                              round(100 * counts.get((node.id, i), 0) / total) if total else 0)
                   for i, c in enumerate(node.choices)]
        # A split: at least two answers each taken by a fifth or more of the passers' choices.
        split = ptotal >= 2 and sum(1 for c in choices if c.taken_by_passers * 5 >= ptotal
                                    and c.taken_by_passers > 0) >= 2
        stats.append(NodeStat(node.id, node.line, total, ptotal, choices, split))
    attempts = db.session.execute(
        select(func.count(), func.sum(case((ScenarioAttempt.passed.is_(True), 1), else_=0)))
        .where(ScenarioAttempt.scenario_slug == slug, ScenarioAttempt.version_id == version_row.id,
               ScenarioAttempt.status == "finished")).one()
    return scenario, stats, {"finished": int(attempts[0] or 0), "passed": int(attempts[1] or 0)}


def front_matter_keys(text):
    """Safe-loaded front matter, for nothing but display hints; {} when unreadable."""
    m = re.match(r"\A---\s*\n(.*?)\n---", text or "", re.S)
    if not m:
        return {}
    try:
        data = yaml.safe_load(m.group(1))
    except yaml.YAMLError:
        return {}
    return data if isinstance(data, dict) else {}
