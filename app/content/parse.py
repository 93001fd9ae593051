"""Markdown files to values: `parse_course`, `parse_module`, `parse_scenario`.

Each returns `(value, findings)`. The value is None only when the file cannot be read at all
(not UTF-8, too large); otherwise it is built from whatever was readable, so lint can go on
and report everything in one run. Parsing never raises on any input.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from typing import Any

from markdown_it.token import Token

from . import certification
from . import expr as expressions
from . import sheet as sheets
from . import signals as signal_picking
from .frontmatter import SourceText, split
from .markdown import parse_tokens
from .model import (
    Answer,
    Choice,
    Course,
    Effects,
    Finding,
    Goto,
    Module,
    Negotiation,
    Node,
    Page,
    PaoAction,
    Phase,
    Question,
    Scenario,
    ScoreDim,
    ScriptedTest,
    Sheet,
    SignalItem,
    Stage,
    Trade,
    Value,
    Variable,
    said,
)

ID_RE = re.compile(r"^[a-z][a-z0-9-]*\Z")  # \Z: `$` also matches before a final newline
NAME_RE = re.compile(r"^[a-z][a-z0-9_]*\Z")  # names that expressions can read
PAO_ID_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]*\Z")
MODULE_STEM_RE = re.compile(r"^(\d+)-(.+)$")
LANGUAGE_RE = re.compile(r"^[a-z]{2}\Z")
RATINGS = ("best", "good", "ok", "poor")
# The heading that opens a module's questions; "Quiz" is how French modules name it.
KNOWLEDGE_CHECK = ("knowledge check", "quiz")
# An ending's sections as French scenarios head them, under the names the code reads.
SECTION_NAMES = {"Débrief": "Debrief", "Notes pour le coach": "Coach notes"}
RESERVED_NAMES = expressions.KEYWORDS | {"percent"}


def stem_of(path: str) -> str:
    return os.path.splitext(os.path.basename(path))[0]


# --- Markdown structure -------------------------------------------------------------------


@dataclass
class Block:
    """One top-level block of the body: its tokens and its 0-based line range."""

    tokens: list[Token]
    start: int
    end: int

    @property
    def first(self) -> Token:
        return self.tokens[0]

    def heading_level(self) -> int:
        t = self.first
        return int(t.tag[1]) if t.type == "heading_open" else 0

    def heading_text(self) -> str:
        return self.tokens[1].content.strip() if len(self.tokens) > 1 else ""


def top_level_blocks(tokens: list[Token], total_lines: int) -> list[Block]:
    blocks: list[Block] = []
    i, n = 0, len(tokens)
    while i < n:
        start_tok = tokens[i]
        j = i
        if start_tok.nesting == 1:
            depth = 0
            while j < n:
                depth += tokens[j].nesting
                if depth == 0:
                    break
                j += 1
        line_map = start_tok.map or [0, 0]
        blocks.append(Block(tokens[i : j + 1], line_map[0], min(line_map[1], total_lines)))
        i = j + 1
    return blocks


class Body:
    """The Markdown body of a file, with line bookkeeping."""

    def __init__(self, source: SourceText):
        self.source = source
        self.lines = source.body.split("\n")
        self.offset = source.body_line  # file line of body line 0
        tokens, problem = parse_tokens(source.body)
        if problem:
            source.problem(self.offset, problem)
        self.blocks = top_level_blocks(tokens, len(self.lines))

    def file_line(self, body_line: int) -> int:
        return body_line + self.offset

    def text(self, start: int, end: int, skip: set[int] | None = None) -> str:
        chosen = (self.lines[i] for i in range(start, min(end, len(self.lines))) if not skip or i not in skip)
        return "\n".join(chosen).strip("\n")

    def sections(self, level: int, blocks: list[Block]) -> tuple[list[Block], list[list[Block]]]:
        """Split blocks at headings of `level`: (blocks before the first, [heading + its blocks])."""
        head: list[Block] = []
        parts: list[list[Block]] = []
        for block in blocks:
            if block.heading_level() == level:
                parts.append([block])
            elif parts:
                parts[-1].append(block)
            else:
                head.append(block)
        return head, parts

    def span_text(self, blocks: list[Block], end: int | None = None, skip: set[int] | None = None) -> str:
        if not blocks:
            return ""
        stop = end if end is not None else blocks[-1].end
        return self.text(blocks[0].start, stop, skip)


def part_end(parts: list[list[Block]], index: int, default: int) -> int:
    return parts[index + 1][0].start if index + 1 < len(parts) else default


def strip_title(blocks: list[Block]) -> list[Block]:
    """A leading `# Title` is for readers on GitHub; the platform shows the front-matter title."""
    if blocks and blocks[0].heading_level() == 1:
        return blocks[1:]
    return blocks


def quote_text(lines: list[str], start: int, end: int) -> str:
    """The Markdown inside a nested blockquote: indentation and one `>` removed per line."""
    out = []
    for line in lines[start:end]:
        s = line.lstrip()
        if s.startswith(">"):
            s = s[1:]
            if s.startswith(" "):
                s = s[1:]
        out.append(s)
    return "\n".join(out).strip()


def inline_children(tokens: list[Token]) -> list[Token]:
    for t in tokens:
        if t.type == "inline":
            return [c for c in (t.children or []) if not (c.type == "text" and not c.content)]
    return []


def link_label(content: str) -> str:
    """The Markdown between the brackets of the link that opens `content`."""
    depth, i = 0, 0
    while i < len(content):
        c = content[i]
        if c == "\\":
            i += 2
            continue
        if c == "`":
            j = content.find("`", i + 1)
            i = j + 1 if j > 0 else i + 1
            continue
        if c == "[":
            depth += 1
        elif c == "]":
            depth -= 1
            if depth == 0:
                return content[1:i].strip()
        i += 1
    return content.strip()


# --- front matter typing ------------------------------------------------------------------


class Meta:
    """Typed reads of front-matter keys; a wrong type or a missing key is an E-META finding."""

    def __init__(self, source: SourceText):
        self.source = source
        self.data = source.meta

    def line(self, key: str) -> int:
        return self.source.key_lines.get(key, 1)

    def item_line(self, key: str, index: int) -> int:
        lines = self.source.item_lines.get(key, [])
        return lines[index] if index < len(lines) else self.line(key)

    def bad(self, key: str, message: str, code: str = "E-META") -> None:
        self.source.problem(self.line(key), message, code)

    def missing(self, key: str) -> None:
        self.source.problem(1, said("missing front-matter key `%(key)s`", key=key))

    def text(self, key: str, required: bool = True, default: str = "") -> str:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key)
            return default
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.bad(key, said("`%(key)s` must be text", key=key))
            return default
        return str(value)

    def integer(self, key: str, lo: int, hi: int, required: bool = False) -> int | None:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key)
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            self.bad(
                key,
                said(
                    "`%(key)s` must be a whole number from %(lo)s to %(hi)s",
                    key=key,
                    lo=lo,
                    hi=hi,
                ),
            )
            return None
        return value

    def text_list(self, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key)
            return ()
        value = self.data[key]
        if not isinstance(value, list) or not all(
            isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in value
        ):
            self.bad(
                key,
                said(
                    "`%(key)s` must be a list of texts, like `[a, b]`",
                    key=key,
                ),
            )
            return ()
        return tuple(str(v) for v in value)

    def mapping(self, key: str, required: bool = False) -> dict[str, Any]:
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key)
            return {}
        value = self.data[key]
        if not isinstance(value, dict):
            self.bad(key, said("`%(key)s` must be a mapping, like `{a: 1}`", key=key))
            return {}
        return {str(k): v for k, v in value.items()}

    def records(self, key: str, required: bool = True) -> list[tuple[int, dict[str, Any]]]:
        """A list of mappings (stages, phases, pao), with the line of each."""
        if key not in self.data or self.data[key] is None:
            if required:
                self.missing(key)
            return []
        value = self.data[key]
        if not isinstance(value, list):
            self.bad(
                key,
                said(
                    "`%(key)s` must be a list of `{id: ..., title: ...}` entries",
                    key=key,
                ),
            )
            return []
        out = []
        for i, item in enumerate(value):
            line = self.item_line(key, i)
            if not isinstance(item, dict):
                self.source.problem(
                    line,
                    said(
                        "each entry of `%(key)s` must be a mapping like `{id: ..., title: ...}`",
                        key=key,
                    ),
                )
                continue
            out.append((line, {str(k): v for k, v in item.items()}))
        return out

    def own_id(self, expected: str, what: str) -> str:
        value = self.text("id")
        if value and not ID_RE.match(value):
            self.bad(
                "id",
                said(
                    "id `%(value)s` is not kebab-case (a-z, 0-9, -)",
                    value=value,
                ),
                "E-ID",
            )
        if value and value != expected:
            self.bad(
                "id",
                said(
                    "id `%(value)s` must equal the %(what)s `%(expected)s`",
                    value=value,
                    what=what,
                    expected=expected,
                ),
            )
        return value or expected


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# --- course -------------------------------------------------------------------------------


def parse_course(data: bytes | str, path: str = "course.md") -> tuple[Course | None, list[Finding]]:
    source = split(data, path)
    if not source.readable or not source.meta_ok:
        # Without front matter every name would be unknown: report the cause, not the noise.
        return None, source.findings
    meta = Meta(source)
    folder = os.path.basename(os.path.dirname(os.path.abspath(path))) if path else ""
    course_id = meta.own_id(folder, said("course folder name")) if folder else meta.text("id")
    title = meta.text("title")
    language = meta.text("language", required=False, default="en")
    unlock = meta.text("unlock", required=False, default="sequential")
    if unlock not in ("sequential", "open"):
        meta.bad("unlock", said("`unlock` must be `sequential` or `open`"))
        unlock = "sequential"
    default = certification.parse_settings(
        meta.mapping("certification") or None, meta.line("certification"), source.problem, course_level=True
    )
    stages = []
    for line, rec in meta.records("stages"):
        sid, stitle = _record_id(source, line, rec, said("stage")), str(rec.get("title") or "")
        if sid:
            stages.append(
                Stage(
                    sid,
                    stitle,
                    line,
                    certification.parse_settings(rec.get("certification"), line, source.problem, default),
                )
            )
    phases = []
    for line, rec in meta.records("phases"):
        pid = _record_id(source, line, rec, said("phase"))
        signals = rec.get("signals") or []
        if not isinstance(signals, list):
            source.problem(line, said("`signals` must be a list of texts"))
            signals = []
        if pid:
            phases.append(Phase(pid, str(rec.get("title") or ""), tuple(str(s) for s in signals), line))
    actions = []
    for line, rec in meta.records("pao"):
        aid = rec.get("id")
        if not isinstance(aid, str) or not PAO_ID_RE.match(aid):
            source.problem(line, said("each PAO action needs an `id` like `A1`"), "E-ID")
            continue
        if not isinstance(rec.get("phase"), str):
            source.problem(line, said("PAO action `%(aid)s` needs a `phase`", aid=aid))
        actions.append(
            PaoAction(
                aid,
                str(rec.get("phase") or ""),
                str(rec.get("title") or ""),
                str(rec.get("description") or ""),
                line,
            )
        )
    body = Body(source)
    overview = body.span_text(strip_title(body.blocks), len(body.lines))
    languages = meta.text_list("languages")
    for code in languages:
        if not LANGUAGE_RE.match(code):
            meta.bad(
                "languages",
                said(
                    "`%(code)s` in `languages` is not a two-letter language code such as `fr`",
                    code=code,
                ),
            )
    if languages and language not in languages:
        meta.bad(
            "languages",
            said(
                "`languages` must name the course's own language `%(language)s` too",
                language=language,
            ),
        )
    source_version, labels = _language_keys(meta)
    course = Course(
        course_id,
        title,
        language,
        unlock,
        tuple(stages),
        tuple(phases),
        tuple(actions),
        overview,
        path,
        dict(source.key_lines),
        tuple(c for c in languages if LANGUAGE_RE.match(c)),
        source_version,
        labels,
    )
    return course, source.findings


def _language_keys(meta: Meta) -> tuple[str, dict[str, str]]:
    """`source-version` (a translation's) and `labels` (display labels of score, concession and
    counterpart ids; accents welcome, ids stay ASCII)."""
    raw = meta.data.get("source-version")
    if raw is not None and not isinstance(raw, str):
        # YAML reads 012345678901 as a number: the digits are only safe in quotes
        meta.bad(
            "source-version",
            said(
                'write `source-version` in quotes, like `source-version: "%(raw)s"`',
                raw=raw,
            ),
            "E-LANG",
        )
        raw = None
    version = raw.strip() if raw else ""
    labels = {}
    for i, (name, label) in enumerate(meta.mapping("labels").items()):
        if not NAME_RE.match(name) or not isinstance(label, str) or not label.strip():
            meta.source.problem(
                meta.item_line("labels", i),
                said(
                    "`labels`: `%(name)s` needs a plain id (a-z, 0-9, _) and a text label",
                    name=name,
                ),
            )
            continue
        labels[name] = label.strip()
    return version, labels


def _record_id(source: SourceText, line: int, rec: dict[str, Any], what: str) -> str:
    value = rec.get("id")
    if not isinstance(value, str) or not value:
        source.problem(line, said("each %(what)s needs an `id`", what=what))
        return ""
    if not ID_RE.match(value):
        source.problem(
            line,
            said(
                "%(what)s id `%(value)s` is not kebab-case",
                what=what,
                value=value,
            ),
            "E-ID",
        )
    if not isinstance(rec.get("title"), str):
        source.problem(
            line,
            said(
                "%(what)s `%(value)s` needs a `title`",
                what=what,
                value=value,
            ),
        )
    return value


# --- module -------------------------------------------------------------------------------


def parse_module(data: bytes | str, path: str = "module.md") -> tuple[Module | None, list[Finding]]:
    source = split(data, path)
    if not source.readable or not source.meta_ok:
        # Without front matter every name would be unknown: report the cause, not the noise.
        return None, source.findings
    meta = Meta(source)
    stem = stem_of(path)
    m = MODULE_STEM_RE.match(stem)
    order, expected = (int(m.group(1)), m.group(2)) if m else (0, stem)
    module_id = meta.own_id(expected, said("file name without its NN- prefix"))
    title = meta.text("title")
    stage = meta.text("stage")
    minutes = meta.integer("minutes", 1, 600)
    objectives = meta.text_list("objectives")
    scenarios = meta.text_list("scenarios")
    pass_percent = meta.integer("pass", 0, 100)
    draw = meta.integer("draw", 1, 100)
    body = Body(source)
    head, parts = body.sections(2, strip_title(body.blocks))
    intro = body.span_text(head, parts[0][0].start if parts else len(body.lines))
    pages: list[Page] = []
    quiz: list[Question] = []
    quiz_line = 0
    for i, part in enumerate(parts):
        heading = part[0]
        end = part_end(parts, i, len(body.lines))
        line = body.file_line(heading.start)
        if heading.heading_text().lower() in KNOWLEDGE_CHECK and heading.heading_level() == 2:
            quiz_line = line
            quiz.extend(_questions(body, part[1:], end))
        else:
            pages.append(Page(heading.heading_text(), body.text(heading.end, end), line))
    module = Module(
        module_id,
        title,
        stage,
        minutes,
        objectives,
        scenarios,
        70 if pass_percent is None else pass_percent,
        intro,
        tuple(pages),
        tuple(quiz),
        quiz_line,
        os.path.basename(os.path.dirname(os.path.abspath(path))),
        order,
        path,
        dict(source.key_lines),
        draw or 0,
        meta.text("language", required=False),
        _language_keys(meta)[0],
    )
    return module, source.findings


_TASK_RE = re.compile(r"^\[( |x|X)\]\s+")


def _questions(body: Body, blocks: list[Block], end: int) -> list[Question]:
    _, parts = body.sections(3, blocks)
    questions = []
    for part in parts:
        heading = part[0]
        prompt_blocks, answers = [], []
        page, blocks_ = 0, part[1:]
        if blocks_ and _is_directive_paragraph(blocks_[0]):
            page = _question_page(body, blocks_[0], heading)
            blocks_ = blocks_[1:]
        for block in blocks_:
            if block.first.type in ("bullet_list_open", "ordered_list_open"):
                answers.extend(_answers(body, block))
            elif not answers:
                prompt_blocks.append(block)
        prompt = "\n\n".join(body.text(b.start, b.end) for b in prompt_blocks)
        questions.append(
            Question(heading.heading_text(), prompt, tuple(answers), body.file_line(heading.start), page)
        )
    return questions


_PAGE_RE = re.compile(r"^page\s*:\s*(\d{1,4})$")


def _question_page(body: Body, block: Block, heading: Block) -> int:
    """`page: N` right under a question: the lesson page a trainee who missed it should re-read."""
    page = 0
    for span in inline_children(block.tokens):
        if span.type != "code_inline":
            continue
        m = _PAGE_RE.match(span.content.strip())
        if m:
            page = int(m.group(1))
        else:
            body.source.problem(
                body.file_line(heading.start),
                said(
                    "question directive `%(span_content)s`: only `page: N` is known here",
                    span_content=span.content,
                ),
                "E-NAME",
            )
    return page


def _answers(body: Body, block: Block) -> list[Answer]:
    answers = []
    for item in _list_items(block.tokens):
        inline = next((t for t in item if t.type == "inline"), None)
        if inline is None:
            continue
        m = _TASK_RE.match(inline.content)
        if not m:
            continue
        feedback = _feedback(body, item)
        answers.append(
            Answer(
                inline.content[m.end() :].strip(),
                m.group(1) in "xX",
                feedback,
                body.file_line(item[0].map[0] if item[0].map else block.start),
            )
        )
    return answers


def _list_items(tokens: list[Token]) -> list[list[Token]]:
    """The direct items of the list whose tokens are given, each as its token slice."""
    items, depth, current = [], 0, None
    for t in tokens[1:-1]:
        if t.type == "list_item_open" and depth == 0:
            current = [t]
        elif current is not None:
            current.append(t)
        depth += t.nesting
        if depth == 0 and current is not None and t.type == "list_item_close":
            items.append(current)
            current = None
    return items


def _feedback(body: Body, item: list[Token]) -> str:
    """The first blockquote directly inside a list item."""
    item_level = item[0].level
    for t in item:
        if t.type == "blockquote_open" and t.level == item_level + 1 and t.map:
            return quote_text(body.lines, t.map[0], t.map[1])
    return ""


# --- scenario -----------------------------------------------------------------------------


def parse_scenario(data: bytes | str, path: str = "scenario.md") -> tuple[Scenario | None, list[Finding]]:
    source = split(data, path)
    if not source.readable or not source.meta_ok:
        # Without front matter every name would be unknown: report the cause, not the noise.
        return None, source.findings
    meta = Meta(source)
    scenario_id = meta.own_id(stem_of(path), said("file name"))
    title = meta.text("title")
    course = meta.text("course")
    stage = meta.text("stage")
    persona = meta.text("persona", required=False)
    difficulty = meta.integer("difficulty", 1, 3)
    minutes = meta.integer("minutes", 1, 600)
    start = meta.text("start")
    scores = _scores(meta)
    variables = _variables(meta)
    negotiation = _negotiation(meta)
    pass_expr = _pass(meta)
    tests = _tests(meta)
    body = Body(source)
    head, parts = body.sections(2, body.blocks)
    briefing = body.span_text(strip_title(head), parts[0][0].start if parts else len(body.lines))
    nodes = []
    for i, part in enumerate(parts):
        if part[0].heading_level() != 2:
            continue  # a stray `#` heading after the nodes: prose of no node
        nodes.append(_node(body, part, part_end(parts, i, len(body.lines))))
    variables = variables + _figure_variables(nodes, variables)
    scenario = Scenario(
        scenario_id,
        title,
        course,
        stage,
        persona,
        difficulty,
        minutes,
        start,
        scores,
        variables,
        negotiation,
        pass_expr,
        tests,
        briefing,
        tuple(nodes),
        path,
        dict(source.key_lines),
        meta.text("language", required=False),
        *_language_keys(meta),
    )
    return scenario, source.findings


def _figure_variables(nodes: list[Node], declared: tuple[Variable, ...]) -> tuple[Variable, ...]:
    """A sheet's figures are number variables; those not declared under `state` start at 0."""
    names = {v.name for v in declared}
    out = []
    for node in nodes:
        for f in node.sheet.fields if node.sheet else ():
            if f.name not in names:
                names.add(f.name)
                out.append(Variable(f.name, 0, f.line))
    return tuple(out)


