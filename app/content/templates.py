"""The texts a new course, module or scenario starts from: Markdown files in templates/ that
pass lint, with the id, the title, the course and its first stage filled in."""

from __future__ import annotations

from pathlib import Path
from string import Template

from .model import Course

HERE = Path(__file__).resolve().parent / "templates"


def yaml_quoted(text: str) -> str:
    """A title as a double-quoted YAML string, whatever quotes or backslashes it holds."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def template_text(kind: str, slug: str, title: str, course: Course | None = None) -> str:
    """The starting text of a `kind` ("course", "module" or "scenario"). A module or a scenario
    is placed in the first stage of `course`."""
    stage = course.stages[0].id if course and course.stages else "first-stage"
    values = {
        "slug": slug,
        "title": title,
        "title_yaml": yaml_quoted(title),
        "stage": stage,
        "course": course.id if course else "course",
    }
    text = (HERE / f"{kind}.md").read_text(encoding="utf-8")
    return Template(text).safe_substitute(values)
