"""May the trainee open this module or role-play now?

With `unlock: sequential` a stage opens when the previous one is complete. Work a manager
assigned (the module, or the scenario itself) is open whatever the stage: the manager decided
the rep should do it now. A course assignment opens nothing early: it *is* the sequence.
"""

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, bindparam, select

from app.extensions import db
from app.models import User
from app.services import stages
from app.services.progress import CourseProgress, StageProgress


@dataclass
class Access:
    open: bool
    stage: StageProgress | None = None  # the stage of the thing
    blocking: StageProgress | None = None  # the stage to finish first
    assigned: bool = False


@lru_cache(maxsize=1)
def _assigned_targets_statement() -> Select[tuple[str, str]]:
    from sqlalchemy import or_

    from app.models import Assignment

    return select(Assignment.target_kind, Assignment.target_slug).where(
        Assignment.cancelled_at.is_(None),
        or_(Assignment.user_id == bindparam("user_id"), Assignment.team_id == bindparam("team_id")),
    )


def _assigned_targets(user: User) -> set[tuple[str, str]]:
    # a NULL team_id matches no row: the user's own assignments only
    rows = db.session.execute(_assigned_targets_statement(), {"user_id": user.id, "team_id": user.team_id})
    return {(kind, slug) for kind, slug in rows}


def access_to(
    user: User,
    progress: CourseProgress | None,
    stage_id: str,
    module_id: str | None = None,
    scenario_id: str | None = None,
    targets: set[tuple[str, str]] | None = None,
) -> Access:
    """May the trainee open this module or scenario now? Stage lock, unless assigned.
    `targets`: the trainee's assignments when the caller has read them."""
    stage = next((s for s in (progress.stages if progress else []) if s.id == stage_id), None)
    if progress is None or stage is None or stage.unlocked:
        return Access(True, stage)
    if targets is None:
        targets = _assigned_targets(user)
    if stages.opened_by_assignment(targets, progress, module_id, scenario_id):
        return Access(True, stage, assigned=True)
    blocking = None
    for s in progress.stages:
        if s.id == stage_id:
            break
        if not s.complete:
            blocking = s
            break
    return Access(False, stage, blocking)


def may_start(
    user: User, stage_id: str, scenario_id: str, progress_of: Callable[[], CourseProgress | None]
) -> bool:
    """May the trainee start this scenario now (access_to(...).open)? Its assignments are read
    first: a scenario assigned itself is open whatever its stage, and then the trainee's
    progress (`progress_of`: a fold of all their records, the start's largest cost) is not read."""
    targets = _assigned_targets(user)
    if stages.opened_by_assignment(targets, None, scenario_id=scenario_id):
        return True
    return access_to(user, progress_of(), stage_id, scenario_id=scenario_id, targets=targets).open
