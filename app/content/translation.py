"""Translations: a course, module or scenario written in another language as a translation of
one source, so both play the same way and count as the same thing.

Layout (docs/content-format.md, "Translations"): `courses/<course>/<lang>/<same name>.md` and
`scenarios/<lang>/<same name>.md`. A translation keeps every id, link, effect, condition,
correct option and scripted test of its source, translates every word people read, and names
the source text it follows with `source-version:` (the first 12 hex digits of the SHA-256 of
the source file). `compare` is the one check that a translation still fits its source: lint
runs it, and the site runs it before serving a translation made for an older source text.
"""

from __future__ import annotations

import hashlib
import os
import re
from typing import cast

from .model import Course, Effects, Finding, Module, Scenario, Sheet, said
from .parse import LANGUAGE_RE

SOURCE_VERSION_RE = re.compile(r"^[0-9a-f]{12}\Z")
LANGUAGE_NAMES = {
    "en": "English",
    "fr": "French",
    "de": "German",
    "es": "Spanish",
    "it": "Italian",
    "nl": "Dutch",
    "pt": "Portuguese",
}

Value = Course | Module | Scenario


def language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, code)


def source_version_of(data: bytes | str) -> str:
    """What a translation writes in `source-version:` to follow this source text."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    return hashlib.sha256(raw).hexdigest()[:12]


def split_language(path: str) -> tuple[str | None, str]:
    """(language, source path) for a translation's path, (None, path) for a source:
    `scenarios/fr/x.md` -> ("fr", "scenarios/x.md"); `courses/c/fr/01-m.md` -> ("fr", "courses/c/01-m.md")."""
    folder = os.path.dirname(path)
    language = os.path.basename(folder)
    parent = os.path.dirname(folder)
    if not LANGUAGE_RE.match(language):
        return None, path
    if os.path.basename(parent) == "scenarios" or os.path.basename(os.path.dirname(parent)) == "courses":
        return language, os.path.join(parent, os.path.basename(path))
    return None, path


def translation_path(source_path: str, language: str) -> str:
    """Where the `language` translation of a source file lives."""
    return os.path.join(os.path.dirname(source_path), language, os.path.basename(source_path))


def language_of(value: Value, course: Course | None) -> str:
    """The language a value is written in: its own `language:`, else its course's (en by default)."""
    own = value.language if not isinstance(value, Course) or "language" in value.key_lines else ""
    return own or (course.language if course else "") or "en"


def state(translation_version: str, source_digest: str) -> str:
    """'current' when the translation follows this source text, 'stale' when the source changed."""
    return "current" if translation_version and source_digest.startswith(translation_version) else "stale"


# --- the check ------------------------------------------------------------------------------


class _Report:
    def __init__(self, path: str):
        self.path = path
        self.findings: list[Finding] = []

    def add(self, line: int, code: str, message: str) -> None:
        self.findings.append(Finding(self.path, line, code, message))


def compare(
    source: Value,
    translation: Value,
    language: str,
    source_version: str | None = None,
    path: str | None = None,
) -> list[Finding]:
    """Findings of a translation against its source: the structure must be the same (errors);
    W-STALE when `source_version` (the source text's, when known) is not the one it follows."""
    report = _Report(path or translation.path)
    key = translation.key_lines.get
    if type(source) is not type(translation):
        report.add(
            1,
            "E-SOURCE",
            said(
                "the translation and its source are not the same kind of file",
            ),
        )
        return report.findings
    if translation.id != source.id:
        report.add(
            key("id", 1),
            "E-SOURCE",
            said(
                "id `%(translation)s` must be the source's `%(id)s`",
                translation=translation.id,
                id=source.id,
            ),
        )
    written = (
        translation.language
        if not isinstance(translation, Course) or "language" in translation.key_lines
        else ""
    )
    if written != language:
        report.add(
            key("language", 1),
            "E-LANG",
            f"a translation in the `{language}/` folder starts with `language: {language}`"
            + (f" (it says `{written}`)" if written else ""),
        )
    follows = translation.source_version
    if not follows:
        report.add(
            1,
            "E-LANG",
            "missing `source-version:`: the first 12 hex digits of the SHA-256 of the "
            "source file it translates" + (f" (now `{source_version}`)" if source_version else ""),
        )
    elif not SOURCE_VERSION_RE.match(follows):
        report.add(
            key("source-version", 1),
            "E-LANG",
            said(
                "`source-version: %(follows)s` must be 12 lowercase hex digits",
                follows=follows,
            ),
        )
    elif source_version and follows != source_version:
        report.add(
            key("source-version", 1),
            "W-STALE",
            said(
                "the source changed since this translation was made (it follows "
                "`%(follows)s`, the source is now `%(source_version)s`): see what "
                "changed in the studio's Translations page, update the text, then "
                "write `source-version: %(source_version)s`",
                follows=follows,
                source_version=source_version,
            ),
        )
    if isinstance(source, Scenario):  # parsed by the same kind's parser as its source
        _scenario(source, cast(Scenario, translation), report)
    elif isinstance(source, Module):
        _module(source, cast(Module, translation), report)
    else:
        _course(source, cast(Course, translation), report)
    return report.findings


