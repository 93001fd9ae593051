"""CSV exports of a team: progress per trainee and every scenario attempt. Times in ISO 8601
with their offset; text a spreadsheet would run as a formula is quoted. Written for the reader's
spreadsheet: column names in their language, fields split by ';' where the decimal mark is a
comma (French Excel and LibreOffice), ',' otherwise, and a BOM so it reads UTF-8."""

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select

from app import formats
from app.extensions import db
from app.models import (
    AttemptStep,
    ContentVersion,
    PublishedContent,
    ScenarioAttempt,
    Team,
    User,
)
from app.services.certification import team_certificates
from app.services.team_dashboard import sort_rows, team_rows

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> str | int:
    """ISO 8601 dates and times (with the offset); text that a spreadsheet would read as a
    formula gets a leading quote."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, (datetime, date)):
        return formats.iso(value)  # a time with its offset: 2026-12-01T14:05:00+01:00
    if isinstance(value, float):  # 12.5 reads 12,5 where the decimal mark is a comma
        return f"{value:g}".replace(".", formats.decimal_mark())
    if isinstance(value, int):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


# Every export's column ids and their names in the reader's language (the English names are the ids).
COLUMNS = {
    "team": _l("team"),
    "name": _l("name"),
    "email": _l("email"),
    "hire_date": _l("hire_date"),
    "course_percent": _l("course_percent"),
    "modules_done": _l("modules_done"),
    "assigned": _l("assigned"),
    "done": _l("done"),
    "overdue": _l("overdue"),
    "next_due": _l("next_due"),
    "last_activity": _l("last_activity"),
    "attempts": _l("attempts"),
    "certified_stages": _l("certified_stages"),
    "expiring_within_30_days": _l("expiring_within_30_days"),
    "revoked_stages": _l("revoked_stages"),
    "attempt_id": _l("attempt_id"),
    "scenario": _l("scenario"),
    "scenario_title": _l("scenario_title"),
    "version": _l("version"),
    "status": _l("status"),
    "started_at": _l("started_at"),
    "finished_at": _l("finished_at"),
    "steps": _l("steps"),
    "percent": _l("percent"),
    "passed": _l("passed"),
    "outcome": _l("outcome"),
    "phase_reads": _l("phase_reads"),
    "phase_right": _l("phase_right"),
    "mode": _l("mode"),
    "time": _l("time"),
    "event": _l("event"),
    "kind": _l("kind"),
    "by": _l("by"),
    "email_typed": _l("email_typed"),
    "about": _l("about"),
    "detail": _l("detail"),
    "address": _l("address"),
    "page": _l("page"),
}


def column(name: str, **values: object) -> str:
    """A column's name in the reader's language: "course_percent", "avancement_parcours_pct"."""
    if name == "stage_percent":
        return _("stage_%(stage)s_percent", **values)
    return str(COLUMNS[name])


def write_csv(header: Iterable[object], rows: Iterable[Iterable[object]]) -> bytes:
    """The CSV file of every export: BOM, the reader's separator, cells by csv_cell."""
    out = io.StringIO()
    out.write("\ufeff")  # a byte-order mark, so spreadsheet programs read UTF-8
    writer = csv.writer(out, delimiter=formats.csv_separator(), lineterminator="\r\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return out.getvalue().encode("utf-8")


def progress_csv(team_ids: Iterable[int], today: date | None = None) -> bytes:
    rows, outline = team_rows(team_ids, today=today)
    rows = sort_rows(rows, "name")
    certs = team_certificates([r.id for r in rows], today)
    header = (
        [
            column("team"),
            column("name"),
            column("email"),
            column("hire_date"),
            column("course_percent"),
            column("modules_done"),
        ]
        + [column("stage_percent", stage=sid) for sid, _title in outline.stages]
        + [
            column("assigned"),
            column("done"),
            column("overdue"),
            column("next_due"),
            column("last_activity"),
            column("attempts"),
            column("certified_stages"),
            column("expiring_within_30_days"),
            column("revoked_stages"),
        ]
    )
    return write_csv(
        header,
        (
            [r.team, r.name, r.email, r.hire_date, r.percent, r.modules_done]
            + [s.percent for s in r.stages]
            + [
                len(r.assignments),
                sum(1 for a in r.assignments if a.done),
                len(r.overdue),
                r.next_due,
                r.last_activity,
                r.attempts,
                _stages_until(certs[r.id].certified),
                _stages_until(certs[r.id].expiring),
                _stages_until(certs[r.id].revoked),
            ]
            for r in rows
        ),
    )


def _stages_until(stages: Iterable[tuple[str, date]]) -> str:
    """Each stage and its expiry (or its revocation) in one spreadsheet cell: "Stage (2027-12-01); ..."."""
    return "; ".join(f"{title} ({expires.isoformat()})" for title, expires in stages)


def attempts_csv(team_ids: Iterable[int]) -> bytes:
    titles = {
        slug: title
        for slug, title in db.session.execute(
            select(ContentVersion.slug, ContentVersion.title)
            .join(PublishedContent, PublishedContent.version_id == ContentVersion.id)
            .where(PublishedContent.kind == "scenario")
        )
    }
    reads = (
        select(
            AttemptStep.attempt_id,
            func.count().label("reads"),
            func.sum(case((AttemptStep.phase_correct.is_(True), 1), else_=0)).label("right"),
        )
        .where(AttemptStep.phase.is_not(None), AttemptStep.choice.is_not(None))
        .group_by(AttemptStep.attempt_id)
        .subquery()
    )
    rows = db.session.execute(
        select(
            Team.name,
            User.name,
            User.email,
            ScenarioAttempt,
            ContentVersion.version,
            reads.c.reads,
            reads.c.right,
        )
        .join(User, User.id == ScenarioAttempt.user_id)
        .join(Team, Team.id == User.team_id)
        .join(ContentVersion, ContentVersion.id == ScenarioAttempt.version_id)
        .outerjoin(reads, reads.c.attempt_id == ScenarioAttempt.id)
        .where(User.team_id.in_(sorted(team_ids)), User.role == "trainee")
        .order_by(Team.name, User.name, ScenarioAttempt.started_at, ScenarioAttempt.id)
    ).all()
    header = [
        column(name)
        for name in (
            "team",
            "name",
            "email",
            "attempt_id",
            "scenario",
            "scenario_title",
            "version",
            "status",
            "started_at",
            "finished_at",
            "steps",
            "percent",
            "passed",
            "outcome",
            "phase_reads",
            "phase_right",
            "mode",
        )
    ]
    return write_csv(
        header,
        (
            [
                team,
                name,
                email,
                a.id,
                a.scenario_slug,
                titles.get(a.scenario_slug, a.scenario_slug),
                version,
                a.status,
                a.started_at,
                a.finished_at,
                a.step_count,
                a.percent,
                a.passed,
                a.outcome,
                reads_n or 0,
                int(right or 0),
                a.mode,
            ]
            for team, name, email, a, version, reads_n, right in rows
        ),
    )
