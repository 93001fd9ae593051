"""Reading a content file: bytes to text, then YAML front matter and Markdown body.

Nothing here raises on bad input: every problem becomes an E-META finding, because the same
code serves the CLI, the browser editor and uploads, where a traceback would be a 500.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

from .model import Finding, said

MAX_BYTES = 1_000_000  # a scenario is ~20 KB; a megabyte is far past any honest text
MAX_FRONT_MATTER_LINES = 2_000
# Bounds on what the front matter may build, checked on the parser's events before anything is
# constructed: a 600-byte text must not become a billion-element value downstream.
MAX_FRONT_MATTER_NODES = 20_000
MAX_SCALAR_CHARACTERS = 20_000

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C speed, same safe constructors


@dataclass
class SourceText:
    """A decoded file: its front matter, its body and where the body starts."""

    path: str
    text: str = ""
    meta: dict[str, Any] = field(default_factory=dict)
    key_lines: dict[str, int] = field(default_factory=dict)
    item_lines: dict[str, list[int]] = field(default_factory=dict)  # key -> line of each entry
    body: str = ""
    body_line: int = 1  # 1-based line of the body's first line in the file
    findings: list[Finding] = field(default_factory=list)
    readable: bool = True  # False when the body must not be parsed at all
    meta_ok: bool = True  # False when the front matter is missing or not valid YAML

    def broken(self, line: int, message: str) -> None:
        self.problem(line, message)
        self.meta_ok = False

    def problem(self, line: int, message: str, code: str = "E-META") -> None:
        self.findings.append(Finding(self.path, line, code, message))


def decode(data: bytes | str, path: str) -> SourceText:
    source = SourceText(path)
    if isinstance(data, bytes):
        if len(data) > MAX_BYTES:
            source.problem(
                1,
                said(
                    "file is %(count)s bytes; the limit is %(MAX_BYTES)s",
                    count=format(len(data), ","),
                    MAX_BYTES=format(MAX_BYTES, ","),
                ),
            )
            source.readable = False
            return source
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            line = data[: exc.start].count(b"\n") + 1
            source.problem(
                line,
                said(
                    "not valid UTF-8 (byte %(exc_start)s); save the file as UTF-8",
                    exc_start=exc.start,
                ),
            )
            source.readable = False
            return source
    else:
        text = data
        if len(text) > MAX_BYTES:
            source.problem(
                1,
                said(
                    "text is %(count)s characters; the limit is %(MAX_BYTES)s",
                    count=format(len(text), ","),
                    MAX_BYTES=format(MAX_BYTES, ","),
                ),
            )
            source.readable = False
            return source
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        source.problem(line, said("NUL character in the text; remove it"))
        text = text.replace("\x00", "\ufffd")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    source.text = text
    return source


def split(data: bytes | str, path: str) -> SourceText:
    """Decode, then separate the front matter from the body and load it safely."""
    source = decode(data, path)
    if not source.readable:
        return source
    text = source.text
    lines = text.split("\n")
    if not lines or lines[0].rstrip() != "---":
        source.broken(
            1,
            said(
                "no front matter: the file must start with a line `---`",
            ),
        )
        source.body, source.body_line = text, 1
        return source
    end = None
    for i in range(1, min(len(lines), MAX_FRONT_MATTER_LINES)):
        if lines[i].rstrip() in ("---", "..."):
            end = i
            break
    if end is None:
        source.broken(1, said("front matter is not closed by a line `---`"))
        source.body, source.body_line = "", len(lines)
        return source
    yaml_text = "\n".join(lines[1:end])
    source.body = "\n".join(lines[end + 1 :])
    source.body_line = end + 2
    _load_yaml(source, yaml_text)
    return source


def _unsafe_event(yaml_text: str) -> tuple[int, str] | None:
    """The first thing that could make the front matter's value explode, as (line, message):
    an alias or anchor (one `*a` repeated through a few levels is a billion elements once
    something walks it), too many nodes, a huge scalar. None when the text is plain YAML."""
    count = 0
    for event in yaml.parse(yaml_text, Loader=_Loader):
        line = event.start_mark.line + 2  # +2: the opening `---`, and marks are 0-based
        if isinstance(event, yaml.AliasEvent):
            return (
                line,
                f"YAML aliases (*{event.anchor}) are not allowed in front matter; write the value out",
            )
        if isinstance(event, yaml.NodeEvent) and event.anchor is not None:
            return (
                line,
                f"YAML anchors (&{event.anchor}) are not allowed in front matter; write the value out",
            )
        if isinstance(event, yaml.ScalarEvent) and len(event.value) > MAX_SCALAR_CHARACTERS:
            return line, f"a value of {len(event.value):,} characters; the limit is {MAX_SCALAR_CHARACTERS:,}"
        count += 1
        if count > MAX_FRONT_MATTER_NODES:
            return line, f"front matter has more than {MAX_FRONT_MATTER_NODES:,} values"
    return None


def _load_yaml(source: SourceText, yaml_text: str) -> None:
    try:
        unsafe = _unsafe_event(yaml_text)
        if unsafe is not None:
            source.broken(*unsafe)
            return
        loader = _Loader(yaml_text)
        try:
            node = loader.get_single_node()
            data = loader.construct_document(node) if node is not None else {}
        finally:
            loader.dispose()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        context = getattr(exc, "context_mark", None)
        since = (
            f" (in what starts on line {context.line + 2})"
            if context is not None and context.line + 2 != line
            else ""
        )
        source.broken(
            line,
            said(
                "front matter is not valid YAML: %(problem)s%(since)s",
                problem=problem,
                since=since,
            ),
        )
        return
    except (RecursionError, ValueError, TypeError, OverflowError) as exc:
        source.broken(
            1,
            said(
                "front matter cannot be read: %(__name__)s",
                __name__=type(exc).__name__,
            ),
        )
        return
    if data is None:
        data = {}
    if not isinstance(data, dict):
        source.broken(2, said("front matter must be a mapping of `key: value` lines"))
        return
    source.meta = {str(k): v for k, v in data.items()}
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node_ in node.value:
            # +2: line 1 is the opening `---`, and marks are 0-based
            key = str(key_node.value)
            source.key_lines.setdefault(key, key_node.start_mark.line + 2)
            value_node = value_node_
            if isinstance(value_node, yaml.SequenceNode):
                source.item_lines[key] = [v.start_mark.line + 2 for v in value_node.value]
            elif isinstance(value_node, yaml.MappingNode):
                source.item_lines[key] = [k.start_mark.line + 2 for k, _v in value_node.value]
