"""Data for benchmark B2: a file SQLite database (or DATABASE_URL) with the real course and
scenarios, synthetic published modules up to 60, a team of 500 trainees and one of 10, each
trainee with page views and quizzes over the modules they reached and 20 scenario attempts.

    .venv/bin/python -m bench.b2_generate [--db /tmp/petitspas-b2.db] [--trainees 500] [--small 10]

Rows are written in bulk with SQLAlchemy core inserts. Managers: b2-big@example.com and
b2-small@example.com, password `bench-password-123`."""

import argparse
import os
import random
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select

ROOT = str(Path(__file__).resolve().parents[1])
PASSWORD = "bench-password-123"
MODULES = 60
ATTEMPTS = 20


def synthetic_module(number, stage):
    slug = f"synthetic-{number:02}"
    pages = "\n".join(f"## Page {p}\n\nPractice text {p} for {slug}.\n" for p in range(1, 5))
    return (
        slug,
        f"""---
id: {slug}
title: "Synthetic module {number:02}"
stage: {stage}
minutes: 10
objectives: ["Practise"]
scenarios: []
pass: 70
---

Synthetic module for benchmark B2.

{pages}
## Knowledge check

### Which is right?
- [x] This one
  > Yes.
- [ ] That one
  > No.
""",
    )


