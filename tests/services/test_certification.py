"""Stage certification through its use cases: what a stage asks for, idempotent issuing, the
campaign after the expiry notice and its stable draw, observed role-plays that are required.
Fixed dates are passed as `today`; records are dated where a campaign needs them."""

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Certificate, QuizAttempt, ScenarioAttempt
from app.services import certification, demo_activity, publishing
from tests.helpers import (
    CERTIFIED_STAGE,
    challenge,
    earn,
    publish_course,
    stage_modules,
    stage_role_plays,
    study_stage,
    user_row,
)

STAGE = CERTIFIED_STAGE


@pytest.fixture
def ctx(app):
    publish_course(app)
    with app.app_context():
        yield


def status_of(user, stage=STAGE, today=None):
    return next(s for s in certification.stage_certificates(user, today) if s.stage_id == stage)


def test_a_stage_asks_for_its_modules_and_a_challenge_pass_of_each_role_play(ctx, factory):
    user = user_row(factory.user())
    status = status_of(user)
    kinds = [(r.kind, r.slug) for r in status.requirements]
    assert kinds == [("modules", None)] + [("role-play", s) for s in stage_role_plays(STAGE)]
    assert status.state == "in-progress" and not status.ready
    with pytest.raises(certification.Refused, match="Not yet"):
        certification.issue(user, STAGE)
    study_stage(user.id, STAGE)
    for slug in stage_role_plays(STAGE):  # practice passes do not count
        demo_activity.record_play(user.id, slug)
    assert not status_of(user).ready
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0


def test_issuing_is_idempotent_and_records_scores_and_versions(ctx, factory):
    person = factory.user(name="Hélène Lefèvre")
    user = user_row(person)
    earn(user.id)
    assert status_of(user).state == "ready"
    first, created = certification.issue(user, STAGE, today=date(2026, 12, 1))
    again, created_again = certification.issue(user, STAGE, today=date(2026, 12, 1))
    db.session.commit()
    assert created and not created_again and first.id == again.id
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1
    assert first.holder_name == "Hélène Lefèvre" and first.issued_on == date(2026, 12, 1)
    assert first.expires_on == date(2028, 12, 1)  # qualification: valid 24 months
    assert len(first.uuid) == 36 and first.uuid[14] == "4"  # uuid4
    plays = first.evidence["role_plays"]
    assert sorted(plays) == stage_role_plays(STAGE)
    for row in plays.values():
        attempt = db.session.get(ScenarioAttempt, row["attempt"])
        assert attempt.mode == "challenge" and attempt.passed and row["version_id"] == attempt.version_id
        assert row["version"] >= 1
    assert set(first.evidence["checks"]) == {m.id for m in stage_modules(STAGE) if m.quiz}
    assert first.evidence["course_version_id"] == publishing.published("course", publishing.course_id()).id
    assert first.score is not None and 0 < first.score <= 100
    assert status_of(user, today=date(2026, 12, 2)).state == "certified"


def test_validity_expiry_notice_and_the_recertification_campaign(ctx, factory):
    user = user_row(factory.user())
    earn(user.id, when=datetime(2026, 11, 20, 9))
    cert, _ = certification.issue(user, STAGE, today=date(2026, 12, 1))
    db.session.commit()
    expiry = cert.expires_on  # 1 Dec 2028
    assert status_of(user, today=expiry - timedelta(days=31)).state == "certified"
    assert status_of(user, today=expiry - timedelta(days=31)).campaign is None
    soon = status_of(user, today=expiry - timedelta(days=30))
    assert soon.state == "expiring" and soon.campaign == 2 and soon.recertification
    assert status_of(user, today=expiry - timedelta(days=1)).valid
    late = status_of(user, today=expiry)
    assert late.state == "expired" and not late.valid
    # a recertification: one role-play and one check, drawn once for the campaign
    kinds = [r.kind for r in late.requirements]
    assert kinds == ["modules", "check", "role-play"]
    drawn = [(r.kind, r.slug) for r in late.requirements]
    for day in (expiry, expiry + timedelta(days=3), expiry + timedelta(days=40)):
        assert [(r.kind, r.slug) for r in status_of(user, today=day).requirements] == drawn
    # the old passes (before the campaign opened) do not count
    assert not late.ready
    with pytest.raises(certification.Refused):
        certification.issue(user, STAGE, today=expiry)


def test_recertifying_with_the_drawn_role_play_and_check(ctx, factory, app):
    user = user_row(factory.user())
    earn(user.id, when=datetime(2024, 11, 20, 9))
    old, _ = certification.issue(user, STAGE, today=date(2024, 12, 1))  # expires 1 Dec 2026
    db.session.commit()
    today = date(2026, 12, 1)
    status = status_of(user, today=today)
    assert status.state == "expired"
    role_play = next(r.slug for r in status.requirements if r.kind == "role-play")
    module_id = next(r.slug for r in status.requirements if r.kind == "check")
    challenge(user.id, role_play)  # now: inside the campaign
    demo_activity.record_study(user.id, module_id, pages=0, quiz_percent=100)
    db.session.flush()
    assert status_of(user, today=today).ready
    new, created = certification.issue(user, STAGE, today=today)
    db.session.commit()
    assert created and new.campaign == 2 and new.id != old.id
    assert list(new.evidence["role_plays"]) == [role_play] and list(new.evidence["checks"]) == [module_id]
    assert new.expires_on == date(2028, 12, 1)
    assert status_of(user, today=today).state == "certified"


