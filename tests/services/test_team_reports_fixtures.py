"""Helpers (no tests here) for the manager-side tests: publish the real course, and write
learning records as a trainee's play does: the demo-activity recorder plays through the
trainee's own use case (learning.take_step)."""
from pathlib import Path

from app.extensions import db
from app.services import demo_activity

ROOT = str(Path(__file__).resolve().parents[2])


def publish_course(app):
    from app.services import publishing
    with app.app_context():
        report = publishing.sync_files(ROOT, echo=lambda *a: None)
        db.session.commit()
        assert report.refused == 0, report.refusals


def play(app, user_id, scenario, pick=None, when=None, finish=True):
    with app.app_context():
        attempt = demo_activity.record_play(user_id, scenario, pick or demo_activity.playtest.best_pick,
                                            when=when, finish=finish)
        db.session.commit()
        return attempt.id


def worst(offered):
    return demo_activity.playtest.lowest_pick(offered)


def study(app, user_id, module, pages=None, quiz_percent=None, when=None):
    with app.app_context():
        demo_activity.record_study(user_id, module, pages=pages, quiz_percent=quiz_percent, when=when)
        db.session.commit()


def complete_module(app, user_id, module):
    from app.services import publishing
    study(app, user_id, module, quiz_percent=100)
    with app.app_context():
        scenarios = publishing.value_of(publishing.published("module", module)).scenarios
    for slug in scenarios:
        play(app, user_id, slug)


def team_with_manager(factory, trainees=2, **kwargs):
    manager = factory.user(role="manager")
    team = factory.team(manager=manager, **kwargs)
    people = [factory.user(team=team) for _ in range(trainees)]
    return manager, team, people
