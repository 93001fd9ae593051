"""Observed role-plays: a manager watched a live one (a colleague or a real buyer playing the
prospect) and scores it on the stage's rubric from course.md. It counts toward the stage's
certificate when the course says `observed: required` (see services/certification.py).

Only a manager of the trainee's team (or an admin) records one: the scope rule's home is
assignments.trainee_in_scope. Each form carries a one-time token, so a double submit, a reload
or a second tab records it once."""

from collections.abc import Mapping, Sequence
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import select

from app import formats
from app.content import certification as rules
from app.content.model import Stage, StageCertification
from app.extensions import db
from app.models import ObservedRolePlay, User
from app.models.base import utcnow
from app.services import mail, publishing, translations
from app.services.assignments.assigning import AssignmentError
from app.services.assignments.manager_scope import trainee_in_scope

NOTES_MAX = 2000
OLDEST_DAYS = 90  # an observation is recorded within three months of the meeting


def observable_stages(language: str | None = None) -> list[tuple[Stage, StageCertification]]:
    """[(stage, settings)] of the published course whose rubric a manager can score; titles and
    levels in `language` where the course is translated (the ids are the same)."""
    course_id = publishing.course_id()
    if not course_id:
        return []
    course = (
        translations.localized_course(course_id, language)
        if language
        else publishing.published_course(course_id)
    )
    if course is None:
        return []
    return [(stage, stage.certification) for stage in course.stages if stage.certification.observed != "off"]


def record(
    manager: User,
    trainee_id: object,
    stage_id: str,
    levels: Mapping[str, object],
    notes: str | None,
    observed_on: date | None,
    submission: str,
    today: date | None = None,
) -> tuple[ObservedRolePlay | None, bool]:
    """Record an observation: (row, True) when recorded now, (row, False) when this form was
    recorded before. AssignmentError (with its field) for bad input; NotInScope for a trainee
    the manager does not manage. Nothing is written on a refusal."""
    trainee = trainee_in_scope(manager, trainee_id)
    existing = db.session.scalar(select(ObservedRolePlay).where(ObservedRolePlay.submission == submission))
    if existing is not None:
        if existing.trainee_id != trainee.id:
            raise AssignmentError(_("This form was already used; open the trainee's page again."))
        return existing, False
    stage = next((s for s, _ in observable_stages() if s.id == stage_id), None)
    if stage is None:
        raise AssignmentError(_("Choose a stage whose course has an observation rubric."), "stage")
    settings = stage.certification
    chosen = {}
    for criterion in settings.rubric:
        value = levels.get(criterion.id)
        if not isinstance(value, int) or not 1 <= value <= len(criterion.levels):
            raise AssignmentError(
                _("Choose a level for “%(title)s”.", title=criterion.title), f"level-{criterion.id}"
            )
        chosen[criterion.id] = value
    today = today or formats.today()
    if observed_on is None:
        raise AssignmentError(_("Give the date of the role-play (YYYY-MM-DD)."), "observed_on")
    if observed_on > today:
        raise AssignmentError(_("The role-play cannot be in the future."), "observed_on")
    if observed_on < today - timedelta(days=OLDEST_DAYS):
        raise AssignmentError(
            _("Record a role-play within %(days)s days of it.", days=OLDEST_DAYS), "observed_on"
        )
    notes = (notes or "").strip()
    if len(notes) > NOTES_MAX:
        raise AssignmentError(_("Keep the notes under %(most)s characters.", most=NOTES_MAX), "notes")
    course_id = publishing.course_id()
    version = publishing.published("course", course_id) if course_id is not None else None
    assert version is not None  # observable_stages found the stage in the published course
    new_id = mail._insert_once(
        ObservedRolePlay,
        dict(
            trainee_id=trainee.id,
            observer_id=manager.id,
            course_slug=version.slug,
            stage_id=stage.id,
            course_version_id=version.id,
            observed_on=observed_on,
            levels=chosen,
            passed=rules.observation_passes(settings, chosen),
            notes=notes,
            submission=submission,
            created_at=utcnow(),
        ),
        ["submission"],
    )
    row = db.session.scalar(select(ObservedRolePlay).where(ObservedRolePlay.submission == submission))
    return row, new_id is not None


def of_trainee(trainee_id: int) -> Sequence[ObservedRolePlay]:
    """The trainee's observations, the newest first."""
    return db.session.scalars(
        select(ObservedRolePlay)
        .where(ObservedRolePlay.trainee_id == trainee_id)
        .order_by(ObservedRolePlay.observed_on.desc(), ObservedRolePlay.id.desc())
    ).all()
