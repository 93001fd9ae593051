"""Boosts as a manager sees them: per trainee whether boosts are kept up (due now, done this
week), and the team's retention of each maturation phase over the weeks (the share of
phase-reading boosts answered right). Each is a fixed number of grouped statements, whatever
the number of rows. Due counts are as of each trainee's last fold (their visits, the hourly
reminders run, their page seen by the manager: services/boosts_met.refresh)."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TypedDict

from flask_babel import gettext as _
from sqlalchemy import bindparam, case, func, select

from app.extensions import db
from app.models import BoostAnswer, BoostItem, User
from app.models.base import utcnow
from app.services import boosts_met, charts, publishing, translations
from app.services.boosts_memory import PHASE, SIGNALS, day_bounds

WEEK = timedelta(days=7)
BEHIND_AFTER = 3  # items due with no boost for a week: falling behind
KEPT = 80  # a phase kept by 80% of answers or more shows as a filled point


@dataclass
class KeptUp:
    due: int = 0
    week: int = 0  # boost answers in the last seven days
    right: int = 0  # of which right
    last: datetime | None = None  # the latest boost answer

    @property
    def status(self) -> str:
        """none (nothing met yet), up-to-date, keeping-up (boosted this week), due (a few
        due, none done this week) or behind (BEHIND_AFTER or more due, none done this week)."""
        if self.due == 0:
            return "up-to-date" if self.last else "none"
        if self.week:
            return "keeping-up"
        return "behind" if self.due >= BEHIND_AFTER else "due"


def kept_up(user_ids: Iterable[int], now: datetime | None = None, fold: bool = False) -> dict[int, KeptUp]:
    """{trainee id: KeptUp} for these trainees, in two statements. With `fold`, the records of
    those who played or took a check since their last fold are folded first (boosts_met.refresh_stale:
    one trainee's page; the team dashboard keeps its fixed budget and counts as of each trainee's
    last visit or the hourly reminders run, which fold too)."""
    now = now or utcnow()
    ids = sorted(set(user_ids))
    out = {uid: KeptUp() for uid in ids}
    if not ids:
        return out
    if fold:
        boosts_met.refresh_stale(ids, now)
    _start, end = day_bounds(now)
    for uid, due in db.session.execute(_DUE_BY_TRAINEE, {"ids": ids, "end": end}):
        out[uid].due = due
    for uid, week, right, last in db.session.execute(_ANSWERS_BY_TRAINEE, {"ids": ids, "since": now - WEEK}):
        out[uid].week, out[uid].right, out[uid].last = int(week or 0), int(right or 0), last
    return out


# The team dashboard's two statements, built once, not per request (building and keying a
# statement cost more CPU than running it); any number of trainees through expanding parameters.
_DUE_BY_TRAINEE = (
    select(BoostItem.user_id, func.count())
    .where(
        BoostItem.user_id.in_(bindparam("ids", expanding=True)),
        BoostItem.retired_at.is_(None),
        BoostItem.due < bindparam("end"),
    )
    .group_by(BoostItem.user_id)
)
_RECENT = BoostAnswer.created_at >= bindparam("since")
_ANSWERS_BY_TRAINEE = (
    select(
        BoostAnswer.user_id,
        func.sum(case((_RECENT, 1), else_=0)),
        func.sum(case((_RECENT & BoostAnswer.correct, 1), else_=0)),
        func.max(BoostAnswer.created_at),
    )
    .where(BoostAnswer.user_id.in_(bindparam("ids", expanding=True)))
    .group_by(BoostAnswer.user_id)
)


class RetentionRow(TypedDict):
    """One phase in one week, for the table under the chart."""

    phase: str  # its title
    week: date  # the week's Monday
    answers: int
    right: int
    percent: int


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


_DAY = func.date(BoostAnswer.created_at)
_PHASE_ANSWERS_BY_DAY = (  # built once: building and keying a statement costs more than running it
    select(BoostAnswer.phase, _DAY, func.count(), func.sum(case((BoostAnswer.correct, 1), else_=0)))
    .join(User, User.id == BoostAnswer.user_id)
    .where(
        User.team_id.in_(bindparam("team_ids", expanding=True)),
        User.role == "trainee",
        BoostAnswer.kind.in_((PHASE, SIGNALS)),
        BoostAnswer.phase.is_not(None),
        _RECENT,
    )
    .group_by(BoostAnswer.phase, _DAY)
)


def phase_retention(
    team_ids: Iterable[int], now: datetime | None = None, weeks: int = 8
) -> list[tuple[date, str, int, int]]:
    """[(week's Monday, phase id, answers, right)] of the team's phase-reading boosts over the
    last `weeks` weeks, from one statement grouped by day (days are few; answers may be many)."""
    now = now or utcnow()
    since = datetime.combine(_monday(now.date()) - timedelta(weeks=weeks - 1), datetime.min.time())
    rows = db.session.execute(_PHASE_ANSWERS_BY_DAY, {"team_ids": sorted(team_ids), "since": since}).all()
    buckets: dict[tuple[date, str], tuple[int, int]] = {}
    for phase, when, count, right in rows:
        when = datetime.strptime(str(when)[:10], "%Y-%m-%d").date()
        key = (_monday(when), phase)
        seen, kept = buckets.get(key, (0, 0))
        buckets[key] = (seen + count, kept + int(right or 0))
    return sorted((monday, phase, seen, kept) for (monday, phase), (seen, kept) in buckets.items())


def retention_chart(
    team_ids: Iterable[int], now: datetime | None = None, weeks: int = 8, language: str | None = None
) -> tuple[charts.LineChart | None, list[RetentionRow]]:
    """The retention lines (one per phase, a point per week) and the rows behind them, or
    (None, []) before any phase-reading boost; phase titles in the reader's `language`."""
    rows = phase_retention(team_ids, now, weeks)
    if not rows:
        return None, []
    course = translations.localized_course(publishing.course_id(), language)
    titles = {p.id: p.title for p in course.phases} if course else {}
    order = {p: i for i, p in enumerate(titles)}
    rows.sort(key=lambda r: (order.get(r[1], 99), r[0]))
    points = [
        (
            datetime.combine(monday, datetime.min.time()),
            round(100 * kept / seen),
            100 * kept >= KEPT * seen,
            titles.get(phase, phase),
            _("%(right)d of %(num)d right", right=kept, num=seen),
        )
        for monday, phase, seen, kept in rows
    ]
    chart = charts.score_lines(points, _("Phases read right in boosts, week by week"))
    table: list[RetentionRow] = [
        {
            "phase": titles.get(phase, phase),
            "week": monday,
            "answers": seen,
            "right": kept,
            "percent": round(100 * kept / seen),
        }
        for monday, phase, seen, kept in rows
    ]
    return chart, table
