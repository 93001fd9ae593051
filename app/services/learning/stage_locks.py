"""May the trainee open this module or role-play now?

With `unlock: sequential` a stage opens when the previous one is complete. Work a manager
assigned (the module, or the scenario itself) is open whatever the stage: the manager decided
the rep should do it now. A course assignment opens nothing early: it *is* the sequence.
"""

from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import bindparam, select

from app.extensions import db
from app.services import stages


@dataclass
class Access:
    open: bool
    stage: object = None  # StageProgress of the thing
    blocking: object = None  # the StageProgress to finish first
    assigned: bool = False


@lru_cache(maxsize=1)
def _assigned_targets_statement():
    from sqlalchemy import or_

    from app.models import Assignment

    return select(Assignment.target_kind, Assignment.target_slug).where(
        Assignment.cancelled_at.is_(None),
        or_(Assignment.user_id == bindparam("user_id"), Assignment.team_id == bindparam("team_id")),
    )


def _assigned_targets(user):
    # a NULL team_id matches no row: the user's own assignments only
    rows = db.session.execute(_assigned_targets_statement(), {"user_id": user.id, "team_id": user.team_id})
    return {(kind, slug) for kind, slug in rows}


def access_to(user, progress, stage_id, module_id=None, scenario_id=None):
    """May the trainee open this module or scenario now? Stage lock, unless assigned."""
    stage = next((s for s in (progress.stages if progress else []) if s.id == stage_id), None)
    if stage is None or stage.unlocked:
        return Access(True, stage)
    if stages.opened_by_assignment(_assigned_targets(user), progress, module_id, scenario_id):
        return Access(True, stage, assigned=True)
    blocking = None
    for s in progress.stages:
        if s.id == stage_id:
            break
        if not s.complete:
            blocking = s
            break
    return Access(False, stage, blocking)
