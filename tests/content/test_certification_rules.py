"""Certification's pure rules: course.md settings and their lint, expiry around the date
(fixed dates, no clock), campaigns and the recertification draw."""

from datetime import date, datetime

import pytest

from app.content import certification as cert
from app.content.parse import parse_course

COURSE = """---
id: c
title: C
certification: {{valid_months: 18}}
stages:
  - id: one
    title: One
  - id: two
    title: Two
    certification: {stage}
phases: [{{id: p, title: P, signals: [s]}}]
pao: [{{id: A1, phase: p, title: T}}]
---
"""
RUBRIC = (
    "{observed: required, pass_level: 2, rubric: [{id: prep, title: Prepared, levels: [none, some, all]},"
    " {id: close, title: Closes, levels: [vague, date, signer]}]}"
)


def _course(stage):
    course, findings = parse_course(COURSE.format(stage=stage), "c/course.md")
    return course, [f.code + " " + f.message for f in findings]


def test_a_stage_takes_the_course_default_and_its_own_rubric():
    course, findings = _course(RUBRIC)
    assert findings == []
    one, two = course.stages
    assert one.certification.valid_months == 18 and one.certification.observed == "off"
    assert two.certification.valid_months == 18 and two.certification.observed == "required"
    assert [c.id for c in two.certification.rubric] == ["prep", "close"]
    assert two.certification.rubric[0].levels == ("none", "some", "all")


@pytest.mark.parametrize(
    "stage, says",
    [
        ("{valid_months: 0}", "`valid_months` must be"),
        ("{valid_months: 121}", "`valid_months` must be"),
        ("{valid_months: twelve}", "`valid_months` must be"),
        ("{observed: required}", "needs a `rubric`"),
        ("{observed: sometimes, rubric: [{id: a, title: A, levels: [x, y]}]}", "`observed` must be"),
        ("{rubric: [{id: a, title: A, levels: [only]}]}", "needs `levels`"),
        ("{rubric: [{id: a, title: A, levels: [x, y]}, {id: a, title: B, levels: [x, y]}]}", "its own `id`"),
        ("{pass_level: 3, rubric: [{id: a, title: A, levels: [x, y]}]}", "`pass_level` must be"),
        ("{valid_month: 12}", "no key `valid_month`"),
        ("twelve", "must be a mapping"),
    ],
)
def test_bad_settings_are_e_cert(stage, says):
    course, findings = _course(stage)
    assert course is not None and any(f.startswith("E-CERT") and says in f for f in findings), findings
    assert course.stages[1].certification.valid_months in (18,)


def test_the_course_default_takes_only_valid_months():
    course, findings = parse_course(
        COURSE.replace("{{valid_months: 18}}", "{{observed: required}}").format(stage="{}"), "c/course.md"
    )
    assert any("E-CERT" in f.code for f in findings)


@pytest.mark.parametrize(
    "issued, months, expiry",
    [
        (date(2026, 12, 1), 12, date(2027, 12, 1)),
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 8, 31), 6, date(2027, 2, 28)),
        (date(2026, 11, 15), 24, date(2028, 11, 15)),
    ],
)
def test_expiry_dates(issued, months, expiry):
    assert cert.expires_on(issued, months) == expiry


def test_validity_around_the_expiry_date():
    expiry = cert.expires_on(date(2026, 12, 1), 12)
    assert cert.is_valid(expiry, date(2027, 11, 30))  # the last valid day
    assert not cert.is_valid(expiry, date(2027, 12, 1))  # expired on its expiry date
    assert not cert.is_valid(expiry, date(2028, 1, 1))
    assert not cert.expiring_soon(expiry, date(2027, 10, 31))  # 31 days before: not yet told
    assert cert.expiring_soon(expiry, date(2027, 11, 1))  # 30 days before: told
    assert cert.expiring_soon(expiry, date(2027, 11, 30))
    assert not cert.expiring_soon(expiry, date(2027, 12, 1))  # expired, no longer "expiring"


def test_a_campaign_opens_with_the_notice():
    assert cert.campaign_opens(None) is None
    opens = cert.campaign_opens(date(2027, 12, 1))
    assert opens == date(2027, 11, 1)
    assert not cert.in_campaign(datetime(2027, 10, 31, 23, 59), opens)
    assert cert.in_campaign(datetime(2027, 11, 1, 0, 0), opens)
    assert cert.in_campaign(datetime(2020, 1, 1), None) and not cert.in_campaign(None, None)


def test_the_draw_is_stable_per_campaign_and_moves_between_campaigns():
    choices = ["a", "b", "c", "d", "e"]
    first = cert.draw(choices, 7, "course", "negotiation", 2)
    assert all(cert.draw(list(reversed(choices)), 7, "course", "negotiation", 2) == first for _ in range(5))
    assert len({cert.draw(choices, 7, "course", "negotiation", n) for n in range(2, 30)}) > 1
    assert len({cert.draw(choices, u, "course", "negotiation", 2) for u in range(30)}) > 1
    assert cert.draw([], 7, "course", "negotiation", 2) is None


def test_an_observation_passes_when_every_criterion_reaches_the_level():
    course, _ = _course(RUBRIC)
    settings = course.stages[1].certification
    assert cert.observation_passes(settings, {"prep": 2, "close": 3})
    assert not cert.observation_passes(settings, {"prep": 1, "close": 3})
    assert not cert.observation_passes(settings, {"prep": 3})


def test_the_demo_course_has_a_rubric_where_observation_is_required():
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "courses" / "business-relationship" / "course.md"
    course, findings = parse_course(path.read_bytes(), str(path))
    assert not [f for f in findings if f.is_error]
    by_id = {s.id: s.certification for s in course.stages}
    assert by_id["negotiation"].observed == "required" and len(by_id["negotiation"].rubric) >= 3
    assert by_id["qualification"].valid_months == 24 and by_id["qualification"].observed == "off"
