"""Reinforcement ("boosts"), what a boost shows: an item asked again from one content version
(the one a form showed, else the published one), in the reader's language when the content has
it; grading always reads the source version."""

from dataclasses import dataclass

from app.content import recall
from app.extensions import db
from app.models import BoostItem, ContentVersion
from app.services import publishing, translations
from app.services.boosts_memory import QUESTION

# --- what a boost shows -------------------------------------------------------------------------


@dataclass
class Shown:
    """An item as a boost asks it, from one content version."""

    item: BoostItem
    version: ContentVersion
    title: str  # the module or role-play it comes from
    question: object = None  # a Question
    number: int = 0  # its number in the module
    order: tuple = ()  # answer numbers in the order shown
    node: object = None  # a phase-reading Node
    situation: str = ""  # Markdown
    phases: tuple = ()  # ((id, title), ...) to choose from
    signals: dict | None = None  # {phase id: (signal, ...)} from the course
    answer_key: str = ""

    @property
    def several(self):
        return self.question is not None and len(recall.right_answers(self.question)) > 1

    def right(self):
        return recall.right_answers(self.question) if self.question is not None else [self.node.phase]


def _version_for(item, version_id=None):
    """The version a boost form showed (when it is one of this item's), else the published one."""
    kind = "module" if item.kind == QUESTION else "scenario"
    if version_id:
        version = db.session.get(ContentVersion, version_id)
        if version is not None and version.kind == kind and version.slug == item.slug:
            return version
    return publishing.published(kind, item.slug)


def show(item, version_id=None, seq=None, language=None):
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
    node = recall.phase_node(value, item.ref)
    if node is None:
        return None
    answer_key = node.phase
    node = recall.phase_node(read, item.ref) or node
    course_id = value.course or publishing.course_id()
    course = (
        translations.localized_course(course_id, language)
        if language
        else publishing.published_course(course_id)
    )
    phases = tuple((p.id, p.title) for p in course.phases) if course else ()
    signals = {p.id: p.signals for p in course.phases} if course else {}
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
