"""`flask reminders send`: the messages no click causes, computed from the state of things at
`now` (cron or a systemd timer runs it every hour; --now catches up after an outage).

- trainee: work due within two days; work late (at 1, 8 and 15 days late: weekly, three times at
  most); a stage completed; today's boost when items are due (at most once a day, boosts.py).
- manager: an assignment that fell due in the last week with people not done; a weekly digest
  per team (who is late, who has not started, the most misread phases and the most taken wrong
  choices of the last seven days, with links).
- both: a stage certificate expiring in 30 days (services/certificate_notices.py).

Idempotent: each message's event key (the assignment and its due date, the week...) is unique per
person and kind, so running it twice, or on two hosts at once, tells nobody twice. What the team
report services already compute (team_rows, phase_matrix, choice_analytics) is read, not redone."""

from collections.abc import Generator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import select

from app.extensions import db
from app.formats import day, local
from app.formats import due as due_words
from app.i18n import speaking_to
from app.models import Team, User
from app.models.base import utcnow
from app.services import boosts, boosts_met, certificate_notices, team_analytics, team_dashboard
from app.services.assignments.effective import EffectiveAssignment
from app.services.notification_events import KIND_WORDS, target_link
from app.services.notifications import notify
from app.services.team_analytics import PhaseRow, WrongChoice
from app.services.team_dashboard import TraineeRow

DUE_SOON_DAYS = 2
OVERDUE_EVERY_DAYS = 7
OVERDUE_TIMES = 3
FELL_DUE_WITHIN_DAYS = 7
DIGEST_TOP = 3


@dataclass
class Report:
    told: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, told: bool) -> None:
        if told:
            self.told[kind] = self.told.get(kind, 0) + 1

    def __str__(self) -> str:
        if not self.told:
            return "Nothing new to tell anyone."
        return "Told: " + ", ".join(f"{n} {kind}" for kind, n in sorted(self.told.items())) + "."


def send_in_steps(now: datetime | None = None) -> Generator[None, None, Report]:
    """Queue every reminder and digest due at `now` (naive UTC), as a job (app/jobs.py runs it):
    each team's are a unit of work the job boundary commits at the `yield`, so a failure in one
    team keeps what the others were told. Returns a Report."""
    now = now or utcnow()
    today = local(now).date()
    report = Report()
    team_ids = list(db.session.scalars(select(Team.id).order_by(Team.id)))
    for team_id in team_ids:
        rows, outline = team_dashboard.team_rows({team_id}, today=today)
        trainees = {
            u.id: u for u in db.session.scalars(select(User).where(User.id.in_([r.id for r in rows])))
        }
        for row in rows:
            _trainee_reminders(trainees[row.id], row, today, report)
            _boosts_due(trainees[row.id], now, today, report)
        team = db.session.get(Team, team_id)
        manager = team.manager if team is not None else None
        if team is not None and manager is not None and manager.active and rows:
            _fell_due(manager, team, rows, today, report)
            _digest(manager, team, rows, today, now, report)
        yield
    certificate_notices.tell_expiring(today, report)
    return report


def _trainee_reminders(trainee: User, row: TraineeRow, today: date, report: Report) -> None:
    with speaking_to(trainee):
        _trainee_reminders_in_their_language(trainee, row, today, report)


def _trainee_reminders_in_their_language(trainee: User, row: TraineeRow, today: date, report: Report) -> None:
    for a in row.assignments:
        if a.done or a.due is None:
            continue
        left = (a.due - today).days
        what = str(KIND_WORDS.get(a.kind, a.kind))
        context = dict(what=what, target=a.title, due=a.due, due_words=due_words(a.due, today).lower())
        link = target_link(a.kind, a.slug)
        if 0 <= left <= DUE_SOON_DAYS:
            report.add(
                "due-soon",
                notify(
                    trainee,
                    "due-soon",
                    f"assignment:{a.id}:due:{a.due}",
                    f"{a.title}: {due_words(a.due, today).lower()}",
                    link,
                    template="due_soon",
                    subject=_("%(when)s: %(title)s", when=due_words(a.due, today), title=a.title),
                    **context,
                ),
            )
        elif left < 0:
            reminder = (-left - 1) // OVERDUE_EVERY_DAYS + 1  # 1 from day 1, 2 from day 8, 3 from day 15
            if reminder <= OVERDUE_TIMES:
                report.add(
                    "overdue",
                    notify(
                        trainee,
                        "overdue",
                        f"assignment:{a.id}:due:{a.due}:late:{reminder}",
                        _("%(title)s: %(late)s", title=a.title, late=context["due_words"]),
                        link,
                        template="overdue",
                        subject=_("Late: %(title)s was due %(day)s", title=a.title, day=day(a.due)),
                        last=reminder == OVERDUE_TIMES,
                        **context,
                    ),
                )
    for stage in row.stages:
        if stage.complete:
            report.add(
                "stage-completed",
                notify(
                    trainee,
                    "stage-completed",
                    f"stage:{row.outline.course.id if row.outline.course else ''}:{stage.id}",
                    _("Stage completed: %(stage)s", stage=stage.title),
                    ("learn.my_progress", {}),
                    template="stage_completed",
                    subject=_("Stage completed: %(stage)s", stage=stage.title),
                    stage=stage.title,
                ),
            )


