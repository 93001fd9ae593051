"""Reinforcement ("boosts"), what a boost shows: an item asked again from one content version
(the one a form showed, else the published one), in the reader's language when the content has
it; grading always reads the source version."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from app.content import engine, recall
from app.content import signals as signal_picking
from app.content.model import Choice, Node, Question, Scenario, SignalItem
from app.extensions import db
from app.models import BoostItem, ContentVersion
from app.services import publishing, signal_picks, translations
from app.services.boosts_memory import QUESTION, SIGNALS

# --- what a boost shows -------------------------------------------------------------------------


@dataclass
class Shown:
    """An item as a boost asks it, from one content version."""

    item: BoostItem
    version: ContentVersion
    title: str  # the module or role-play it comes from
    question: Question | None = None
    number: int = 0  # its number in the module
    order: tuple[int, ...] = ()  # answer numbers in the order shown
    node: Node | None = None  # a phase-reading or signal-picking node, in the reader's language
    situation: str = ""  # Markdown
    phases: tuple[tuple[str, str], ...] = ()  # ((id, title), ...) to choose from
    signals: dict[str, tuple[str, ...]] | None = None  # {phase id: (signal, ...)} from the course
    answer_key: str = ""
    picking: tuple[
        tuple[int, SignalItem], ...
    ] = ()  # a signal item's (0-based index, item) in the order shown
    source: Scenario | None = None  # the source scenario and node a signal pick is graded on
    source_node: Node | None = None

    @property
    def several(self) -> bool:
        return self.question is not None and len(recall.right_answers(self.question)) > 1

    @property
    def reading_title(self) -> str | None:
        """The title of the phase a signal item's right signals point to."""
        return (
            dict(self.phases).get(self.node.reading) if self.node is not None and self.node.reading else None
        )

    @property
    def graded_on(self) -> tuple[Scenario, Node]:
        """The source scenario and node a signal item is graded on."""
        assert self.source is not None and self.source_node is not None  # show() sets both for a signal item
        return self.source, self.source_node

    def right(self) -> list[int] | list[str]:
        if self.question is not None:
            return recall.right_answers(self.question)
        if self.item.kind == SIGNALS:
            return list(signal_picking.right_items(self.graded_on[1]))
        assert (
            self.node is not None and self.node.phase is not None
        )  # a phase item's node (recall.phase_node)
        return [self.node.phase]


def _version_for(item: BoostItem, version_id: int | None = None) -> ContentVersion | None:
    """The version a boost form showed (when it is one of this item's), else the published one."""
    kind = "module" if item.kind == QUESTION else "scenario"
    if version_id:
        version = db.session.get(ContentVersion, version_id)
        if version is not None and version.kind == kind and version.slug == item.slug:
            return version
    return publishing.published(kind, item.slug)


def show(
    item: BoostItem, version_id: int | None = None, seq: int | None = None, language: str | None = None
) -> Shown | None:
    """How boost answer `seq` (the next one by default) asks this item, in the reader's
    `language` when the content has it (a translation keeps the source's questions, answers and
    nodes in place: E-SAMEQUIZ, E-SAMENODES), or None when the content no longer has the item.
    Grading always reads the source version."""
    version = _version_for(item, version_id)
    if version is None:
        return None
    kind = "module" if item.kind == QUESTION else "scenario"
    value = publishing.value_of(version)
    read = translations.localized(kind, version, language)[0] if language else value
    if item.kind == QUESTION:
        found = recall.find_question(value, item.ref)
        if found is None:
            return None
        number, question = found
        if len(getattr(read, "quiz", ())) >= number and len(read.quiz[number - 1].answers) == len(
            question.answers
        ):
            question = read.quiz[number - 1]
        # Answers shuffled per boost, the same on a reload: where the right one sits says nothing.
        order = sorted(
            range(1, len(question.answers) + 1),
            key=lambda i: recall.digest(f"{item.id}:{seq or item.boosts + 1}:{i}"),
        )
        return Shown(
            item,
            version,
            read.title,
            question=question,
            number=number,
            order=tuple(order),
            answer_key=recall.question_answer_key(found[1]),
        )
    if item.kind == SIGNALS:
        source_node = recall.signal_node(value, item.ref)
        if source_node is None:
            return None
        node = recall.signal_node(read, item.ref)
        if node is None or len(node.signals) != len(source_node.signals):
            node = source_node
        # Shuffled per boost, the same on a reload, as the role-play shuffles them per attempt.
        order = signal_picking.shown_order(node, f"boost:{item.id}:{seq or item.boosts + 1}")
        phases = _phases(value, language)[0]
        return Shown(
            item,
            version,
            read.title,
            node=node,
            situation=recall.situation(node),
            phases=phases,
            answer_key=recall.signals_answer_key(source_node),
            picking=tuple((i, node.signals[i]) for i in order),
            source=value,
            source_node=source_node,
        )
    node = recall.phase_node(value, item.ref)
    if node is None:
        return None
    answer_key = node.phase
    assert answer_key is not None  # recall.phase_node returns a node that reads a phase
    node = recall.phase_node(read, item.ref) or node
    phases, signals = _phases(value, language)
    if answer_key not in dict(phases):
        phases += ((answer_key, answer_key),)
    return Shown(
        item,
        version,
        read.title,
        node=node,
        situation=recall.situation(node),
        phases=phases,
        signals=signals,
        answer_key=answer_key,
    )


def _phases(
    value: Any, language: str | None
) -> tuple[tuple[tuple[str, str], ...], dict[str, tuple[str, ...]]]:  # value: a Module or Scenario
    """((id, title), ...) of the course's phases and {id: (signal, ...)}, in `language`."""
    course_id = value.course or publishing.course_id()
    course = (
        translations.localized_course(course_id, language)
        if language
        else publishing.published_course(course_id)
    )
    phases = tuple((p.id, p.title) for p in course.phases) if course else ()
    signals = {p.id: p.signals for p in course.phases} if course else {}
    return phases, signals


@dataclass
class SignalFeedback:
    """After a signal item: the verdict on each observation (in the order shown, with the
    author's feedback), the reading the pick took, and the best reading when it was not that."""

    graded: list[signal_picks.Graded]
    reading: Choice  # the node's reading of this pick
    best: Choice | None = None  # the node's best-rated reading, when the pick missed it


def signal_feedback(shown: Shown | None, picks: Sequence[int]) -> SignalFeedback | None:
    """The role-play's own words on a boost's pick (content/recall.read_signals), or None."""
    if shown is None or not shown.picking:
        return None
    source, source_node = shown.graded_on
    try:
        verdicts, index, _right = recall.read_signals(source, source_node, list(picks))
    except engine.EngineError:
        return None
    ticked = set(picks)
    graded = [signal_picks.Graded(item, verdicts[i], i in ticked) for i, item in shown.picking]
    node = shown.node or source_node
    readings = node.choices if len(node.choices) == len(source_node.choices) else ()
    readings = readings or source_node.choices
    best = next((c for c in readings if c.effects.rating == "best"), None)
    return SignalFeedback(graded, readings[index], best if best is not readings[index] else None)
