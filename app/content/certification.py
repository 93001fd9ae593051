"""Certification of a stage, the pure rules (no Flask, no database): the settings course.md
gives each stage, when a certificate expires, whether it is valid on a day, when its holder is
told, when a new campaign opens, and what a recertification asks for.

A campaign is one run at a stage's certificate. The first opens with the trainee's first
record; each later one opens when the certificate before it enters its last NOTICE_DAYS (the
day the rep and their manager are told it is expiring), so a rep can renew before it lapses.
Only evidence dated inside the campaign counts toward it (a challenge pass, a check, an
observation), and each campaign issues at most one certificate."""

from __future__ import annotations

import hashlib
import random
from calendar import monthrange
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from typing import Any

from .model import Criterion, StageCertification, said

VALID_MONTHS_DEFAULT = 12
VALID_MONTHS_MAX = 120
NOTICE_DAYS = 30
OBSERVED = ("off", "optional", "required")
LEVELS_MAX = 6
CRITERIA_MAX = 12

Problem = Callable[[int, str, str], None]


# --- settings from course.md ----------------------------------------------------------------------


def parse_settings(
    raw: Any,
    line: int,
    problem: Problem,
    default: StageCertification | None = None,
    course_level: bool = False,
) -> StageCertification:
    """A `certification:` mapping of the course (the default of every stage: `valid_months`
    only) or of one stage. Problems are E-CERT findings; what is wrong falls back to the
    default, so one typo does not hide the rest."""
    base = default or StageCertification()
    if raw is None:
        return StageCertification(base.valid_months, line=line)
    if not isinstance(raw, dict):
        problem(
            line,
            said(
                "`certification` must be a mapping, like `{valid_months: 12}`",
            ),
            "E-CERT",
        )
        return StageCertification(base.valid_months, line=line)
    allowed = {"valid_months"} if course_level else {"valid_months", "observed", "pass_level", "rubric"}
    for key in raw:
        if str(key) not in allowed:
            problem(
                line,
                said(
                    "`certification` has no key `%(key)s` here (it takes %(names)s)",
                    key=key,
                    names=", ".join(sorted(allowed)),
                ),
                "E-CERT",
            )
    months = raw.get("valid_months", base.valid_months)
    if isinstance(months, bool) or not isinstance(months, int) or not 1 <= months <= VALID_MONTHS_MAX:
        problem(
            line,
            said(
                "`valid_months` must be a whole number from 1 to %(VALID_MONTHS_MAX)s",
                VALID_MONTHS_MAX=VALID_MONTHS_MAX,
            ),
            "E-CERT",
        )
        months = base.valid_months
    rubric = _rubric(raw.get("rubric"), line, problem)
    observed = raw.get("observed", "optional" if rubric else "off")
    if observed not in OBSERVED:
        problem(line, said("`observed` must be `off`, `optional` or `required`"), "E-CERT")
        observed = "off"
    if observed != "off" and not rubric:
        problem(
            line,
            said(
                "`observed: %(observed)s` needs a `rubric` to score the observation on",
                observed=observed,
            ),
            "E-CERT",
        )
        observed = "off"
    pass_level = raw.get("pass_level", 2)
    fewest = min((len(c.levels) for c in rubric), default=2)
    if isinstance(pass_level, bool) or not isinstance(pass_level, int) or not 1 <= pass_level <= fewest:
        problem(
            line,
            said(
                "`pass_level` must be a level every criterion has (1 to %(fewest)s)",
                fewest=fewest,
            ),
            "E-CERT",
        )
        pass_level = min(2, fewest)
    return StageCertification(months, observed, pass_level, rubric, line)


def _rubric(raw: Any, line: int, problem: Problem) -> tuple[Criterion, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        problem(
            line,
            said(
                "`rubric` must be a list of `{id, title, levels: [lowest, ..., highest]}`",
            ),
            "E-CERT",
        )
        return ()
    if len(raw) > CRITERIA_MAX:
        problem(
            line,
            said(
                "a rubric has at most %(CRITERIA_MAX)s criteria",
                CRITERIA_MAX=CRITERIA_MAX,
            ),
            "E-CERT",
        )
    out, seen = [], set()
    for item in raw[:CRITERIA_MAX]:
        if not isinstance(item, dict):
            problem(
                line,
                said(
                    "each rubric criterion must be a mapping `{id, title, levels}`",
                ),
                "E-CERT",
            )
            continue
        cid, title, levels = item.get("id"), item.get("title"), item.get("levels")
        if not isinstance(cid, str) or not cid or cid in seen:
            problem(
                line,
                said(
                    "each rubric criterion needs its own `id` (got %(cid)s)",
                    cid=repr(cid),
                ),
                "E-CERT",
            )
            continue
        seen.add(cid)
        if not isinstance(title, str) or not title.strip():
            problem(line, said("rubric criterion `%(cid)s` needs a `title`", cid=cid), "E-CERT")
        if (
            not isinstance(levels, list)
            or not 2 <= len(levels) <= LEVELS_MAX
            or not all(isinstance(v, str) and v.strip() for v in levels)
        ):
            problem(
                line,
                said(
                    "rubric criterion `%(cid)s` needs `levels`: 2 to %(LEVELS_MAX)s texts, lowest first",
                    cid=cid,
                    LEVELS_MAX=LEVELS_MAX,
                ),
                "E-CERT",
            )
            continue
        out.append(Criterion(cid, str(title or cid), tuple(levels), line))
    return tuple(out)


# --- dates ----------------------------------------------------------------------------------------


def add_months(day: date, months: int) -> date:
    """The same day `months` later; the month's last day when it has no such day (31 Jan + 1
    month is 28 or 29 Feb)."""
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def expires_on(issued_on: date, valid_months: int) -> date:
    """The first day the certificate is no longer valid."""
    return add_months(issued_on, valid_months)


def is_valid(expiry: date, today: date) -> bool:
    return today < expiry


def notice_on(expiry: date) -> date:
    """The day the holder and their manager are told the certificate is expiring."""
    return expiry - timedelta(days=NOTICE_DAYS)


def expiring_soon(expiry: date, today: date) -> bool:
    return notice_on(expiry) <= today < expiry


def campaign_opens(previous_expiry: date | None) -> date | None:
    """When the campaign after a certificate expiring on `previous_expiry` opens (None: the
    first campaign, open since the start)."""
    return None if previous_expiry is None else notice_on(previous_expiry)


def in_campaign(when: datetime | date | None, opens: datetime | date | None) -> bool:
    """Whether evidence of `when` counts in a campaign that `opens` on a day, or at a moment (a
    revocation: what was earned before it, that same day included, does not count again)."""
    if when is None:
        return False
    if opens is None:
        return True
    if isinstance(opens, datetime):
        return when >= opens if isinstance(when, datetime) else when > opens.date()
    day = when.date() if isinstance(when, datetime) else when
    return day >= opens


# --- recertification ------------------------------------------------------------------------------


def draw(choices: Sequence[str], user_id: int, course: str, stage: str, campaign: int) -> str | None:
    """One of `choices` at random, the same for every page load of a campaign: seeded by the
    trainee, the stage and the campaign's number (a new campaign draws again)."""
    if not choices:
        return None
    seed = hashlib.sha256(f"{user_id}:{course}:{stage}:{campaign}".encode()).digest()
    return random.Random(seed).choice(sorted(choices))


def observation_passes(settings: StageCertification, levels: dict[str, int]) -> bool:
    """Every criterion of the rubric at `pass_level` or above."""
    return bool(settings.rubric) and all(levels.get(c.id, 0) >= settings.pass_level for c in settings.rubric)
