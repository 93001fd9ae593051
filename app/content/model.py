"""The values the content core works with: courses, modules, scenarios, findings.

Every value is a frozen dataclass and keeps the source line of what it came from, so lint
findings, the editor and the play-test reports can point an author at the right line.
Sequences are tuples; the few mappings are plain dicts that nobody mutates after parsing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

Value = bool | int | float | str

ERROR = "error"
WARNING = "warning"

# C- codes break a module as surely as E- codes break a scenario, so they are errors.
ERROR_PREFIXES = ("E-", "C-")


def severity_of(code: str) -> str:
    return ERROR if code.startswith(ERROR_PREFIXES) else WARNING


class Said(str):
    """A finding's message in English (what `flask content lint` prints) that still knows its
    template and named values, so the studio can say it in the trainer's language: it translates
    the template (Babel extracts the `said` keyword: app/i18n.py) and fills in the same values."""

    template: str
    params: dict[str, Any]

    def __new__(cls, template: str, params: dict[str, Any]) -> Said:
        text = super().__new__(cls, template % params)
        text.template = template
        text.params = params
        return text

    def __reduce__(self) -> tuple[Any, ...]:
        return (Said, (self.template, self.params))


def said(template: str, **params: Any) -> Said:
    """Mark a message of the content core for translation; `%(name)s` placeholders only, so a
    translation may put the values in its own order."""
    return Said(template, params)


@dataclass(frozen=True, order=True)
class Finding:
    path: str
    line: int
    code: str
    message: str
    severity: str = ""

    def __post_init__(self) -> None:
        if not self.severity:
            object.__setattr__(self, "severity", severity_of(self.code))

    @property
    def is_error(self) -> bool:
        return self.severity == ERROR

    def format(self) -> str:
        return f"{self.path}:{self.line}: {self.code} {self.message}"


def sort_findings(findings: list[Finding]) -> list[Finding]:
    """Errors before warnings, then by path and line: the order the lint output promises."""
    return sorted(findings, key=lambda f: (not f.is_error, f.path, f.line, f.code, f.message))


# --- course -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Criterion:
    """One line of an observed role-play's rubric: what the observer looks for, and the words
    of each level, lowest first (level 1 is the first text)."""

    id: str
    title: str
    levels: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class StageCertification:
    """How a stage is certified (course.md `certification`, see content/certification.py):
    how long a certificate is valid, whether a manager's observed role-play counts
    (`off`, `optional`: recorded and shown, `required`: needed to certify), the rubric it is
    scored on, and the level every criterion must reach for the observation to pass."""

    valid_months: int = 12
    observed: str = "off"
    pass_level: int = 2
    rubric: tuple[Criterion, ...] = ()
    line: int = 0


@dataclass(frozen=True)
class Stage:
    id: str
    title: str
    line: int
    certification: StageCertification = field(default_factory=StageCertification)


@dataclass(frozen=True)
class Phase:
    id: str
    title: str
    signals: tuple[str, ...]
    line: int


@dataclass(frozen=True)
class PaoAction:
    id: str
    phase: str
    title: str
    description: str
    line: int


@dataclass(frozen=True)
class Course:
    id: str
    title: str
    language: str
    unlock: str  # "sequential" or "open"
    stages: tuple[Stage, ...]
    phases: tuple[Phase, ...]
    pao: tuple[PaoAction, ...]
    overview: str  # Markdown
    path: str = ""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    languages: tuple[str, ...] = ()  # `languages:`: every language the course is written in, its own first
    source_version: str = ""  # a translation: the source text it follows (see content/translation.py)
    labels: dict[str, str] = field(default_factory=dict)  # id -> display label

    def stage_ids(self) -> list[str]:
        return [s.id for s in self.stages]

    def phase_ids(self) -> list[str]:
        return [p.id for p in self.phases]

    def pao_ids(self) -> list[str]:
        return [a.id for a in self.pao]


# --- module -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    title: str
    markdown: str
    line: int


@dataclass(frozen=True)
class Answer:
    text: str  # Markdown (inline)
    correct: bool
    feedback: str  # Markdown
    line: int


@dataclass(frozen=True)
class Question:
    text: str  # Markdown (inline): the ### heading
    prompt: str  # Markdown between the heading and the answers, often empty
    answers: tuple[Answer, ...]
    line: int
    page: int = 0  # `page: N` under the heading: the lesson page it checks (0: none named)


@dataclass(frozen=True)
class Module:
    id: str
    title: str
    stage: str
    minutes: int | None
    objectives: tuple[str, ...]
    scenarios: tuple[str, ...]
    pass_percent: int  # front-matter key `pass`
    intro: str  # Markdown before the first page
    pages: tuple[Page, ...]
    quiz: tuple[Question, ...]
    quiz_line: int  # line of `## Knowledge check`, 0 when there is none
    course: str = ""  # the folder the module lives in
    order: int = 0  # the NN- prefix
    path: str = ""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    draw: int = 0  # front-matter key `draw`: questions asked per attempt (0: all of them)
    language: str = ""  # "" = the course's language
    source_version: str = ""  # a translation: the source text it follows


# --- scenario -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreDim:
    name: str
    min: float
    start: float
    max: float
    line: int

    def clamp(self, value: float) -> float:
        """A score never leaves its declared bounds: a change past one stops there."""
        return min(self.max, max(self.min, value))


@dataclass(frozen=True)
class Variable:
    name: str
    initial: Value
    line: int


@dataclass(frozen=True)
class Negotiation:
    walkaway: dict[
        str, float
    ]  # concession -> the most that can be given (the walk-away point, derived from the MESORE)
    concessions: dict[str, str]  # concession -> unit
    counterparts: dict[str, str]  # counterpart -> unit


@dataclass(frozen=True)
class Trade:
    name: str
    amount: float


@dataclass(frozen=True)
class Effects:
    scores: tuple[tuple[str, float], ...] = ()  # (dimension, delta)
    sets: tuple[tuple[str, Value], ...] = ()  # (variable, value)
    gives: tuple[Trade, ...] = ()
    gets: tuple[Trade, ...] = ()
    unilateral: bool = False
    once: bool = False
    condition: str | None = None  # source of `if EXPR`
    rating: str | None = None  # best, good, ok, poor
    pao: str | None = None
    claims: str | None = None


@dataclass(frozen=True)
class Choice:
    label: str  # Markdown (inline)
    target: str
    line: int
    effects: Effects
    feedback: str  # Markdown


@dataclass(frozen=True)
class SignalItem:
    """One observation of a signal-picking node (content/signals.py): what the prospect said or
    did, whether it supports the node's reading, and why."""

    text: str  # Markdown (inline)
    right: bool  # `signal: right`; False for `signal: distractor`
    feedback: str  # Markdown
    line: int
    phase_signal: str | None = None  # `phase-signal: PHASE/N`: the N-th signal of a course phase


