"""Signal picking on the trainee's side: the observations in the order an attempt shows them,
the verdict on each after the pick, and the records the manager's analytics read.

A pick is recorded with its step (role_play_steps.take_step), in the same transaction, through the
same compare-and-set: a double click, a reload or a second tab records it once. Each
observation gets a row (attempt_signals) with the words the trainee read and, when the
scenario links it, the course's phase signal it illustrates (`PHASE/N`), so analytics can name
the signal a rep misses across scenarios and versions without reading the content again."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Connection, Select, Table, case, func, insert, select

from app.content import signals
from app.content.model import Node, SignalItem
from app.extensions import db
from app.models import AttemptSignal, AttemptStep, ScenarioAttempt

_INSERT = insert(cast(Table, AttemptSignal.__table__))


def record(conn: Connection, step_id: int, node: Node, verdicts: Sequence[str]) -> None:
    """One row per observation of the node, with its verdict (signals.grade)."""
    conn.execute(
        _INSERT,
        [
            dict(
                step_id=step_id,
                item=i,
                verdict=verdict,
                reading=node.reading,
                phase_signal=item.phase_signal,
                label=item.text,
            )
            for i, (item, verdict) in enumerate(zip(node.signals, verdicts, strict=True))
        ],
    )


def shown(attempt: ScenarioAttempt, node: Node) -> list[tuple[int, SignalItem]]:
    """[(0-based item index, SignalItem)] in the order this attempt shows them: shuffled, the
    same on every reload (authors tend to write the right signals first)."""
    return [(i, node.signals[i]) for i in signals.shown_order(node, str(attempt.id))]


@dataclass(frozen=True)
class Graded:
    item: SignalItem
    verdict: str  # spotted, missed, mistaken, avoided
    ticked: bool

    @property
    def wrong(self) -> bool:
        return self.verdict in signals.WRONG


def graded(attempt: ScenarioAttempt, node: Node | None, step: AttemptStep) -> list[Graded]:
    """The verdict on each observation of a recorded pick, in the order the attempt showed them;
    [] when the step is not a pick of this node (another version, a choice)."""
    verdicts = (step.effects or {}).get("verdicts") or []
    if node is None or not node.signals or len(verdicts) != len(node.signals):
        return []
    return [
        Graded(item, verdicts[i], verdicts[i] in (signals.SPOTTED, signals.MISTAKEN))
        for i, item in shown(attempt, node)
    ]


# --- analytics -----------------------------------------------------------------------------


@dataclass
class SignalResult:
    """How often one observation (or one course signal, across scenarios) was read right."""

    key: str  # `PHASE/N` when linked to the course, else the observation's words
    label: str
    phase_signal: str | None
    right: bool  # a right signal (spotted or missed) or a distractor (mistaken or avoided)
    reading: str | None  # the phase the node asked to read
    seen: int = 0
    wrong: int = 0  # missed (a right signal) or mistaken (a distractor)

    @property
    def percent_wrong(self) -> int:
        return round(100 * self.wrong / self.seen) if self.seen else 0


def results(attempts: Select[tuple[int]], params: dict[str, Any] | None = None) -> list[SignalResult]:
    """Signal-level results of the picks in these attempts (a select of attempt ids, with the
    values of its parameters), most often wrong first: which right signals are missed and which
    distractors are taken for signals. One statement, whatever the number of attempts."""
    out = [
        SignalResult(k, label, ps, bool(is_right), reading, int(n), int(w or 0))
        for k, label, ps, is_right, reading, n, w in db.session.execute(_results_statement(attempts), params)
    ]
    out.sort(key=lambda r: (-r.wrong, -r.percent_wrong, r.key))
    return out


@lru_cache(maxsize=16)
def _results_statement(attempts: Select[tuple[int]]) -> Select[Any]:
    """Built once per statement of attempt ids (team_analytics.team_attempts keeps one per
    shape): building and keying it costs more than running it."""
    wrong = case((AttemptSignal.verdict.in_(signals.WRONG), 1), else_=0)
    right = AttemptSignal.verdict.in_((signals.SPOTTED, signals.MISSED))
    key = func.coalesce(AttemptSignal.phase_signal, AttemptSignal.label)
    stmt = (
        select(
            key,
            func.min(AttemptSignal.label),
            AttemptSignal.phase_signal,
            right,
            AttemptSignal.reading,
            func.count(),
            func.sum(wrong),
        )
        .join(AttemptStep, AttemptStep.id == AttemptSignal.step_id)
        .where(AttemptStep.attempt_id.in_(attempts))
        .group_by(key, AttemptSignal.phase_signal, right, AttemptSignal.reading)
    )
    return stmt
