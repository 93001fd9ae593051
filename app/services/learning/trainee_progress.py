"""The trainee's progress: what to do next inside a module, scores over time, and how well
each maturation phase is read."""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask_babel import ngettext
from sqlalchemy import Row, Select, bindparam, func, select

from app.extensions import db
from app.i18n import gettext as _
from app.models import AttemptStep, ScenarioAttempt, User
from app.models.learning import phase_read, read_right
from app.services import progress as progress_service
from app.services.progress import CourseProgress, ModuleProgress


@dataclass
class NextStep:
    kind: str  # page, check, scenario, done
    module: ModuleProgress
    label: str
    scenario: str | None = None


def next_step_in(module: ModuleProgress, titles: Mapping[str, str] | None = None) -> NextStep:
    """The next small step inside a module, from its progress."""
    if module.pages_seen < module.pages_total:
        if module.pages_seen:
            label = _(
                "Keep reading: %(seen)s of %(total)s pages read",
                seen=module.pages_seen,
                total=module.pages_total,
            )
        else:
            label = ngettext(
                "Read the lesson (%(num)d short page)",
                "Read the lesson (%(num)d short pages)",
                module.pages_total,
            )
        return NextStep("page", module, label)
    if module.has_quiz and not module.quiz_passed:
        label = (
            _("Take the knowledge check") if module.quiz_best is None else _("Try the knowledge check again")
        )
        return NextStep("check", module, label)
    for slug, score in module.scenarios.items():
        if not score["passed"]:
            title = (titles or {}).get(slug, slug)
            label = (
                _("Play the role-play: %(title)s", title=title)
                if score["best"] is None
                else _("Replay the role-play: %(title)s", title=title)
            )
            return NextStep("scenario", module, label, scenario=slug)
    return NextStep("done", module, _("Module complete"))


# --- my progress ------------------------------------------------------------------------------


# My progress runs these on every view: built once (building and keying a statement costs more
# than running it).
_FINISHED = (
    select(
        ScenarioAttempt.id,
        ScenarioAttempt.scenario_slug,
        ScenarioAttempt.percent,
        ScenarioAttempt.passed,
        ScenarioAttempt.finished_at,
    )
    .where(ScenarioAttempt.user_id == bindparam("user_id"), ScenarioAttempt.status == "finished")
    .order_by(ScenarioAttempt.finished_at.desc(), ScenarioAttempt.id.desc())
    .limit(bindparam("limit"))
)


def attempts_over_time(
    user: User, limit: int = 40
) -> list[Row[tuple[int, str, int | None, bool | None, datetime | None]]]:
    rows = db.session.execute(_FINISHED, {"user_id": user.id, "limit": limit}).all()
    return list(reversed(rows))


@dataclass
class PhaseReading:
    phase: str
    seen: int
    correct: int
    confused_with: list[tuple[str, int]]  # [(claimed phase, times)], most frequent first

    @property
    def misread(self) -> int:
        return self.seen - self.correct

    @property
    def percent(self) -> int:
        return round(100 * self.correct / self.seen) if self.seen else 0


@lru_cache(maxsize=1)
def _readings_statement() -> Select[tuple[str, str | None, bool, int]]:
    steps = (
        select(
            phase_read().label("phase"),
            AttemptStep.phase_claimed.label("claimed"),
            read_right().label("ok"),
        )
        .join(ScenarioAttempt, ScenarioAttempt.id == AttemptStep.attempt_id)
        .where(ScenarioAttempt.user_id == bindparam("user_id"))
        .subquery()
    )
    # grouped outside: PostgreSQL would not match the look-up of a pick's reading in a GROUP BY
    return (
        select(steps.c.phase, steps.c.claimed, steps.c.ok, func.count())
        .where(steps.c.phase.is_not(None))
        .group_by(steps.c.phase, steps.c.claimed, steps.c.ok)
    )


def phase_readings(user: User) -> list[PhaseReading]:
    """How well the trainee reads each maturation phase, worst first (most misreads): every step
    that asked for a reading, a choice that claims a phase or a signal pick's reading (which
    claims no other phase), judged as the debrief judges it (AttemptStep.read_right)."""
    rows = db.session.execute(_readings_statement(), {"user_id": user.id})
    seen: Counter[str] = Counter()
    correct: Counter[str] = Counter()
    confused: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for phase, claimed, ok, n in rows:
        seen[phase] += n
        if ok:
            correct[phase] += n
        elif claimed:
            confused[phase][claimed] += n
    out = [PhaseReading(p, seen[p], correct[p], confused[p].most_common()) for p in seen]
    out.sort(key=lambda r: (-r.misread, r.percent, r.phase))
    return out


def progress_of(user: User, language: str | None = None) -> CourseProgress | None:
    progress: CourseProgress | None = progress_service.progress_of(user.id, language=language)
    return progress  # through the published course
