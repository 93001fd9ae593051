"""The content core: parse, lint, play and render Petits Pas courses and scenarios.

Pure Python: no Flask, no SQLAlchemy (tests/content/test_purity.py enforces it), so the CLI,
the browser editor, the player and the tests all share one implementation.
"""

from .catalog import ContentSet
from .engine import (
    AttemptFinished,
    ChoiceNotOffered,
    ContentError,
    EngineError,
    StepOutcome,
    continue_,
    interpolate,
    is_ending,
    needs_continue,
    offered_choices,
    passed,
    percent,
    start_state,
    step,
    values,
    walkaway_breached,
)
from .lint import (
    check_course_text,
    check_module_text,
    check_scenario_text,
    lint_course,
    lint_module,
    lint_scenario,
)
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
    Stage,
    Trade,
    Variable,
)
from .parse import parse_course, parse_module, parse_scenario

__all__ = [name for name in dir() if not name.startswith("_")]
