"""CSV exports of a team: progress per trainee and every scenario attempt. Times in ISO 8601
with their offset; text a spreadsheet would run as a formula is quoted."""
import csv
import io
from datetime import date, datetime

from sqlalchemy import case, func, select

from app import formats
from app.extensions import db
from app.models import AttemptStep, ContentVersion, PublishedContent, ScenarioAttempt, Team, User
from app.services.team_dashboard import sort_rows, team_rows


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value):
    """ISO 8601 dates and times (with the offset); text that a spreadsheet would read as a formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (datetime, date)):
        return formats.iso(value)        # a time with its offset: 2026-12-01T14:05:00+01:00
    if isinstance(value, (int, float)):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv(header, rows):
    out = io.StringIO()
    out.write("\ufeff")                  # a byte-order mark, so spreadsheet programs read UTF-8
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def progress_csv(team_ids, today=None):
    rows, outline = team_rows(team_ids, today=today)
    rows = sort_rows(rows, "name")
    header = (["team", "name", "email", "hire_date", "course_percent", "modules_done"]
              + [f"stage_{sid}_percent" for sid, _ in outline.stages]
              + ["assigned", "done", "overdue", "next_due", "last_activity", "attempts"])
    return _csv(header, ([r.team, r.name, r.email, r.hire_date, r.percent, r.modules_done]
                         + [s.percent for s in r.stages]
                         + [len(r.assignments), sum(1 for a in r.assignments if a.done), len(r.overdue),
                            r.next_due, r.last_activity, r.attempts] for r in rows))


def attempts_csv(team_ids):
    titles = dict(db.session.execute(
        select(ContentVersion.slug, ContentVersion.title).join(PublishedContent,
                                                              PublishedContent.version_id == ContentVersion.id)
        .where(PublishedContent.kind == "scenario")).all())
    reads = (select(AttemptStep.attempt_id, func.count().label("reads"),
                    func.sum(case((AttemptStep.phase_correct.is_(True), 1), else_=0)).label("right"))
             .where(AttemptStep.phase.is_not(None), AttemptStep.choice.is_not(None))
             .group_by(AttemptStep.attempt_id).subquery())
    rows = db.session.execute(
        select(Team.name, User.name, User.email, ScenarioAttempt, ContentVersion.version, reads.c.reads, reads.c.right)
        .join(User, User.id == ScenarioAttempt.user_id).join(Team, Team.id == User.team_id)
        .join(ContentVersion, ContentVersion.id == ScenarioAttempt.version_id)
        .outerjoin(reads, reads.c.attempt_id == ScenarioAttempt.id)
        .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee")
        .order_by(Team.name, User.name, ScenarioAttempt.started_at, ScenarioAttempt.id)).all()
    header = ["team", "name", "email", "attempt_id", "scenario", "scenario_title", "version", "status",
              "started_at", "finished_at", "steps", "percent", "passed", "outcome", "phase_reads", "phase_right",
              "mode"]
    return _csv(header, ([team, name, email, a.id, a.scenario_slug, titles.get(a.scenario_slug, a.scenario_slug),
                          version, a.status, a.started_at, a.finished_at, a.step_count, a.percent, a.passed,
                          a.outcome, reads_n or 0, int(right or 0), a.mode]
                         for team, name, email, a, version, reads_n, right in rows))