@dataclass(frozen=True)
class Goto:
    target: str
    condition: str | None  # source of the expression, None when unconditional
    line: int


@dataclass(frozen=True)
class FigureRange:
    """One graded range of a sheet field: `range: lo..hi`, lo and hi included; where two
    ranges meet, the shared number belongs to the one that ends there (content/sheet.py)."""

    lo: float
    hi: float
    effects: Effects  # scores, sets and rating only
    feedback: str  # Markdown
    line: int


@dataclass(frozen=True)
class SheetField:
    name: str  # also the variable the figure is kept in
    label: str  # Markdown (inline)
    unit: str  # numbers.UNITS
    min: float
    max: float
    ranges: tuple[FigureRange, ...]
    line: int
    walkaway: str | None = None  # the concession this figure is the walk-away of


@dataclass(frozen=True)
class Sheet:
    """A preparation sheet: figures the rep writes, graded by ranges, then routed by `routes`
    (the node's gotos, followed once the sheet is submitted)."""

    fields: tuple[SheetField, ...]
    routes: tuple[Goto, ...]
    line: int

    def field(self, name: str) -> SheetField | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class Node:
    id: str
    line: int
    skill: str | None
    phase: str | None
    end: str | None  # the outcome of an ending
    gotos: tuple[Goto, ...]
    narrative: str  # Markdown
    sections: dict[str, str]  # "Debrief", "Coach notes", ... -> Markdown
    choices: tuple[Choice, ...]
    headline: str | None = None  # an ending's own headline (`headline:`), else words.outcome_words
    sheet: Sheet | None = None  # a preparation sheet (content/sheet.py); its gotos are sheet.routes
    # A signal-picking node (content/signals.py): the observations to pick from. Its choices
    # are then its readings, taken by the engine from how well the rep read, never clicked.
    signals: tuple[SignalItem, ...] = ()
    reading: str | None = None  # `signals: PHASE-ID`: the phase the right signals point to

    @property
    def is_ending(self) -> bool:
        return self.end is not None

    @property
    def is_goto(self) -> bool:
        return bool(self.gotos) and self.end is None

    @property
    def is_router(self) -> bool:
        """A goto node without text: play passes through it at once, showing nothing."""
        return self.is_goto and not self.narrative.strip()

    @property
    def kind(self) -> str:
        if self.end is not None:
            return "ending"
        if self.sheet is not None:
            return "sheet"
        if self.gotos:
            return "goto"
        if self.signals:
            return "signals"
        if self.phase:
            return "phase"
        return "choice"


