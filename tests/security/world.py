"""Helpers (no tests here) for the security tests: the real course published, trainees with
attempts in progress and finished, row counts of every table, and the forms of a page."""

import re

from sqlalchemy import func, select

from app.extensions import db
from tests.helpers import play, publish_course, study

SCENARIO = "ranking-the-pipeline"  # stage 1: open to a new trainee


def counts(app):
    """{table: row count} of every table: 'nothing written' is this being unchanged."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            out[table.name] = db.session.scalar(select(func.count()).select_from(table))
        db.session.remove()
        return out


def snapshot(app):
    """Every row of every table except the audit log (which a refusal may append to)."""
    with app.app_context():
        out = {}
        for table in db.metadata.sorted_tables:
            if table.name == "audit_events":
                continue
            rows = db.session.execute(select(table)).all()
            out[table.name] = sorted(repr(tuple(r)) for r in rows)
        db.session.remove()
        return out


FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S | re.I)


def post_forms(html):
    """[(action, inner html)] of every POST form of a page."""
    out = []
    for attrs, inner in FORM.findall(html):
        if re.search(r'method\s*=\s*"?post', attrs, re.I):
            action = re.search(r'action\s*=\s*"([^"]*)"', attrs)
            out.append((action.group(1) if action else "", inner))
    return out


def seq_of(html):
    match = re.search(r'name="seq"[^>]*value="(\d+)"', html)
    return int(match.group(1)) if match else None


def start(client, scenario=SCENARIO):
    """Start (or resume) an attempt through the trainee's pages; returns its id."""
    token = re.search(
        r'name="csrf_token"[^>]*value="([^"]+)"',
        client.get(f"/learn/scenarios/{scenario}").get_data(as_text=True),
    )
    answer = client.post(
        f"/learn/scenarios/{scenario}/start", data={"csrf_token": token.group(1) if token else ""}
    )
    assert answer.status_code == 200, answer.status_code  # the first page, naming its address
    return int(re.search(r"/attempts/(\d+)", answer.headers["Content-Location"]).group(1))


__all__ = [
    "play",
    "publish_course",
    "study",
    "counts",
    "snapshot",
    "post_forms",
    "seq_of",
    "start",
    "SCENARIO",
]


def build_world(app, factory):
    """Every kind of row a route can name, with the people who may use it: a manager's team with
    a trainee who has a finished attempt, an open one with steps, a knowledge check, an
    assignment and a coaching comment; a trainer, an admin. Returns ids and URL values."""
    from datetime import date, timedelta

    from app.models import CoachingComment, QuizAttempt, User
    from app.services import publishing
    from app.services.assignments import assigning

    publish_course(app)
    manager = factory.user(role="manager")
    team = factory.team(manager=manager)
    trainee = factory.user(team=team)
    trainer, admin = factory.user(role="trainer"), factory.user(role="admin")
    finished = play(app, trainee.id, SCENARIO)
    in_progress = play(app, trainee.id, SCENARIO, finish=False)
    with app.app_context():
        module = next(
            slug
            for slug, v in publishing.published_all("module").items()
            if SCENARIO in publishing.value_of(v).scenarios
        )
    study(app, trainee.id, module, quiz_percent=100)
    with app.app_context():
        quiz = db.session.query(QuizAttempt).filter_by(user_id=trainee.id).one().id
        assignment, _ = assigning.assign(
            db.session.get(User, manager.id),
            "module",
            module,
            team_id=team,
            due_date=date.today() + timedelta(days=30),
        )
        comment = CoachingComment(attempt_id=finished, author_id=manager.id, body="Well read.")
        db.session.add(comment)
        from app.models import Certificate

        certificate = Certificate(
            uuid="5b0c1e2a-4d3f-4a6b-9c8d-7e6f5a4b3c2d",
            user_id=trainee.id,
            course_slug=publishing.course_id(),
            stage_id="qualification",
            stage_title="Qualifying prospects",
            course_title="The course",
            holder_name=trainee.name,
            campaign=1,
            issued_on=date.today(),
            expires_on=date.today() + timedelta(days=365),
            valid_months=12,
            score=90,
            evidence={},
        )
        db.session.add(certificate)
        db.session.commit()
        assignment_id, comment_id, certificate_id = assignment.id, comment.id, certificate.id
        # a boost item from the check, answered once
        from app.models.base import utcnow
        from app.services import boosts, boosts_met

        user, later = db.session.get(User, trainee.id), utcnow() + timedelta(days=30)
        boosts_met.refresh(user, later)
        shown, _today = boosts.next_item(user, later)
        answer, _ = boosts.answer(
            user, shown.item.id, 1, shown.version.id, [str(v) for v in shown.right()], later
        )
        db.session.commit()
        item_id, answer_id = shown.item.id, answer.id
        db.session.remove()
    values = {
        "module_id": module,
        "number": 1,
        "scenario_id": SCENARIO,
        "seq": 1,
        "trainee_id": trainee.id,
        "assignment_id": assignment_id,
        "kind": "scenario",
        "slug": SCENARIO,
        "user_id": trainee.id,
        "team_id": team,
        "filename": "css/site.css",
        "session_id": 1,
        "comment_id": comment_id,
        "name": "content-format",
        "notification_id": 1,
        "message_id": 1,
        "token": "not-a-token",
        "item_id": item_id,
        "answer_id": answer_id,
        "uuid": "5b0c1e2a-4d3f-4a6b-9c8d-7e6f5a4b3c2d",
        "certificate_id": certificate_id,
        "stage_id": "negotiation",
        "language": "fr",
    }
    return {
        "manager": manager,
        "team": team,
        "trainee": trainee,
        "trainer": trainer,
        "admin": admin,
        "finished": finished,
        "open": in_progress,
        "quiz": quiz,
        "module": module,
        "assignment": assignment_id,
        "values": values,
    }


def url_values(world, rule):
    """Real values for a rule's arguments (attempt ids differ between the quiz result and the rest)."""
    values = dict(world["values"])
    values["attempt_id"] = world["quiz"] if rule.endpoint == "learn.check_result" else world["open"]
    if rule.endpoint == "author.republish":
        values["number"] = 1
    return {arg: values[arg] for arg in rule.arguments}


def who_may(endpoint):
    """The role whose user the world has for a route: the trainee for learn, and so on."""
    if endpoint in ("certificates.observe", "certificates.manager_view", "certificates.revoke"):
        return "manager"
    prefix = endpoint.split(".")[0]
    return {"learn": "trainee", "manage": "manager", "author": "trainer", "admin": "admin"}.get(
        prefix, "trainee"
    )