def test_a_required_observation_blocks_until_a_manager_records_a_pass(ctx, factory):
    from app.services import observations

    team = factory.team()
    manager = user_row(factory.user(role="manager"))
    from app.models import Team

    db.session.get(Team, team).manager_id = manager.id
    user = user_row(factory.user(team=team))
    db.session.commit()
    earn(user.id, "negotiation")
    status = status_of(user, "negotiation")
    assert [r.kind for r in status.requirements][-1] == "observed" and not status.ready
    criteria = status.settings.rubric
    failing = {c.id: 1 for c in criteria}
    seen, created = observations.record(
        manager, user.id, "negotiation", failing, "", date(2026, 12, 1), "tok-1", today=date(2026, 12, 1)
    )
    assert created and not seen.passed
    assert not status_of(user, "negotiation").ready
    passing = {c.id: len(c.levels) for c in criteria}
    seen, created = observations.record(
        manager,
        user.id,
        "negotiation",
        passing,
        "Held the floor.",
        date(2026, 12, 1),
        "tok-2",
        today=date(2026, 12, 1),
    )
    again, created_again = observations.record(
        manager, user.id, "negotiation", passing, "", date(2026, 12, 1), "tok-2"
    )
    assert created and seen.passed and not created_again and again.id == seen.id
    assert status_of(user, "negotiation").ready
    cert, _ = certification.issue(user, "negotiation", today=date(2026, 12, 1))
    assert cert.evidence["observed"]["observation"] == seen.id


def test_team_certificates_certified_expiring_and_expired(ctx, factory):
    a, b = user_row(factory.user()), user_row(factory.user())
    earn(a.id)
    earn(b.id)
    certification.issue(a, STAGE, today=date(2026, 12, 1))
    certification.issue(b, STAGE, today=date(2024, 12, 15))  # expires 15 Dec 2026
    db.session.commit()
    rows = certification.team_certificates([a.id, b.id], today=date(2026, 12, 1))
    assert [t for t, _ in rows[a.id].certified] == ["Qualifying prospects"] and rows[a.id].expiring == []
    assert rows[b.id].expiring == [("Qualifying prospects", date(2026, 12, 15))]
    later = certification.team_certificates([b.id], today=date(2026, 12, 15))
    assert later[b.id].certified == [] and later[b.id].expired == [
        ("Qualifying prospects", date(2026, 12, 15))
    ]
    assert QuizAttempt  # records of checks exist for the stage


def _managed_trainee(factory):
    from app.models import Team

    team = factory.team()
    manager = user_row(factory.user(role="manager", name="Marc Manager"))
    db.session.get(Team, team).manager_id = manager.id
    user = user_row(factory.user(team=team))
    db.session.commit()
    return manager, user


def test_an_optional_observation_recorded_in_the_campaign_is_kept_on_the_certificate(ctx, factory):
    from app.services import observations

    manager, user = _managed_trainee(factory)
    today = date.today()
    earn(user.id, "prospecting")
    status = status_of(user, "prospecting")
    assert status.settings.observed == "optional" and status.ready  # it does not block
    rubric = status.settings.rubric
    failing = {c.id: 1 for c in rubric}
    seen, _ = observations.record(
        manager, user.id, "prospecting", failing, "Rushed the opening.", today, "t-1"
    )
    cert, _ = certification.issue(user, "prospecting", today=today)
    kept = cert.evidence["observed"]
    assert kept["observation"] == seen.id and kept["passed"] is False and kept["counted"] is False
    assert kept["observer"] == "Marc Manager" and kept["notes"] == "Rushed the opening."
    assert kept["levels"] == failing


def test_a_revoked_certificate_is_not_valid_and_the_stage_is_certified_again(ctx, factory):
    from app.models import AuditEvent
    from app.services import certificate_revocation
    from app.services.assignments.assigning import AssignmentError
    from app.services.assignments.manager_scope import NotInScope

    manager, user = _managed_trainee(factory)
    earn(user.id)
    cert, _ = certification.issue(user, STAGE)
    db.session.commit()
    stranger = user_row(factory.user(role="manager"))
    with pytest.raises(NotInScope):
        certificate_revocation.revoke(stranger, user.id, cert.id, "Not mine to judge.")
    for blank in ("", "   ", None):
        with pytest.raises(AssignmentError):
            certificate_revocation.revoke(manager, user.id, cert.id, blank)
    with pytest.raises(AssignmentError):
        certificate_revocation.revoke(manager, user.id, cert.id, "x" * 501)
    assert cert.revoked_at is None
    revoked, created = certificate_revocation.revoke(manager, user.id, cert.id, "Played by a colleague.")
    again, created_again = certificate_revocation.revoke(manager, user.id, cert.id, "Twice.")
    db.session.commit()
    assert created and not created_again and again.revoke_reason == "Played by a colleague."
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.kind == "certificate-revoked")).all()
    assert len(events) == 1 and events[0].user_id == manager.id and events[0].target_user_id == user.id
    assert not certification.is_valid(revoked)
    status = status_of(user)
    # a new campaign, in full, in which what was earned before the revocation does not count
    assert status.state == "revoked" and status.campaign == 2 and not status.recertification
    assert [r.kind for r in status.requirements][0] == "modules" and not status.ready
    rows = certification.team_certificates([user.id])
    assert rows[user.id].certified == [] and rows[user.id].revoked == [("Qualifying prospects", date.today())]
    earn(user.id)  # passed again after the revocation
    assert status_of(user).ready
    second, created = certification.issue(user, STAGE)
    assert created and second.campaign == 2 and certification.is_valid(second)
    assert status_of(user).state == "certified"
