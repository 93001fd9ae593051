"""The manager's workspace: team dashboard, assignments, analytics, a trainee's drill-down,
attempt transcripts with coaching comments, CSV exports. Everything is scoped to the teams the
manager manages (services raise NotInScope -> 404); an admin sees every team."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape

from app import formats, i18n
from app.certificates.forms import observation_forms
from app.content.render import render_markdown
from app.forms import ActionForm, options, show_error
from app.manage import bp
from app.manage.forms import AssignForm, ChangeDueForm, CommentForm
from app.reading import reader_language
from app.security import audit
from app.services import (
    boost_reports,
    certification,
    coaching,
    guides,
    observations,
    sheet_analytics,
    team_analytics,
    team_dashboard,
    team_exports,
)
from app.services import comments as comment_service
from app.services import progress as progress_service
from app.services.assignments import assigning, assignment_targets, effective, manager_scope, team_assignments
from app.services.assignments.assigning import AssignmentError
from app.services.assignments.manager_scope import NotInScope


@bp.errorhandler(NotInScope)
def _not_in_scope(_error):
    audit("access-refused", user=current_user)  # another team's record, or a made-up id
    return render_template(
        "errors/error.html",
        code=404,
        title=_("Not found"),
        message=_("There is nothing here, or it belongs to a team you do not manage."),
    ), 404


def _selected_teams():
    """(teams the user manages, the team chosen by ?team=, the ids to report on)."""
    teams = manager_scope.managed_teams(current_user)
    raw = request.args.get("team", "")
    if raw:
        if not raw.isdigit():
            raise NotInScope("team")
        chosen = next((t for t in teams if t.id == int(raw)), None)
        if chosen is None:
            raise NotInScope("team")
        return teams, chosen, {chosen.id}
    return teams, None, {t.id for t in teams}


def _today():
    return formats.today()


def _per_page():
    return current_app.config.get("PAGE_SIZE", 50)


@bp.route("/")
def dashboard():
    teams, team, team_ids = _selected_teams()
    sort = request.args.get("sort", "attention")
    sort = sort if sort in team_dashboard.SORTS else "attention"
    descending = request.args.get("order") == "desc"
    page_number = request.args.get("page", 1, type=int) or 1
    page, outline, summary = team_dashboard.dashboard(
        team_ids, sort, descending, page_number, _per_page(), today=_today(), language=reader_language()
    )
    return render_template(
        "manage/dashboard.html",
        teams=teams,
        team=team,
        page=page,
        outline=outline,
        summary=summary,
        sort=sort,
        descending=descending,
        today=_today(),
        boosts_kept=boost_reports.kept_up([row.id for row in page.items]),
        team_certs=certification.team_certificates([row.id for row in page.items], _today()),
    )


# --- assignments --------------------------------------------------------------------------------


def _assign_form(teams, team_ids, form=None, trainee=None):
    form = form or AssignForm()
    targets = assignment_targets.assignable_targets(reader_language())
    form.target.choices = options(
        [("", _("Choose…"))]
        + [
            (f"{kind}:{slug}", f"{assignment_targets.KIND_LABELS[kind]}: {title}")
            for kind, slug, title in targets
        ]
    )
    people = manager_scope.assignable_trainees(team_ids)
    names = {t.id: t.name for t in teams}
    form.assignee.choices = options(
        [("", _("Choose…"))]
        + [(f"team:{t.id}", _("Whole team: %(team)s", team=t.name)) for t in teams if t.id in team_ids]
        + [(f"user:{uid}", f"{name} ({names.get(tid, '')})") for uid, name, tid in people]
    )
    if trainee is not None and not form.assignee.data:
        form.assignee.data = f"user:{trainee.id}"
    return form


@bp.route("/assignments")
def assignments():
    teams, team, team_ids = _selected_teams()
    form = _assign_form(teams, team_ids)
    return _assignments_page(teams, team, team_ids, form)


def _assignments_page(teams, team, team_ids, form, status=200, refused=None):
    active = team_assignments.active_for_teams(team_ids)
    titles = {(k, s): t for k, s, t in assignment_targets.assignable_targets(reader_language())}
    return render_template(
        "manage/assignments.html",
        teams=teams,
        team=team,
        form=form,
        active=active,
        titles=titles,
        change_form=ChangeDueForm(formdata=None),
        action=ActionForm(),
        labels=assignment_targets.KIND_LABELS,
        refused=refused,
        undo=_undo_offer(),
    ), status


def _parse_pair(value, kinds):
    kind, _sep, rest = (value or "").partition(":")
    if kind not in kinds or not rest:
        return None, None
    return kind, rest


@bp.route("/assignments", methods=["POST"])
def create_assignment():
    teams, team, team_ids = _selected_teams()
    form = _assign_form(teams, team_ids, AssignForm())
    back = request.args.get("back", "")
    if form.validate_on_submit():
        due = form.due_values()
        kind, slug = _parse_pair(form.target.data, assignment_targets.TARGET_KINDS)
        who, who_id = _parse_pair(form.assignee.data, ("team", "user"))
        if kind is None:
            form.target.errors.append(_("Choose a course, a module or a scenario from the list."))
        elif who is None or not who_id.isdigit():
            form.assignee.errors.append(_("Choose a trainee or a team from the list."))
        elif due is not None:
            try:
                assignment, created = assigning.assign(
                    current_user,
                    kind,
                    slug,
                    trainee_id=int(who_id) if who == "user" else None,
                    team_id=int(who_id) if who == "team" else None,
                    due_date=due[0],
                    due_days_after_hire=due[1],
                    today=_today(),
                )
            except NotInScope:
                abort(404)
            except AssignmentError as error:
                show_error(form, error, "due_date")
            else:
                flash(_("Assigned.") if created else _("Already assigned: due date updated."), "success")
                if back.isdigit():
                    return redirect(url_for("manage.trainee", trainee_id=int(back)))
                return redirect(url_for("manage.assignments", **({"team": team.id} if team else {})))
    flash(_("Nothing was assigned: see the form below."), "error")
    if back.isdigit():
        return _trainee_page(manager_scope.trainee_in_scope(current_user, int(back)), form=form, status=400)
    return _assignments_page(teams, team, team_ids, form, 400)


@bp.route("/assignments/<int:assignment_id>", methods=["POST"])
def change_assignment(assignment_id):
    assignment = manager_scope.assignment_in_scope(current_user, assignment_id)
    form = ChangeDueForm()
    if form.validate_on_submit():
        due = form.due_values()
        if due is not None:
            try:
                assigning.change_due(
                    current_user, assignment.id, due_date=due[0], due_days_after_hire=due[1], today=_today()
                )
            except AssignmentError as error:
                show_error(form, error, "due_date")
            else:
                flash(_("Due date changed."), "success")
                return redirect(_back_to(assignment))
    # Shown again with the message beside the field, the dates as typed, nothing written.
    flash(_("The due date was not changed: see the assignment below."), "error")
    refused = {"id": assignment.id, "form": form}
    back = request.args.get("back", "")
    if back.isdigit():
        return _trainee_page(
            manager_scope.trainee_in_scope(current_user, int(back)), refused=refused, status=400
        )
    teams, team, team_ids = _selected_teams()
    return _assignments_page(
        teams, team, team_ids, _assign_form(teams, team_ids, AssignForm(formdata=None)), 400, refused=refused
    )


@bp.route("/assignments/<int:assignment_id>/cancel", methods=["GET", "POST"])
def cancel_assignment(assignment_id):
    """GET asks for confirmation (a page, so it works without JavaScript); POST cancels and
    offers an Undo on the page it returns to."""
    assignment = manager_scope.assignment_in_scope(current_user, assignment_id)
    back = _back_to(assignment)
    if request.method == "GET":
        return render_template(
            "manage/cancel.html",
            a=assignment,
            back=back,
            action=ActionForm(),
            title=assignment_targets.target_title(assignment.target_kind, assignment.target_slug),
            labels=assignment_targets.KIND_LABELS,
        )
    if not ActionForm().validate_on_submit():
        abort(400)
    assigning.cancel(current_user, assignment.id)
    session["undo_assignment"] = assignment.id
    flash(_("Assignment cancelled."), "success")
    return redirect(back)


@bp.route("/assignments/<int:assignment_id>/undo", methods=["POST"])
def undo_cancel(assignment_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    assignment, created = assigning.undo_cancel(current_user, assignment_id)
    session.pop("undo_assignment", None)
    flash(
        _("Cancellation undone: the work is assigned again.")
        if created
        else _("That work is assigned already."),
        "success",
    )
    return redirect(_back_to(assignment))


def _undo_offer():
    """The assignment just cancelled, for the Undo beside the confirmation; once only."""
    assignment_id = session.pop("undo_assignment", None)
    try:
        return manager_scope.cancelled_in_scope(current_user, assignment_id)
    except NotInScope:
        return None


def _back_to(assignment):
    back = request.args.get("back", "")
    if back.isdigit():
        return url_for("manage.trainee", trainee_id=int(back))
    return url_for("manage.assignments", **({"team": assignment.team_id} if assignment.team_id else {}))


# --- analytics ------------------------------------------------------------------------------------


@bp.route("/analytics")
def analytics():
    teams, team, team_ids = _selected_teams()
    scenario = request.args.get("scenario") or None
    titles = {
        slug: title
        for kind, slug, title in assignment_targets.assignable_targets(reader_language())
        if kind == "scenario"
    }
    if scenario is not None and scenario not in titles:
        abort(404)
    choices, wrong = team_analytics.choice_analytics(team_ids, scenario, language=reader_language())
    counts = team_analytics.step_counts(team_ids, scenario)  # read once for the two reports
    return render_template(
        "manage/analytics.html",
        teams=teams,
        team=team,
        scenario=scenario,
        titles=titles,
        choices=choices,
        wrong=wrong[:12],
        matrix=team_analytics.phase_matrix(team_ids, scenario, language=reader_language(), counts=counts),
        signal_rows=team_analytics.signal_readings(team_ids, scenario, language=reader_language())[:15],
        skills=team_analytics.skill_scores(team_ids, scenario, counts=counts),
        scenario_scores=team_analytics.scenario_scores(team_ids) if scenario is None else [],
        coaching=coaching.coaching_list(team_ids, scenario),
        figures=sheet_analytics.figure_spread(team_ids, scenario, language=reader_language()),
        coach_below=coaching.COACH_BELOW,
        coach_min=coaching.COACH_MIN_CHOICES,
        **_retention(team_ids),
    )


def _retention(team_ids):
    chart, rows = boost_reports.retention_chart(team_ids, language=reader_language())
    return {"retention_chart": chart, "retention_rows": rows, "retention_kept": boost_reports.KEPT}


@bp.app_template_global()
def attempt_links(attempts):
    """'<a href="/manage/attempts/12">attempt #12</a>, <a ...>attempt #9</a>': the attempts that
    show a weakness in a coaching entry (_coaching.html). Written here, not by the template:
    analytics shows up to three for each skill and phase of each trainee, a thousand links on a
    team's page, and each link written by Jinja took a url_for and a message through its calls
    (about 25 ms a page)."""
    href = current_app.jinja_env.globals["url_for"]  # the templates' own, which keeps each address
    word = i18n.gettext("attempt #%(number)s")  # markup, as the templates' _() takes a message
    return Markup(
        ", ".join(
            f'<a href="{escape(href("manage.attempt", attempt_id=n))}">{word % {"number": n}}</a>'
            for n in (int(a["id"]) for a in attempts)
        )
    )


# --- one trainee ----------------------------------------------------------------------------------


@bp.route("/trainees/<int:trainee_id>")
def trainee(trainee_id):
    return _trainee_page(manager_scope.trainee_in_scope(current_user, trainee_id))


def _trainee_page(person, form=None, refused=None, status=200):
    teams = manager_scope.managed_teams(current_user)
    form = _assign_form(teams, {person.team_id}, form or AssignForm(formdata=None), trainee=person)
    own = team_assignments.own_assignments(person)
    return render_template(
        "manage/trainee.html",
        trainee=person,
        form=form,
        rows={a.id: a for a in own},
        assignments=effective.effective_assignments(person, language=reader_language()),
        progress=progress_service.progress_of(person.id),
        attempts=coaching.trainee_attempts(person.id),
        quizzes=coaching.trainee_quizzes(person.id),
        titles={(k, s): t for k, s, t in assignment_targets.assignable_targets(reader_language())},
        coaching=coaching.coaching_list({person.team_id}, trainee_id=person.id),
        change_form=ChangeDueForm(formdata=None),
        action=ActionForm(),
        today=_today(),
        refused=refused,
        undo=_undo_offer(),
        boosts_kept=boost_reports.kept_up([person.id], fold=True)[person.id],
        cert_stages=certification.stage_certificates(person, _today(), language=reader_language()),
        observed=observations.of_trainee(person.id),
        observe_forms=observation_forms(),
    ), status


def _attempt_page(found, form=None, editing=None, status=200):
    """The transcript with its comments; `editing` (comment id, form) re-shows a refused edit."""
    return render_template(
        "manage/attempt.html",
        attempt=found,
        trainee=found.user,
        transcript=coaching.transcript(found),
        comments=comment_service.of_attempt(found.id),
        where_seen=comment_service.where_seen(found, found.user.name),
        form=form or CommentForm(formdata=None),
        editing=editing,
        action=ActionForm(),
        comment_form=lambda c: CommentForm(formdata=None, prefix=f"c{c.id}", body=c.body),
    ), status


@bp.route("/attempts/<int:attempt_id>")
def attempt(attempt_id):
    return _attempt_page(coaching.attempt_in_scope(current_user, attempt_id))


@bp.route("/attempts/<int:attempt_id>/comments", methods=["POST"])
def comment(attempt_id):
    found = coaching.attempt_in_scope(current_user, attempt_id)
    form = CommentForm()
    if form.validate_on_submit():
        try:
            _comment, created = comment_service.add(current_user, found.id, form.body.data)
        except AssignmentError as error:
            show_error(form, error, "body")
        else:
            flash(
                (_("Comment sent.") + " " + comment_service.where_seen(found, found.user.name))
                if created
                else _("That comment is already there."),
                "success",
            )
            return redirect(url_for("manage.attempt", attempt_id=found.id) + "#comments")
    flash(_("The comment was not saved: see below."), "error")
    return _attempt_page(found, form=form, status=400)


@bp.route("/comments/<int:comment_id>", methods=["POST"])
def edit_comment(comment_id):
    found = comment_service.own_comment(current_user, comment_id)
    form = CommentForm(prefix=f"c{comment_id}")
    if form.validate_on_submit():
        try:
            comment_service.edit(current_user, found.id, form.body.data)
        except AssignmentError as error:
            show_error(form, error, "body")
        else:
            flash(_("Comment updated: it shows as new to the trainee again."), "success")
            return redirect(url_for("manage.attempt", attempt_id=found.attempt_id) + f"#comment-{found.id}")
    flash(_("The comment was not changed: see below."), "error")
    return _attempt_page(found.attempt, editing=(found.id, form), status=400)


@bp.route("/comments/<int:comment_id>/delete", methods=["POST"])
def delete_comment(comment_id):
    if not ActionForm().validate_on_submit():
        abort(400)
    attempt_id = comment_service.delete(current_user, comment_id)
    flash(_("Comment deleted."), "success")
    return redirect(url_for("manage.attempt", attempt_id=attempt_id) + "#comments")


# --- exports --------------------------------------------------------------------------------------


def _csv_response(data, name):
    return Response(
        data,
        mimetype="text/csv",  # Flask adds "; charset=utf-8" once
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/export/progress.csv")
def export_progress():
    _teams, team, team_ids = _selected_teams()
    return _csv_response(team_exports.progress_csv(team_ids), f"team-progress-{_today().isoformat()}.csv")


@bp.route("/export/attempts.csv")
def export_attempts():
    _teams, team, team_ids = _selected_teams()
    return _csv_response(team_exports.attempts_csv(team_ids), f"team-attempts-{_today().isoformat()}.csv")


# --- the manager's guide --------------------------------------------------------------------------


@bp.route("/guide")
def guide():
    """docs/managers-guide.md, the one text of the guide, shown to managers in the app in their
    language when it is written (docs/fr/...), else in English."""
    guide = guides.read_guide(guides.MANAGERS_GUIDE, reader_language())
    if guide is None:
        abort(404)
    return render_template(
        "manage/guide.html", guide=Markup(render_markdown(guide.text)), guide_language=guide.language
    )