def _same(report: _Report, line: int, code: str, what: str, theirs: object, ours: object) -> bool:
    if theirs == ours:
        return True
    report.add(
        line,
        code,
        said(
            "%(what)s differs from the source: the source has %(show)s, the translation %(show2)s",
            what=what,
            show=_show(theirs),
            show2=_show(ours),
        ),
    )
    return False


def _show(value: object) -> str:
    text = repr(value) if not isinstance(value, str) else f"`{value}`"
    return text if len(text) <= 160 else text[:157] + "..."


def _scenario(src: Scenario, tr: Scenario, report: _Report) -> None:
    key = tr.key_lines.get
    for name, ours, theirs in (
        ("course", tr.course, src.course),
        ("stage", tr.stage, src.stage),
        ("difficulty", tr.difficulty, src.difficulty),
        ("minutes", tr.minutes, src.minutes),
        ("start", tr.start, src.start),
        ("pass", tr.pass_expr, src.pass_expr),
        (
            "scores",
            [(d.name, d.min, d.start, d.max) for d in tr.scores],
            [(d.name, d.min, d.start, d.max) for d in src.scores],
        ),
        ("state", [(v.name, v.initial) for v in tr.variables], [(v.name, v.initial) for v in src.variables]),
        # units stay too: the site reads them (`percent`, `days`, `count`) to write amounts
        (
            "negotiation",
            (tr.negotiation.walkaway, tr.negotiation.concessions, tr.negotiation.counterparts),
            (src.negotiation.walkaway, src.negotiation.concessions, src.negotiation.counterparts),
        ),
    ):
        _same(report, key(name, 1), "E-SAMEMETA", said("`%(name)s`", name=name), theirs, ours)
    _same(
        report,
        key("tests", 1),
        "E-SAMETESTS",
        said("`tests`"),
        [(t.choose, t.expect) for t in src.tests],
        [(t.choose, t.expect) for t in tr.tests],
    )
    if not _same(
        report,
        tr.nodes[0].line if tr.nodes else 1,
        "E-SAMENODES",
        said("the list of nodes (`## id` headings, in order)"),
        src.node_ids(),
        tr.node_ids(),
    ):
        return  # pairing nodes by position would only repeat the same difference
    for s_node, t_node in zip(src.nodes, tr.nodes, strict=True):
        _same(
            report,
            t_node.line,
            "E-SAMENODES",
            said(
                "node `%(t_node)s`'s directives (skill, phase, end, goto)",
                t_node=t_node.id,
            ),
            (
                s_node.skill,
                s_node.phase,
                s_node.end,
                s_node.gotos and [(g.target, g.condition) for g in s_node.gotos],
            ),
            (
                t_node.skill,
                t_node.phase,
                t_node.end,
                t_node.gotos and [(g.target, g.condition) for g in t_node.gotos],
            ),
        )
        _same(
            report,
            t_node.line,
            "E-SAMENODES",
            said(
                "node `%(t_node)s`'s `###` sections (Debrief, Coach notes)",
                t_node=t_node.id,
            ),
            sorted(s_node.sections),
            sorted(t_node.sections),
        )
        _same(
            report,
            t_node.line,
            "E-SAMENODES",
            said(
                "node `%(t_node)s`'s signals (`signal:`, `phase-signal:`, in order)",
                t_node=t_node.id,
            ),
            (s_node.reading, [(i.right, i.phase_signal) for i in s_node.signals]),
            (t_node.reading, [(i.right, i.phase_signal) for i in t_node.signals]),
        )
        _same(
            report,
            t_node.line,
            "E-SAMENODES",
            said(
                "node `%(t_node)s`'s preparation sheet (fields, units, ranges, routes)",
                t_node=t_node.id,
            ),
            _sheet(s_node.sheet),
            _sheet(t_node.sheet),
        )
        if not _same(
            report,
            t_node.line,
            "E-SAMECHOICES",
            said(
                "the number of choices of node `%(t_node)s`",
                t_node=t_node.id,
            ),
            len(s_node.choices),
            len(t_node.choices),
        ):
            continue
        for number, (s_choice, t_choice) in enumerate(zip(s_node.choices, t_node.choices, strict=True), 1):
            where = f"choice {number} of node `{t_node.id}`"
            if _same(
                report,
                t_choice.line,
                "E-SAMECHOICES",
                said("the link of %(where)s", where=where),
                f"#{s_choice.target}",
                f"#{t_choice.target}",
            ):
                source_fx, own_fx = _effects(s_choice.effects), _effects(t_choice.effects)
                for name in [
                    k for k in dict.fromkeys([*source_fx, *own_fx]) if source_fx.get(k) != own_fx.get(k)
                ]:
                    _same(
                        report,
                        t_choice.line,
                        "E-SAMECHOICES",
                        said(
                            "`%(name)s` in the code spans of %(where)s",
                            name=name,
                            where=where,
                        ),
                        source_fx.get(name),
                        own_fx.get(name),
                    )


