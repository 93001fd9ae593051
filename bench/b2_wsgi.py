"""The app for benchmark B2 under gunicorn, plus its reference route: the team's learning
records folded per trainee by one SQL aggregate, with the same login and session as the page."""

from flask import abort
from flask_login import current_user, login_required
from sqlalchemy import func, select, union_all

from app import create_app
from app.extensions import db
from app.models import PageView, QuizAttempt, ScenarioAttempt, Team, User

app = create_app()


@app.route("/bench/aggregate")
@login_required
def bare_aggregate():
    if current_user.role not in ("manager", "admin"):
        abort(403)
    team_ids = select(Team.id).where(Team.manager_id == current_user.id)
    trainees = select(User.id).where(User.team_id.in_(team_ids), User.role == "trainee", User.active)
    union = union_all(
        select(PageView.user_id.label("u"), func.count().label("n"))
        .where(PageView.user_id.in_(trainees))
        .group_by(PageView.user_id),
        select(QuizAttempt.user_id, func.count())
        .where(QuizAttempt.user_id.in_(trainees))
        .group_by(QuizAttempt.user_id),
        select(ScenarioAttempt.user_id, func.count())
        .where(ScenarioAttempt.user_id.in_(trainees))
        .group_by(ScenarioAttempt.user_id),
    ).subquery()
    rows = db.session.execute(select(union.c.u, func.sum(union.c.n)).group_by(union.c.u)).all()
    return {str(u): int(n) for u, n in rows}