def generate(url, trainees=500, small=10, seed=2):
    from flask_migrate import upgrade
    from werkzeug.security import generate_password_hash

    from app import create_app
    from app.extensions import db
    from app.models import AttemptStep, PageView, QuizAttempt, ScenarioAttempt, Team, User
    from app.services import publishing
    from config import DevelopmentConfig

    rng = random.Random(seed)
    app = create_app(DevelopmentConfig, SQLALCHEMY_DATABASE_URI=url)
    with app.app_context():
        upgrade(directory=os.path.join(ROOT, "migrations"))
        if db.session.scalar(select(User.id).where(User.email == "b2-big@example.com")):
            print("B2 data already there:", url)
            return
        publishing.sync_files(ROOT, echo=lambda *a: None)
        course = publishing.published_course("business-relationship")
        real = [publishing.value_of(v) for v in publishing.published_all("module").values()]
        stages = [s.id for s in course.stages]
        for n in range(len(real) + 1, MODULES + 1):
            slug, text = synthetic_module(n, stages[(n - 1) * len(stages) // MODULES])
            publishing.publish_text("module", text, f"courses/business-relationship/{50 + n:02}-{slug}.md")
        db.session.flush()
        modules = [(publishing.value_of(v), v.id) for v in publishing.published_all("module").values()]
        stage_index = {s: i for i, s in enumerate(stages)}
        modules.sort(key=lambda mv: (stage_index[mv[0].stage], mv[0].order, mv[0].id))
        scenarios = [(s, v.id) for s, v in publishing.published_all("scenario").items()]
        print(f"{len(modules)} modules, {len(scenarios)} scenarios published")

        password_hash = generate_password_hash(PASSWORD, method="scrypt")
        now = datetime.utcnow()
        for label, size in (("big", trainees), ("small", small)):
            manager = User(
                email=f"b2-{label}@example.com",
                name=f"B2 {label} manager",
                role="manager",
                password_hash=password_hash,
            )
            db.session.add(manager)
            db.session.flush()
            team = Team(name=f"B2 {label} team", manager_id=manager.id)
            db.session.add(team)
            db.session.flush()
            db.session.execute(
                insert(User),
                [
                    {
                        "email": f"b2-{label}-{i:04}@example.com",
                        "name": f"Rep {label} {i:04}",
                        "role": "trainee",
                        "team_id": team.id,
                        "password_hash": password_hash,
                        "hire_date": date.today() - timedelta(days=rng.randrange(10, 200)),
                        "active": True,
                        "created_at": now,
                    }
                    for i in range(size)
                ],
            )
            ids = db.session.scalars(select(User.id).where(User.team_id == team.id)).all()
            from app.models import Assignment

            db.session.execute(
                insert(Assignment),
                [
                    {
                        "target_kind": "module",
                        "target_slug": modules[k][0].id,
                        "team_id": team.id,
                        "due_days_after_hire": 20 * (k + 1),
                        "assigned_by_id": manager.id,
                        "created_at": now,
                    }
                    for k in range(0, 12, 3)
                ],
            )
            views, quizzes, attempts = [], [], []
            for user_id in ids:
                reach = rng.randrange(0, MODULES + 1)
                for module, version_id in modules[:reach]:
                    when = now - timedelta(days=rng.randrange(1, 120), minutes=rng.randrange(1000))
                    views += [
                        {
                            "user_id": user_id,
                            "module_slug": module.id,
                            "version_id": version_id,
                            "page": p,
                            "viewed_at": when,
                        }
                        for p in range(1, len(module.pages) + 1)
                    ]
                    if module.quiz:
                        for _ in range(rng.choice((1, 1, 2))):
                            percent = rng.choice((50, 70, 80, 100))
                            quizzes.append(
                                {
                                    "user_id": user_id,
                                    "module_slug": module.id,
                                    "version_id": version_id,
                                    "submission": uuid.uuid4().hex,
                                    "answers": {},
                                    "percent": percent,
                                    "passed": percent >= module.pass_percent,
                                    "created_at": when,
                                }
                            )
                for k in range(ATTEMPTS):
                    slug, version_id = scenarios[k % len(scenarios)]
                    when = now - timedelta(days=rng.randrange(1, 120), minutes=rng.randrange(1000))
                    finished = k < ATTEMPTS - len(scenarios) or rng.random() < 0.5
                    percent = rng.randrange(20, 100)
                    attempts.append(
                        {
                            "user_id": user_id,
                            "scenario_slug": slug,
                            "version_id": version_id,
                            "status": "finished" if finished else "in_progress",
                            "current_node": "x",
                            "state": {},
                            "step_count": 8,
                            "percent": percent if finished else None,
                            "passed": percent >= 60 if finished else None,
                            "outcome": "win" if finished else None,
                            "started_at": when,
                            "updated_at": when,
                            "finished_at": when if finished else None,
                        }
                    )
            # at most one attempt in progress per trainee and scenario: the last round stays open
            seen_open = set()
            for row in attempts:
                if row["status"] == "in_progress":
                    key = (row["user_id"], row["scenario_slug"])
                    if key in seen_open:
                        row.update(
                            status="finished",
                            percent=55,
                            passed=False,
                            outcome="loss",
                            finished_at=row["started_at"],
                        )
                    seen_open.add(key)
            for chunk in range(0, len(views), 20000):
                db.session.execute(insert(PageView), views[chunk : chunk + 20000])
            for chunk in range(0, len(quizzes), 20000):
                db.session.execute(insert(QuizAttempt), quizzes[chunk : chunk + 20000])
            for chunk in range(0, len(attempts), 20000):
                db.session.execute(insert(ScenarioAttempt), attempts[chunk : chunk + 20000])
            attempt_ids = db.session.scalars(
                select(ScenarioAttempt.id).where(ScenarioAttempt.user_id.in_(ids))
            ).all()
            steps = [
                {
                    "attempt_id": a,
                    "seq": s,
                    "node": f"n{s}",
                    "choice": s % 3,
                    "choice_label": "x",
                    "effects": {},
                    "skill": ("phase", "pao", "negotiation")[s % 3],
                    "phase": "awareness" if s % 3 == 0 else None,
                    "phase_claimed": rng.choice(("awareness", "discovery")) if s % 3 == 0 else None,
                    "phase_correct": None,
                    "rating": rng.choice(("best", "good", "ok", "poor")),
                    "created_at": now,
                }
                for a in attempt_ids
                for s in range(1, 9)
            ]
            for row in steps:
                if row["phase"]:
                    row["phase_correct"] = row["phase_claimed"] == row["phase"]
            for chunk in range(0, len(steps), 20000):
                db.session.execute(insert(AttemptStep), steps[chunk : chunk + 20000])
            print(
                f"team {label}: {len(ids)} trainees, {len(views)} page views, {len(quizzes)} quizzes, "
                f"{len(attempts)} attempts, {len(steps)} steps"
            )
        db.session.commit()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--db", default="/tmp/petitspas-b2.db", help="SQLite file (ignored when --url is given)"
    )
    parser.add_argument("--url", default=None, help="a database URL instead, e.g. postgresql://...")
    parser.add_argument("--trainees", type=int, default=500)
    parser.add_argument("--small", type=int, default=10)
    args = parser.parse_args()
    from config import normalise_database_url

    url = normalise_database_url(args.url) if args.url else "sqlite:///" + os.path.abspath(args.db)
    generate(url, args.trainees, args.small)


if __name__ == "__main__":
    main()