def _sheet(sheet: Sheet | None) -> object:
    """A preparation sheet without its words: what the engine reads of it."""
    if sheet is None:
        return None
    return (
        [
            (f.name, f.unit, f.min, f.max, f.walkaway, [(r.lo, r.hi, _effects(r.effects)) for r in f.ranges])
            for f in sheet.fields
        ],
        [(g.target, g.condition) for g in sheet.routes],
    )


def _effects(effects: Effects) -> dict[str, object]:
    """An Effects as its code spans' parts, so a difference names only what differs."""
    return {
        "scores": effects.scores,
        "set": effects.sets,
        "give": [(t.name, t.amount) for t in effects.gives],
        "get": [(t.name, t.amount) for t in effects.gets],
        "unilateral": effects.unilateral,
        "once": effects.once,
        "if": effects.condition,
        "rating": effects.rating,
        "pao": effects.pao,
        "claims": effects.claims,
    }


def _module(src: Module, tr: Module, report: _Report) -> None:
    key = tr.key_lines.get
    for name, ours, theirs in (
        ("stage", tr.stage, src.stage),
        ("minutes", tr.minutes, src.minutes),
        ("scenarios", tr.scenarios, src.scenarios),
        ("pass", tr.pass_percent, src.pass_percent),
        ("draw", tr.draw, src.draw),
    ):
        _same(report, key(name, 1), "E-SAMEMETA", said("`%(name)s`", name=name), theirs, ours)
    _same(
        report,
        tr.pages[0].line if tr.pages else 1,
        "E-SAMEQUIZ",
        said("the number of lesson pages (`##` headings)"),
        len(src.pages),
        len(tr.pages),
    )
    if not _same(
        report,
        tr.quiz_line or 1,
        "E-SAMEQUIZ",
        said("the number of knowledge-check questions"),
        len(src.quiz),
        len(tr.quiz),
    ):
        return
    for number, (s_q, t_q) in enumerate(zip(src.quiz, tr.quiz, strict=True), 1):
        _same(
            report,
            t_q.line,
            "E-SAMEQUIZ",
            said("question %(number)s's `page:`", number=number),
            s_q.page,
            t_q.page,
        )
        _same(
            report,
            t_q.line,
            "E-SAMEQUIZ",
            said(
                "question %(number)s's answers (right `[x]` and wrong `[ ]`, in order)",
                number=number,
            ),
            [a.correct for a in s_q.answers],
            [a.correct for a in t_q.answers],
        )


def _course(src: Course, tr: Course, report: _Report) -> None:
    key = tr.key_lines.get
    _same(report, key("unlock", 1), "E-SAMEMETA", said("`unlock`"), src.unlock, tr.unlock)
    _same(report, key("stages", 1), "E-SAMEMETA", said("the stage ids"), src.stage_ids(), tr.stage_ids())
    _same(report, key("phases", 1), "E-SAMEMETA", said("the phase ids"), src.phase_ids(), tr.phase_ids())
    _same(
        report,
        key("pao", 1),
        "E-SAMEMETA",
        said("the PAO actions (id and phase)"),
        [(a.id, a.phase) for a in src.pao],
        [(a.id, a.phase) for a in tr.pao],
    )


def fits(source: Value, translation: Value) -> bool:
    """Can this translation be shown for this source text? Same structure (it may be stale)."""
    return not any(
        f.is_error and f.code != "E-LANG"
        for f in compare(source, translation, getattr(translation, "language", "") or "", None)
    )
