from flask import abort, flash, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.admin import bp
from app.admin.forms import ActionForm, EditUserForm, TeamForm, TeamManagerForm, UserForm
from app.extensions import db
from app.models import AuditEvent, Team, User
from app.auth import session_limits
from app.services import accounts, sessions


def _team_choices():
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    return [(0, "No team")] + [(t.id, t.name) for t in teams]


def _manager_choices():
    managers = db.session.scalars(select(User).where(User.role.in_(["manager", "admin"]), User.active)
                                  .order_by(User.name)).all()
    return [(0, "No manager")] + [(u.id, f"{u.name} ({u.email})") for u in managers]


def _valid_choice(field):
    return field.data in {value for value, _ in field.choices}


@bp.route("/")
def index():
    page = max(request.args.get("page", 1, type=int), 1)
    query = request.args.get("q", "").strip()
    stmt = select(User).order_by(User.name)
    if query:
        like = f"%{query.lower()}%"
        stmt = stmt.where(func.lower(User.name).like(like) | User.email.like(like))
    users = db.paginate(stmt.options(db.joinedload(User.team)), page=page, per_page=50, error_out=False)
    teams = db.session.scalars(select(Team).options(db.joinedload(Team.manager)).order_by(Team.name)).all()
    sizes = dict(db.session.execute(select(User.team_id, func.count()).group_by(User.team_id)).all())
    form = UserForm()
    form.team_id.choices = _team_choices()
    team_form = TeamForm()
    team_form.manager_id.choices = _manager_choices()
    return render_template("admin/index.html", users=users, teams=teams, sizes=sizes, form=form,
                           team_form=team_form, action=ActionForm(), query=query)


@bp.route("/users", methods=["POST"])
def create_user():
    form = UserForm()
    form.team_id.choices = _team_choices()
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
        try:
            user = accounts.create_user(form.email.data, form.name.data, form.password.data,
                                        role=form.role.data, team=team, hire_date=form.hire_date.data)
        except accounts.AccountError as error:
            getattr(form, error.field or "email").errors.append(str(error))
        else:
            db.session.commit()
            flash(f"Account created for {user.name} ({user.email}).", "success")
            return redirect(url_for("admin.index"))
    flash("The account was not created: see the form below.", "error")
    team_form = TeamForm()
    team_form.manager_id.choices = _manager_choices()
    users = db.paginate(select(User).order_by(User.name), page=1, per_page=50, error_out=False)
    teams = db.session.scalars(select(Team).order_by(Team.name)).all()
    sizes = dict(db.session.execute(select(User.team_id, func.count()).group_by(User.team_id)).all())
    return render_template("admin/index.html", users=users, teams=teams, sizes=sizes, form=form,
                           team_form=team_form, action=ActionForm(), query=""), 400


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    form.team_id.choices = _team_choices()
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
    if form.validate_on_submit():
        if not _valid_choice(form.team_id):
            form.team_id.errors.append("Choose a team from the list.")
        else:
            try:
                accounts.set_role(user, form.role.data)
            except accounts.AccountError as error:
                form.role.errors.append(str(error))
            else:
                user.team_id = form.team_id.data or None
                user.hire_date = form.hire_date.data
                db.session.commit()
                flash(f"{user.name} is saved.", "success")
                return redirect(url_for("admin.edit_user", user_id=user.id))
    return render_template("admin/user.html", user=user, form=form, action=ActionForm(),
                           session_count=len(sessions.active_for(user, session_limits())))


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
def end_sessions(user_id):
    """Log a user out on every device (a lost laptop, a departure) without deactivating them."""
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ended = accounts.end_all_sessions(user)
    db.session.commit()
    flash(f"{user.name} is logged out everywhere ({ended} session{'s' if ended != 1 else ''} ended).", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/users/<int:user_id>/active", methods=["POST"])
def toggle_active(user_id):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    from flask_login import current_user
    if user.id == current_user.id:
        flash("You cannot deactivate your own account.", "error")
        return redirect(url_for("admin.edit_user", user_id=user.id))
    accounts.set_active(user, not user.active)
    db.session.commit()
    flash(f"{user.name} is {'active' if user.active else 'deactivated; their sessions have ended'}.", "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))


@bp.route("/teams", methods=["POST"])
def create_team():
    form = TeamForm()
    form.manager_id.choices = _manager_choices()
    if form.validate_on_submit():
        manager = db.session.get(User, form.manager_id.data) if form.manager_id.data else None
        try:
            team = accounts.create_team(form.name.data, manager)
        except accounts.AccountError as error:
            flash(str(error), "error")
        else:
            db.session.commit()
            flash(f"Team {team.name} created.", "success")
    else:
        flash("The team was not created: " + "; ".join(e for errs in form.errors.values() for e in errs), "error")
    return redirect(url_for("admin.index") + "#teams")


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id):
    team = db.get_or_404(Team, team_id)
    form = TeamManagerForm()
    form.manager_id.choices = _manager_choices()
    if request.method == "GET":
        form.manager_id.data = team.manager_id or 0
    if form.validate_on_submit():
        manager = db.session.get(User, form.manager_id.data) if form.manager_id.data else None
        team.manager = manager
        db.session.commit()
        flash(f"{team.name} is now managed by {manager.name if manager else 'no one'}.", "success")
        return redirect(url_for("admin.edit_team", team_id=team.id))
    return render_template("admin/team.html", team=team, form=form)


@bp.route("/audit")
def audit_log():
    page = max(request.args.get("page", 1, type=int), 1)
    events = db.paginate(select(AuditEvent).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc()),
                         page=page, per_page=100, error_out=False)
    return render_template("admin/audit.html", events=events)