def _scores(meta: Meta) -> tuple[ScoreDim, ...]:
    raw = meta.mapping("scores", required=True)
    dims = []
    for i, (name, value) in enumerate(raw.items()):
        line = meta.item_line("scores", i)
        if not NAME_RE.match(name) or name in RESERVED_NAMES or name.startswith(("given_", "got_")):
            meta.source.problem(
                line,
                said(
                    "score `%(name)s` needs a plain name (a-z, 0-9, _) that is not reserved",
                    name=name,
                ),
            )
            continue
        if isinstance(value, dict) and set(value) == {"min", "start", "max"}:
            value = [value["min"], value["start"], value["max"]]
        if not isinstance(value, list) or len(value) != 3 or not all(_number(v) for v in value):
            meta.source.problem(
                line,
                said(
                    "score `%(name)s` must be `[min, start, max]` numbers",
                    name=name,
                ),
            )
            continue
        if not all(expressions.in_range(v) for v in value):
            bad = next(v for v in value if not expressions.in_range(v))
            meta.source.problem(
                line,
                said(
                    "score `%(name)s`: %(out_of_range_message)s",
                    name=name,
                    out_of_range_message=expressions.out_of_range_message(bad),
                ),
                "E-SCORE",
            )
            continue
        dims.append(ScoreDim(name, value[0], value[1], value[2], line))
    if "scores" in meta.data and not raw and isinstance(meta.data.get("scores"), dict):
        meta.bad("scores", said("declare at least one score dimension"))
    return tuple(dims)