@dataclass(frozen=True)
class ScriptedTest:
    # a choice number, a sheet's figures, or the item numbers picked on a signals node
    choose: tuple[int | dict[str, Any] | tuple[int, ...], ...]
    expect: dict[str, Any]
    line: int


@dataclass(frozen=True)
class Scenario:
    id: str
    title: str
    course: str
    stage: str
    persona: str
    difficulty: int | None
    minutes: int | None
    start: str
    scores: tuple[ScoreDim, ...]
    variables: tuple[Variable, ...]
    negotiation: Negotiation
    pass_expr: str | None  # front-matter key `pass`
    tests: tuple[ScriptedTest, ...]
    briefing: str  # Markdown
    nodes: tuple[Node, ...]
    path: str = ""
    key_lines: dict[str, int] = field(default_factory=dict, compare=False)
    language: str = ""  # "" = the course's language
    source_version: str = ""  # a translation: the source text it follows
    labels: dict[str, str] = field(default_factory=dict)  # score, concession, counterpart id -> display label
    _index: dict[str, Node] = field(default_factory=dict, compare=False, repr=False)
    # what best play scores, as a share of the declared ranges (engine.best_share), once known
    _best_share: list[float] = field(default_factory=list, init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        index: dict[str, Node] = {}
        for node in self.nodes:
            index.setdefault(node.id, node)  # the first of duplicates wins, as on GitHub
        object.__setattr__(self, "_index", index)

    def node(self, node_id: str) -> Node | None:
        return self._index.get(node_id)

    def node_ids(self) -> list[str]:
        return [n.id for n in self.nodes]

    def score(self, name: str) -> ScoreDim | None:
        for dim in self.scores:
            if dim.name == name:
                return dim
        return None

    def variable(self, name: str) -> Variable | None:
        for var in self.variables:
            if var.name == name:
                return var
        return None

    def key_line(self, key: str) -> int:
        return self.key_lines.get(key, 1)

    def sheet_walkaways(self) -> dict[str, str]:
        """concession -> the sheet field whose figure is its walk-away (`walkaway: NAME`)."""
        return {f.walkaway: f.name for n in self.nodes if n.sheet for f in n.sheet.fields if f.walkaway}