def _boosts_due(trainee: User, now: datetime, today: date, report: Report) -> None:
    """Once a day at most (the day is the event), while a boost is due and none was done today.
    The fold runs here first: a rep who plays but never opens the dashboard is told too."""
    boosts_met.refresh(trainee, now)
    state = boosts.today(trainee, now)
    if not state.due or state.done:
        return
    with speaking_to(trainee):
        _tell_boosts_due(trainee, state, today, report)


def _tell_boosts_due(trainee: User, state: boosts.Today, today: date, report: Report) -> None:
    report.add(
        "boosts-due",
        notify(
            trainee,
            "boosts-due",
            f"boosts:{today.isoformat()}",
            ngettext(
                "Today's boost: %(num)d thing to refresh",
                "Today's boost: %(num)d things to refresh",
                state.due,
            ),
            ("learn.boost", {}),
            template="boosts_due",
            subject=ngettext(
                "Today's boost: %(num)d thing you learnt to refresh",
                "Today's boost: %(num)d things you learnt to refresh",
                state.due,
            ),
            due=state.due,
            size=state.size,
        ),
    )


def _fell_due(manager: User, team: Team, rows: list[TraineeRow], today: date, report: Report) -> None:
    late: dict[tuple[int, date], tuple[EffectiveAssignment, list[str]]] = {}
    for row in rows:
        for a in row.assignments:
            if not a.done and a.due is not None and 1 <= (today - a.due).days <= FELL_DUE_WITHIN_DAYS:
                late.setdefault((a.id, a.due), (a, []))[1].append(row.name)
    for (assignment_id, due), (a, people) in sorted(late.items(), key=lambda item: item[0]):
        with speaking_to(manager):
            what = str(KIND_WORDS.get(a.kind, a.kind))
            report.add(
                "fell-due",
                notify(
                    manager,
                    "fell-due",
                    f"assignment:{assignment_id}:due:{due}:team:{team.id}",
                    ngettext(
                        "%(title)s fell due with %(num)d of %(team)s not done",
                        "%(title)s fell due with %(num)d of %(team)s not done",
                        len(people),
                        title=a.title,
                        team=team.name,
                    ),
                    ("manage.dashboard", {"team": team.id}),
                    template="fell_due",
                    subject=ngettext(
                        "%(title)s fell due: %(num)d of %(team)s not done",
                        "%(title)s fell due: %(num)d of %(team)s not done",
                        len(people),
                        title=a.title,
                        team=team.name,
                    ),
                    what=what,
                    target=a.title,
                    due=due,
                    people=sorted(people),
                ),
            )


def _digest(
    manager: User, team: Team, rows: list[TraineeRow], today: date, now: datetime, report: Report
) -> None:
    """Once per ISO week per team (the first run of the week sends it)."""
    year, week, _day = today.isocalendar()
    late = sorted((row for row in rows if row.overdue), key=lambda r: r.name)
    not_started = sorted((row for row in rows if row.activity(today) == "not started"), key=lambda r: r.name)
    week_ago = now - timedelta(days=7)
    matrix = team_analytics.phase_matrix({team.id}, since=week_ago)
    misread = sorted(
        (r for r in matrix["rows"] if r["accuracy"] is not None and r["accuracy"] < 100),
        key=lambda r: (r["accuracy"], r["title"]),
    )[:DIGEST_TOP]
    _skills, wrong = team_analytics.choice_analytics({team.id}, since=week_ago)
    with speaking_to(manager):
        _send_digest(manager, team, year, week, today, late, not_started, misread, wrong, report)


def _send_digest(
    manager: User,
    team: Team,
    year: int,
    week: int,
    today: date,
    late: list[TraineeRow],
    not_started: list[TraineeRow],
    misread: list[PhaseRow],
    wrong: list[WrongChoice],
    report: Report,
) -> None:
    report.add(
        "team-digest",
        notify(
            manager,
            "team-digest",
            f"team:{team.id}:week:{year}-W{week:02d}",
            _("%(team)s: the week of %(day)s", team=team.name, day=day(today)),
            ("manage.dashboard", {"team": team.id}),
            template="team_digest",
            subject=_("%(team)s: your team's week", team=team.name),
            team=team,
            late=late,
            not_started=not_started,
            misread=misread,
            wrong=wrong[:DIGEST_TOP],
            today=today,
            trainee_links={
                row.id: _site_link("manage.trainee", trainee_id=row.id) for row in late + not_started
            },
            analytics_link=_site_link("manage.analytics", team=team.id),
        ),
    )


def _site_link(endpoint: str, **values: object) -> str:
    from app.services.mail import site_link

    return site_link(endpoint, **values)