def _variables(meta: Meta) -> tuple[Variable, ...]:
    raw = meta.mapping("state")
    out = []
    for i, (name, value) in enumerate(raw.items()):
        line = meta.item_line("state", i)
        if not NAME_RE.match(name) or name in RESERVED_NAMES or name.startswith(("given_", "got_")):
            meta.source.problem(
                line,
                said(
                    "variable `%(name)s` needs a plain name (a-z, 0-9, _) that is not reserved",
                    name=name,
                ),
            )
            continue
        if not isinstance(value, (bool, int, float, str)):
            meta.source.problem(
                line,
                said(
                    "variable `%(name)s` needs a true/false, number or text initial value",
                    name=name,
                ),
            )
            continue
        if _number(value) and not expressions.in_range(value):
            meta.source.problem(
                line,
                said(
                    "variable `%(name)s`: %(out_of_range_message)s",
                    name=name,
                    out_of_range_message=expressions.out_of_range_message(value),
                ),
                "E-EXPR",
            )
            continue
        out.append(Variable(name, value, line))
    return tuple(out)


def _negotiation(meta: Meta) -> Negotiation:
    raw = meta.mapping("negotiation")
    parts: dict[str, dict[str, Any]] = {}
    for part in ("walkaway", "concessions", "counterparts"):
        value = raw.get(part) or {}
        if not isinstance(value, dict):
            meta.bad("negotiation", said("`negotiation.%(part)s` must be a mapping", part=part))
            value = {}
        clean = {}
        for name, v in value.items():
            name = str(name)
            if not NAME_RE.match(name):
                meta.bad(
                    "negotiation",
                    said(
                        "`%(name)s` in `negotiation.%(part)s` needs a plain name (a-z, 0-9, _)",
                        name=name,
                        part=part,
                    ),
                )
                continue
            if part == "walkaway" and not _number(v):
                meta.bad("negotiation", said("walk-away for `%(name)s` must be a number", name=name))
                continue
            if part == "walkaway" and not expressions.in_range(v):
                meta.bad(
                    "negotiation",
                    said(
                        "walk-away for `%(name)s`: %(out_of_range_message)s",
                        name=name,
                        out_of_range_message=expressions.out_of_range_message(v),
                    ),
                    "E-EXPR",
                )
                continue
            clean[name] = v if part == "walkaway" else str(v if v is not None else "")
        parts[part] = clean
    for extra in set(raw) - {"walkaway", "concessions", "counterparts"}:
        meta.bad("negotiation", said("unknown key `negotiation.%(extra)s`", extra=extra))
    return Negotiation(parts["walkaway"], parts["concessions"], parts["counterparts"])


