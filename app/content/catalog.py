"""A content root on disk: `courses/<course>/course.md`, `courses/<course>/NN-<module>.md`,
`scenarios/<id>.md`. Loading it lets scenarios resolve their course (phases, PAO actions,
stages) and modules resolve their stage and scenarios.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from . import translation
from .lint import PARSERS, lint_value
from .model import Course, Finding, Module, Scenario, said, sort_findings
from .parse import MODULE_STEM_RE, stem_of


def kind_of(path: str) -> str | None:
    """'course', 'module' or 'scenario' from where a Markdown file sits; None otherwise."""
    if not path.endswith(".md"):
        return None
    name = os.path.basename(path)
    parent = os.path.basename(os.path.dirname(os.path.abspath(path)))
    grandparent = os.path.basename(os.path.dirname(os.path.dirname(os.path.abspath(path))))
    if name == "course.md":
        return "course"
    if grandparent == "courses" or MODULE_STEM_RE.match(stem_of(name)):
        return "module"
    if parent == "scenarios" or grandparent != "courses":
        return "scenario"
    return None


def read_bytes(path: str) -> bytes:
    with open(path, "rb") as fh:
        return fh.read()


@dataclass
class Loaded:
    """One file and what parsing and linting it gave."""

    path: str  # as shown to authors: relative to the root when inside it
    kind: str
    value: Course | Module | Scenario | None
    findings: list[Finding] = field(default_factory=list)
    linted: bool = False
    language: str | None = None  # a translation's language; None for a source
    source: str = ""  # a translation: the absolute path of its source file
    digest: str = ""  # translation.source_version_of the file's bytes


class ContentSet:
    """Every course, module and scenario under a root, parsed once."""

    def __init__(self, root: str = "."):
        self.root = root
        self.courses: dict[str, Course] = {}
        self.modules: dict[str, Module] = {}
        self.scenarios: dict[str, Scenario] = {}
        self.files: dict[str, Loaded] = {}  # absolute path -> Loaded
        self.translations: dict[tuple[str, str, str], Loaded] = {}  # (kind, id, language) -> Loaded

    @classmethod
    def load(cls, root: str = ".", extra: Sequence[str] = ()) -> ContentSet:
        content = cls(root)
        for path in content.discover() + [p for p in extra if os.path.isfile(p)]:
            content.add_file(path)
        content.lint_all()
        return content

    def discover(self, under: str | None = None) -> list[str]:
        top = under or self.root
        if os.path.isfile(top):
            return [top]
        found = []
        folders = (
            [top] if under else [os.path.join(self.root, "courses"), os.path.join(self.root, "scenarios")]
        )
        for folder in folders:
            for dirpath, dirnames, filenames in os.walk(folder):
                dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
                for name in sorted(filenames):
                    if name.endswith(".md") and not name.startswith(".") and name.lower() != "readme.md":
                        found.append(os.path.join(dirpath, name))
        return found

    def shown(self, path: str) -> str:
        rel = os.path.relpath(os.path.abspath(path), os.path.abspath(self.root))
        return path if rel.startswith("..") else rel

    def add_file(self, path: str) -> Loaded | None:
        key = os.path.abspath(path)
        if key in self.files:
            return self.files[key]
        kind = kind_of(path)
        if kind is None:
            return None
        shown = self.shown(path)
        try:
            data = read_bytes(path)
        except OSError as exc:
            loaded = Loaded(
                shown,
                kind,
                None,
                [
                    Finding(
                        shown,
                        1,
                        "E-META",
                        said(
                            "cannot read: %(exc_strerror)s",
                            exc_strerror=exc.strerror,
                        ),
                    )
                ],
            )
            self.files[key] = loaded
            return loaded
        # parse_* take the real path (the course id is its folder), findings show `shown`; a
        # translation is parsed as if it sat where its source does, so its ids come out the same
        language, source = translation.split_language(os.path.abspath(path))
        value, findings = PARSERS[kind](data, source if language else path)
        if value is not None:
            value = _with_path(value, shown)
            if not language:
                targets: dict[str, dict[str, Any]] = {
                    "course": self.courses,
                    "module": self.modules,
                    "scenario": self.scenarios,
                }
                targets[kind].setdefault(value.id, value)
        loaded = Loaded(
            shown,
            kind,
            value,
            [_reframe(f, shown) for f in findings],
            language=language,
            source=source if language else "",
            digest=translation.source_version_of(data),
        )
        if language and value is not None:
            self.translations.setdefault((kind, value.id, language), loaded)
        self.files[key] = loaded
        return loaded

    def lint_all(self) -> None:
        scenario_ids = set(self.scenarios)
        for loaded in self.files.values():
            value = loaded.value
            if loaded.linted or value is None:
                continue
            loaded.linted = True
            found = lint_value(loaded.kind, value, self.courses, scenario_ids)
            if loaded.language:
                # the source's warnings are the source's to fix; a translation adds only its errors
                found = [f for f in found if f.is_error] + self._against_source(loaded)
            else:
                found += self._untranslated(loaded)
            loaded.findings = sort_findings(loaded.findings + found)

    def course_of(self, value: Course | Module | Scenario) -> Course | None:
        return value if isinstance(value, Course) else self.courses.get(value.course)

    def _against_source(self, loaded: Loaded) -> list[Finding]:
        """A translation checked against its source file (translation.compare)."""
        value, language = loaded.value, loaded.language
        if value is None or not language:  # lint_all asks only for parsed translations
            return []
        source = self.files.get(loaded.source) or (
            self.add_file(loaded.source) if os.path.isfile(loaded.source) else None
        )
        if source is None or source.value is None:
            return [
                Finding(
                    loaded.path,
                    1,
                    "E-SOURCE",
                    said(
                        "no source %(kind)s at %(shown)s: a translation keeps its source's "
                        "file name, one folder down",
                        kind=loaded.kind,
                        shown=self.shown(loaded.source),
                    ),
                )
            ]
        found = translation.compare(source.value, value, language, source.digest, loaded.path)
        course = self.course_of(source.value)
        if course is not None and course.languages and loaded.language not in course.languages:
            found.append(
                Finding(
                    loaded.path,
                    value.key_lines.get("language", 1),
                    "E-LANG",
                    said(
                        "the course does not declare `%(language)s`: add it to `languages:` in its course.md",
                        language=loaded.language,
                    ),
                )
            )
        return found

    def _untranslated(self, loaded: Loaded) -> list[Finding]:
        """W-UNTRANSLATED: a language the course declares that this source has no file for."""
        value = loaded.value
        if value is None:
            return []
        course = self.course_of(value)
        if course is None:
            return []
        own = translation.language_of(value, course)
        where = os.path.join(self.root, loaded.path) if not os.path.isabs(loaded.path) else loaded.path
        return [
            Finding(
                loaded.path,
                1,
                "W-UNTRANSLATED",
                said(
                    "no %(language_name)s translation: the course declares `%(code)s`, and "
                    "%(shown)s is missing",
                    language_name=translation.language_name(code),
                    code=code,
                    shown=self.shown(translation.translation_path(where, code)),
                ),
            )
            for code in course.languages
            if code != own and not os.path.isfile(translation.translation_path(where, code))
        ]

    def select(self, paths: list[str] | None) -> list[Loaded]:
        """The loaded files under the given files or folders (all of them by default)."""
        if not paths:
            return list(self.files.values())
        chosen: dict[str, Loaded] = {}
        for p in paths:
            for f in self.discover(p):
                loaded = self.files.get(os.path.abspath(f)) or self.add_file(f)
                if loaded is not None:
                    chosen[os.path.abspath(f)] = loaded
        self.lint_all()
        return list(chosen.values())

    def findings(self, paths: list[str] | None = None) -> list[Finding]:
        out: list[Finding] = []
        for loaded in self.select(paths):
            out += loaded.findings
        return sort_findings(out)


def _reframe(finding: Finding, path: str) -> Finding:
    return Finding(path, finding.line, finding.code, finding.message, finding.severity)


def _with_path(value: Course | Module | Scenario, path: str) -> Course | Module | Scenario:
    import dataclasses

    return dataclasses.replace(value, path=path)
