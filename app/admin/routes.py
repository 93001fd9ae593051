"""Users, teams and the security log. Each view checks its form, calls one account service and
commits; a refusal is shown beside the field it is about."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.admin import bp
from app.admin.forms import EditUserForm, TeamForm, TeamManagerForm, UserForm
from app.auth import session_limits
from app.extensions import db
from app.forms import ActionForm, options, show_error
from app.models import Team, User
from app.models.audit import KINDS
from app.services import accounts, sessions
from app.services import audit_log as audit_log_service


def _index(form=None, team_form=None, query="", page=1, status=200):
    form = form or UserForm(formdata=None)
    form.team_id.choices = options(accounts.team_choices())
    team_form = team_form or TeamForm(formdata=None)
    team_form.manager_id.choices = options(accounts.manager_choices())
    found = accounts.directory(query, page)
    return render_template(
        "admin/index.html",
        users=found.users,
        teams=found.teams,
        sizes=found.team_sizes,
        form=form,
        team_form=team_form,
        query=query,
    ), status


@bp.route("/")
def index():
    return _index(query=request.args.get("q", "").strip(), page=request.args.get("page", 1, type=int))


@bp.route("/users", methods=["POST"])
def create_user():
    form = UserForm()
    form.team_id.choices = options(accounts.team_choices())
    if form.validate_on_submit():
        team = db.session.get(Team, form.team_id.data) if form.team_id.data else None
        try:
            user = accounts.create_user(
                form.email.data,
                form.name.data,
                form.password.data,
                role=form.role.data,
                team=team,
                hire_date=form.hire_date.data,
                by=current_user,
            )
        except accounts.AccountError as error:
            show_error(form, error, "email")
        else:
            flash(_("Account created for %(name)s (%(email)s).", name=user.name, email=user.email), "success")
            return redirect(url_for("admin.index"))
    flash(_("The account was not created: see the form below."), "error")
    return _index(form=form, status=400)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
def edit_user(user_id):
    user = db.get_or_404(User, user_id)
    form = EditUserForm(obj=user if request.method == "GET" else None)
    form.team_id.choices = options(accounts.team_choices())
    if request.method == "GET":
        form.team_id.data = user.team_id or 0
    if form.validate_on_submit():
        myself = user.id == current_user.id
        try:
            accounts.update_user(
                user,
                name=form.name.data,
                email=form.email.data,
                role=form.role.data,
                team_id=form.team_id.data,
                hire_date=form.hire_date.data,
                by=current_user,
            )
        except accounts.AccountError as error:
            show_error(form, error, "email")
        else:
            demoted_myself = myself and not user.is_admin
            flash(_("%(name)s is saved.", name=user.name), "success")
            if demoted_myself:  # the role change ended this session too
                return redirect(url_for("auth.login"))
            return redirect(url_for("admin.edit_user", user_id=user.id))
    status = 400 if form.errors else 200
    return render_template(
        "admin/user.html",
        user=user,
        form=form,
        action=ActionForm(),
        session_count=len(sessions.active_for(user, session_limits())),
    ), status


@bp.route("/users/<int:user_id>/sessions/end", methods=["POST"])
def end_sessions(user_id):
    """Log a user out on every device (a lost laptop, a departure) without deactivating them."""
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    ended = accounts.end_all_sessions(user, by=current_user)
    flash(
        ngettext(
            "%(name)s is logged out everywhere (%(num)d session ended).",
            "%(name)s is logged out everywhere (%(num)d sessions ended).",
            ended,
            name=user.name,
        ),
        "success",
    )
    return redirect(url_for("admin.edit_user", user_id=user.id))


def _set_active(user_id, active):
    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        accounts.set_active(user, active, by=current_user)
    except accounts.AccountError as error:
        flash(str(error), "error")
    else:
        flash(
            _("%(name)s can log in again.", name=user.name)
            if active
            else _(
                "%(name)s is deactivated: their sessions have ended and they cannot log in.", name=user.name
            ),
            "success",
        )
    return redirect(url_for("admin.edit_user", user_id=user_id))


@bp.route("/users/<int:user_id>/deactivate", methods=["POST"])
def deactivate_user(user_id):
    return _set_active(user_id, False)


@bp.route("/users/<int:user_id>/reactivate", methods=["POST"])
def reactivate_user(user_id):
    return _set_active(user_id, True)


@bp.route("/teams", methods=["POST"])
def create_team():
    form = TeamForm()
    form.manager_id.choices = options(accounts.manager_choices())
    if form.validate_on_submit():
        try:
            team = accounts.create_team(form.name.data, manager_id=form.manager_id.data)
        except accounts.AccountError as error:
            show_error(form, error, "name")
        else:
            flash(_("Team %(name)s created.", name=team.name), "success")
            return redirect(url_for("admin.index") + "#teams")
    flash(_("The team was not created: see the form below."), "error")
    return _index(team_form=form, status=400)


@bp.route("/teams/<int:team_id>", methods=["GET", "POST"])
def edit_team(team_id):
    team = db.get_or_404(Team, team_id)
    form = TeamManagerForm()
    form.manager_id.choices = options(accounts.manager_choices())
    if request.method == "GET":
        form.manager_id.data = team.manager_id or 0
    if form.validate_on_submit():
        try:
            manager = accounts.set_team_manager(team, form.manager_id.data)
        except accounts.AccountError as error:
            show_error(form, error, "manager_id")
        else:
            flash(
                _("%(team)s is now managed by %(name)s.", team=team.name, name=manager.name)
                if manager
                else _("%(team)s is now managed by no one.", team=team.name),
                "success",
            )
            return redirect(url_for("admin.edit_team", team_id=team.id))
    return render_template("admin/team.html", team=team, form=form), 400 if form.errors else 200


@bp.route("/audit")
def audit_log():
    filters = audit_log_service.Filters(request.args.get("kind", ""), request.args.get("who", ""))
    events = audit_log_service.page(filters, request.args.get("page", 1, type=int))
    return render_template("admin/audit.html", events=events, filters=filters, kinds=KINDS)


@bp.route("/audit.csv")
def audit_csv():
    filters = audit_log_service.Filters(request.args.get("kind", ""), request.args.get("who", ""))
    return Response(
        audit_log_service.csv_bytes(filters),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="security-log.csv"'},
    )