def _pass(meta: Meta) -> str | None:
    if "pass" not in meta.data or meta.data["pass"] is None:
        return None
    value = meta.data["pass"]
    if _number(value) and not expressions.in_range(value):
        meta.bad(
            "pass",
            said(
                "`pass`: %(out_of_range_message)s",
                out_of_range_message=expressions.out_of_range_message(value),
            ),
            "E-EXPR",
        )
        return None
    if _number(value):
        return f"percent >= {value}"  # `pass: 70` reads as an author means it
    if isinstance(value, str):
        return value
    meta.bad(
        "pass",
        said(
            "`pass` must be an expression such as `margin >= 5 and percent >= 60`",
        ),
    )
    return None


def _tests(meta: Meta) -> tuple[ScriptedTest, ...]:
    if "tests" not in meta.data or meta.data["tests"] is None:
        return ()
    raw = meta.data["tests"]
    if not isinstance(raw, list):
        meta.bad(
            "tests",
            said(
                "`tests` must be a list of `{choose: [...], expect: {...}}`",
            ),
        )
        return ()
    out = []
    for i, item in enumerate(raw):
        line = meta.item_line("tests", i)
        if not isinstance(item, dict):
            meta.source.problem(line, said("a test must be `{choose: [...], expect: {...}}`"))
            continue
        choose = item.get("choose", [])
        expect = item.get("expect", {})
        if not isinstance(choose, list) or not all(_choose_entry(c) or _item_numbers(c) for c in choose):
            meta.source.problem(
                line,
                said(
                    "`choose` must be a list of choice numbers from 1 (or `{field: figure, "
                    "...}` on a sheet, the list of item numbers picked, like `[1, 3]`, on "
                    "a signal-picking node)",
                ),
            )
            continue
        if not isinstance(expect, dict) or not expect:
            meta.source.problem(line, said("`expect` must be a mapping such as `{node: end-win}`"))
            continue
        out.append(
            ScriptedTest(
                tuple(tuple(c) if isinstance(c, list) else c for c in choose),
                {str(k): v for k, v in expect.items()},
                line,
            )
        )
    return tuple(out)


def _choose_entry(entry: Any) -> bool:
    """A choice number from 1, or on a sheet the figures to write, `{walkaway: 12, ...}`."""
    if isinstance(entry, dict):
        return bool(entry) and all(
            isinstance(k, str) and isinstance(v, (int, float, str)) and not isinstance(v, bool)
            for k, v in entry.items()
        )
    return isinstance(entry, int) and not isinstance(entry, bool) and entry >= 1


def _item_numbers(value: Any) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(_choose_entry(v) and not isinstance(v, dict) for v in value)
    )


# --- nodes --------------------------------------------------------------------------------

_DELTA_RE = re.compile(r"^([a-z][a-z0-9_]*)\s*([+-])\s*(\d+(?:\.\d+)?)$")
_SET_RE = re.compile(r"^set\s+(\S+)\s*=\s*(.+)$")
_TRADE_RE = re.compile(r"^(give|get)\s+(\S+)(?:\s+(-?\d+(?:\.\d+)?))?$")
_TAG_RE = re.compile(r"^(rating|pao|claims|skill|phase|end|goto|headline|signals)\s*:\s*(.*)$")
_GOTO_RE = re.compile(r"^(\S+)(?:\s+if\s+(.+))?$")


def _node(body: Body, part: list[Block], end: int) -> Node:
    heading = part[0]
    node_id = heading.heading_text()
    line = body.file_line(heading.start)
    blocks = part[1:]
    own: list[Block] = []
    sections: list[list[Block]] = []
    for b in blocks:  # `###` starts the named sections
        if b.heading_level() == 3 or sections:
            if b.heading_level() == 3:
                sections.append([b])
            else:
                sections[-1].append(b)
        else:
            own.append(b)
    own_end = sections[0][0].start if sections else end
    skill = phase = outcome = headline = reading = None
    gotos: list[Goto] = []
    skip: set[int] = set()
    if own and _is_directive_paragraph(own[0]):
        directive_block = own.pop(0)
        skip.update(range(directive_block.start, directive_block.end))
        dline = body.file_line(directive_block.start)
        for span in inline_children(directive_block.tokens):
            if span.type != "code_inline":
                continue
            m = _TAG_RE.match(span.content.strip())
            if not m:
                body.source.problem(
                    line,
                    said(
                        "node `%(node_id)s`: unknown directive `%(span_content)s`",
                        node_id=node_id,
                        span_content=span.content,
                    ),
                    "E-NAME",
                )
                continue
            key, value = m.group(1), m.group(2).strip()
            if key == "skill":
                skill = value
            elif key == "phase":
                phase = value
            elif key == "end":
                outcome = value
            elif key == "headline":
                headline = value.strip('"').strip() or None
            elif key == "signals":
                reading = value or None
            elif key == "goto":
                g = _GOTO_RE.match(value)
                if not g:
                    body.source.problem(
                        line,
                        said(
                            "node `%(node_id)s`: `goto:` needs a node id",
                            node_id=node_id,
                        ),
                        "E-TARGET",
                    )
                    continue
                gotos.append(Goto(g.group(1).lstrip("#"), g.group(2), dline))
            else:
                body.source.problem(
                    line,
                    said(
                        "node `%(node_id)s`: `%(key)s:` belongs on a choice, not a node",
                        node_id=node_id,
                        key=key,
                    ),
                    "E-NAME",
                )
    choices, fields = [], []
    observations = []
    for b in own:
        if b.first.type not in ("bullet_list_open", "ordered_list_open"):
            continue
        for item in _list_items(b.tokens):
            if sheets.is_field(item):
                field = sheets.parse_field(body, item, _list_items, _feedback, _effects, RESERVED_NAMES)
                if field is not None:
                    fields.append(field)
                item_map = item[0].map or [0, 0]
                skip.update(range(item_map[0], item_map[1]))
                continue
            choice = _choice(body, item)
            observation = None if choice is not None else _observation(body, item)
            if choice is not None:
                choices.append(choice)
            elif observation is not None:
                observations.append(observation)
            if choice is not None or observation is not None:
                item_map = item[0].map or [0, 0]
                skip.update(range(item_map[0], item_map[1]))
    narrative = body.text(heading.end, own_end, skip)
    named = {}
    for i, sec in enumerate(sections):
        sec_end = sections[i + 1][0].start if i + 1 < len(sections) else end
        title = sec[0].heading_text()
        named[SECTION_NAMES.get(title, title)] = body.text(sec[0].end, sec_end)
    if headline and outcome is None:
        body.source.problem(
            line,
            said(
                "node `%(node_id)s`: `headline:` belongs on an ending (a node with `end:`)",
                node_id=node_id,
            ),
            "E-END",
        )
    sheet = None
    if fields:  # a sheet's gotos are followed once it is submitted
        sheet, gotos = Sheet(tuple(fields), tuple(gotos), line), []
    return Node(
        node_id,
        line,
        skill,
        phase,
        outcome,
        tuple(gotos),
        narrative,
        named,
        tuple(choices),
        headline,
        sheet,
        tuple(observations),
        reading,
    )


def _observation(body: Body, item: list[Token]) -> SignalItem | None:
    """A list item marked `signal: right` or `signal: distractor` (content/signals.py)."""
    if len(item) < 3 or item[1].type != "paragraph_open":
        return None
    line = body.file_line(item[0].map[0] if item[0].map else 0)
    return signal_picking.read_item(item[2].content, _feedback(body, item), line, body.source.problem)


def _is_directive_paragraph(block: Block) -> bool:
    if block.first.type != "paragraph_open":
        return False
    children = inline_children(block.tokens)
    has_code = False
    for c in children:
        if c.type == "code_inline":
            has_code = True
        elif c.type in ("softbreak", "hardbreak") or (c.type == "text" and not c.content.strip()):
            continue
        else:
            return False
    return has_code


def _choice(body: Body, item: list[Token]) -> Choice | None:
    # The first element of the item must be a paragraph opening with a link to `#id`.
    if len(item) < 3 or item[1].type != "paragraph_open":
        return None
    inline = item[2]
    children = [c for c in (inline.children or []) if not (c.type == "text" and not c.content)]
    if not children or children[0].type != "link_open":
        return None
    href = str(children[0].attrs.get("href", ""))
    if not href.startswith("#"):
        return None
    line = body.file_line(item[0].map[0] if item[0].map else 0)
    after_link = False
    spans = []
    for c in children:
        if c.type == "link_close":
            after_link = True
        elif after_link and c.type == "code_inline":
            spans.append(c.content.strip())
    effects = _effects(body, spans, line)
    return Choice(link_label(inline.content), href[1:], line, effects, _feedback(body, item))


def _literal(text: str) -> Value:
    tree = expressions.parse(text)
    if tree[0] in ("num", "str", "bool"):
        value: Value = tree[1]
        return value
    raise expressions.ExprError(
        said('`%(text)s` is not a value (a number, "text", true or false)', text=text)
    )


def _amount(text: str) -> int | float | None:
    """The number of a score change or a trade, None when it is out of range."""
    try:
        return expressions.number(text)
    except (expressions.ExprError, ValueError):
        return None


def _effects(body: Body, spans: list[str], line: int) -> Effects:
    scores: list[tuple[str, float]] = []
    sets: list[tuple[str, Value]] = []
    gives: list[Trade] = []
    gets: list[Trade] = []
    fields: dict[str, Any] = {}
    for span in spans:
        if span in ("unilateral", "once"):
            fields[span] = True
            continue
        m = _DELTA_RE.match(span)
        if m:
            amount = _amount(m.group(3))
            if amount is None:
                body.source.problem(
                    line,
                    said(
                        "`%(span)s`: %(out_of_range_message)s",
                        span=span,
                        out_of_range_message=expressions.out_of_range_message(m.group(3)),
                    ),
                    "E-EXPR",
                )
                continue
            scores.append((m.group(1), amount if m.group(2) == "+" else -amount))
            continue
        m = _SET_RE.match(span)
        if m:
            try:
                sets.append((m.group(1), _literal(m.group(2).strip())))
            except expressions.ExprError as exc:
                body.source.problem(line, said("`%(span)s`: %(exc)s", span=span, exc=exc), "E-EXPR")
            continue
        m = _TRADE_RE.match(span)
        if m:
            text = m.group(3)
            amount = 1 if text is None else _amount(text)
            if amount is None:
                body.source.problem(
                    line,
                    said(
                        "`%(span)s`: %(out_of_range_message)s",
                        span=span,
                        out_of_range_message=expressions.out_of_range_message(text),
                    ),
                    "E-EXPR",
                )
                continue
            (gives if m.group(1) == "give" else gets).append(Trade(m.group(2), amount))
            continue
        if span.startswith("if ") or span == "if":
            if "condition" in fields:
                body.source.problem(
                    line, said("a choice takes one `if`; join conditions with `and`"), "E-EXPR"
                )
                continue
            fields["condition"] = span[2:].strip()
            continue
        m = _TAG_RE.match(span)
        if m and m.group(1) in ("rating", "pao", "claims"):
            key, value = m.group(1), m.group(2).strip()
            if key == "rating" and value not in RATINGS:
                body.source.problem(
                    line,
                    said(
                        "rating `%(value)s` is not one of best, good, ok, poor",
                        value=value,
                    ),
                    "E-NAME",
                )
                continue
            fields[key] = value
            continue
        body.source.problem(line, said("cannot read the effect `%(span)s`", span=span), "E-EXPR")
    return Effects(
        tuple(scores),
        tuple(sets),
        tuple(gives),
        tuple(gets),
        fields.get("unilateral", False),
        fields.get("once", False),
        fields.get("condition"),
        fields.get("rating"),
        fields.get("pao"),
        fields.get("claims"),
    )
