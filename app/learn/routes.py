"""The trainee's pages: dashboard, lesson reader, knowledge checks, scenario player, progress.

Views validate, call one service and redirect (POST/redirect/GET; the request boundary
commits), except a scenario step, the page trainees use most: it answers with its feedback page
and that page's address in one round trip (see step()). Author text is always rendered through
the content core's sanitizing renderer (`md`, `md_inline`)."""

from types import SimpleNamespace

from flask import abort, flash, get_template_attribute, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup

from app import sheet_words, vocabulary
from app.content import engine, hindsight, labels
from app.content.render import render_inline, render_interpolated
from app.forms import ActionForm, picked_items
from app.learn import bp
from app.learn.forms import answers_of, quiz_form_for, step_posted
from app.reading import reader_language
from app.security import audit, seal, unseal
from app.services import (
    boosts,
    boosts_met,
    certification,
    charts,
    publishing,
    replays,
    signal_picks,
    stages,
    translations,
)
from app.services import comments as comment_service
from app.services.assignments import assignment_targets, effective
from app.services.learning import (
    knowledge_checks,
    lessons,
    published,
    refusals,
    role_play_steps,
    role_plays,
    stage_locks,
    trainee_progress,
    welcome,
)


def _num(value):
    return engine.show(round(value, 1)) if isinstance(value, float) else engine.show(value)


@bp.context_processor
def _helpers():
    return {"num": _num}


def _not_found(fn, *args):
    try:
        return fn(*args)
    except refusals.NotYours:
        # another trainee's record, reached by changing an id: refused like any other, and logged
        audit("access-refused", user=current_user)
        abort(404)
    except refusals.NotFound:
        abort(404)


def _phase_titles(course_id=None, language=None):
    """Phase titles of a course (a scenario's own), else of the published course, in `language`
    (an attempt's, else the reader's)."""
    course = translations.localized_course(course_id or publishing.course_id(), language or reader_language())
    return {p.id: p.title for p in course.phases} if course else {}


# --- dashboard -----------------------------------------------------------------------------


def _rendered_once(template, name, key):
    """A macro of `template` rendered once per `key(row)`: the dashboard and My progress show the
    same badge or due date on most rows (a team's work given at once, 27 rows in the capacity
    benchmark), and each macro call costs a new context."""
    macro = get_template_attribute(template, name)
    shown = {}

    def render(row):
        k = key(row)
        if k not in shown:
            shown[k] = macro(row)
        return shown[k]

    return render


def _assigned_badges():
    """_learn.html's `assigned` badge, once per due date and lateness."""
    return _rendered_once("learn/_learn.html", "assigned", lambda a: (a.overdue, a.due))


@bp.route("/")
def dashboard():
    progress = trainee_progress.progress_of(current_user, reader_language())
    titles = published.scenario_titles(reader_language())
    best = role_plays.best_scores(current_user)
    assigned = effective.effective_assignments(
        current_user, progress=progress, language=reader_language(), best=best
    )
    open_attempts = role_plays.open_attempts(current_user)
    next_module = progress.next_module() if progress else None
    next_step = trainee_progress.next_step_in(next_module, titles) if next_module else None
    boosts_met.refresh(current_user)
    return render_template(
        "learn/dashboard.html",
        progress=progress,
        boost=boosts.today(current_user),
        assigned=assigned,
        titles=titles,
        stage_rows=stages.stage_rows(progress, assigned, best, titles),
        welcome=welcome.first_visit(current_user, progress, open_attempts),
        welcome_form=ActionForm(),
        open_attempts=open_attempts,
        next_step=next_step,
        certificates=certification.held(current_user),
        unread_comments=comment_service.unread_count(current_user),
        # what a module row shows: the next step of a module started and not complete
        next_steps={
            m.id: trainee_progress.next_step_in(m, titles)
            for s in (progress.stages if progress else [])
            for m in s.modules
            if m.started and not m.complete
        },
        assigned_badge=_assigned_badges(),
        # each kind's label looked up once, not once a row (EffectiveAssignment.kind_label)
        kind_labels={kind: assignment_targets.kind_label(kind) for kind in assignment_targets.TARGET_KINDS},
        # an assignment's due date as its row shows it, once per due date (most rows share one)
        due_of=_rendered_once("learn/_dashboard.html", "due", lambda a: (a.done, a.overdue, a.due)),
    )


@bp.route("/welcome", methods=["POST"])
def dismiss_welcome():
    if ActionForm().validate():
        welcome.dismiss_welcome(current_user)
    return redirect(url_for(".dashboard"), 303)


# --- modules and lessons -------------------------------------------------------------------


def _module_context(module_id):
    version, module = _not_found(published.published_module, module_id, reader_language())
    progress = trainee_progress.progress_of(current_user, reader_language())
    access = stage_locks.access_to(current_user, progress, module.stage, module_id=module_id)
    mp = progress.module(module_id) if progress else None
    return version, module, progress, access, mp


def _locked(progress, access, what):
    return render_template("learn/locked.html", progress=progress, access=access, what=what)


@bp.route("/modules/<module_id>")
def module(module_id):
    version, module, progress, access, mp = _module_context(module_id)
    if not access.open:
        return _locked(progress, access, module.title)
    titles = published.scenario_titles(reader_language())
    seen = lessons.pages_seen(current_user, module_id)
    best = role_plays.best_scores(current_user)
    return render_template(
        "learn/module.html",
        module=module,
        mp=mp,
        access=access,
        seen=seen,
        titles=titles,
        best=best,
        stage=access.stage,
        history=knowledge_checks.quiz_history(current_user, module_id),
        next_step=trainee_progress.next_step_in(mp, titles) if mp else None,
        first_unseen=next((n for n in range(1, len(module.pages) + 1) if n not in seen), 1),
    )


@bp.route("/modules/<module_id>/pages/<int:number>")
def lesson_page(module_id, number):
    version, module, progress, access, mp = _module_context(module_id)
    if not access.open:
        return _locked(progress, access, module.title)
    if not 1 <= number <= len(module.pages):
        abort(404)
    seen = lessons.open_page(current_user, version, number)
    return render_template(
        "learn/page.html",
        module=module,
        page=module.pages[number - 1],
        number=number,
        total=len(module.pages),
        seen=seen,
    )


@bp.route("/modules/<module_id>/check", methods=["GET", "POST"])
def knowledge_check(module_id):
    version, module, progress, access, mp = _module_context(module_id)
    if not access.open:
        return _locked(progress, access, module.title)
    if not module.quiz:
        abort(404)
    pause = None
    if request.method == "POST":
        submission = (request.form.get("submission") or "")[:64] or knowledge_checks.new_submission_token()
        # Graded against the version the form showed: its id comes back sealed with the form's
        # submission token; a version named any other way is not believed (the published one is).
        version_id = unseal(request.form.get("version_id"), "quiz-version", submission)
        version, module = knowledge_checks.module_version(module_id, version_id or 0, reader_language())
        form = quiz_form_for(module, knowledge_checks.drawn(module, submission), formdata=request.form)
        form.submission.data = submission
        if form.validate():
            try:
                attempt, _created = knowledge_checks.submit_quiz(
                    current_user, module_id, version, submission, answers_of(form), language=reader_language()
                )
            except refusals.NotFound:
                abort(404)
            except refusals.Refused:  # the pause after two failed tries: the page says why
                return redirect(url_for(".knowledge_check", module_id=module_id), 303)
            return redirect(url_for(".check_result", module_id=module_id, attempt_id=attempt.id), 303)
        if "csrf_token" in form.errors or "submission" in form.errors:
            flash(
                _("This form was open too long. Your answers are still here: check them and submit again."),
                "error",
            )
        else:
            flash(_("Answer every question, then check your answers."), "error")
    else:
        pause = knowledge_checks.retry_pause(current_user, module_id, module)
        submission = knowledge_checks.new_submission_token()
        form = quiz_form_for(module, knowledge_checks.drawn(module, submission))
        form.submission.data = submission
        form.version_id.data = seal(version.id, "quiz-version", submission)
    return render_template(
        "learn/check.html",
        module=module,
        form=form,
        mp=mp,
        pause=pause,
        pause_message=knowledge_checks.pause_message(pause) if pause else None,
        asked_count=len(form.asked),
        pool=len(module.quiz),
    )


@bp.route("/modules/<module_id>/check/<int:attempt_id>")
def check_result(module_id, attempt_id):
    attempt = _not_found(knowledge_checks.own_quiz_attempt, current_user, attempt_id)
    if attempt.module_slug != module_id:
        abort(404)
    module = knowledge_checks.quiz_module(attempt)
    percent, passed, results = knowledge_checks.grade(module, attempt.answers, attempt.shown)
    progress = trainee_progress.progress_of(current_user, reader_language())
    mp = progress.module(module_id) if progress else None
    titles = published.scenario_titles(reader_language())
    # The right answers stay hidden until the check is passed: a failed try shows what was
    # wrong and why, and the next try has to be thought through, not copied.
    revealed = attempt.passed or knowledge_checks.quiz_passed(current_user, module_id)
    reread = [] if attempt.passed else knowledge_checks.pages_to_reread(module, attempt, asked=module)
    return render_template(
        "learn/check_result.html",
        module=module,
        attempt=attempt,
        results=results,
        mp=mp,
        revealed=revealed,
        reread=reread,
        next_step=trainee_progress.next_step_in(mp, titles) if mp else None,
    )


# --- scenarios -----------------------------------------------------------------------------


def _scenario_module(progress, scenario_id):
    """The first module that lists the role-play, from a progress already read."""
    for stage in progress.stages if progress else []:
        for m in stage.modules:
            if scenario_id in m.scenarios:
                return m
    return None


@bp.route("/scenarios/<scenario_id>")
def scenario(scenario_id):
    version, scenario = _not_found(published.published_scenario, scenario_id, reader_language())
    progress = trainee_progress.progress_of(current_user, reader_language())
    access = stage_locks.access_to(current_user, progress, scenario.stage, scenario_id=scenario_id)
    if not access.open:
        return _locked(progress, access, scenario.title)
    attempts = role_plays.attempts_of(current_user, scenario_id)
    open_attempt = next(
        (a for a in attempts if a.status == "in_progress" and a.mode == role_plays.PRACTICE), None
    )
    open_challenge = next(
        (a for a in attempts if a.status == "in_progress" and a.mode == role_plays.CHALLENGE), None
    )
    finished = [a for a in attempts if a.status == "finished"]
    return render_template(
        "learn/scenario.html",
        scenario=scenario,
        open_attempt=open_attempt,
        open_challenge=open_challenge,
        finished=finished,
        best=max((a.percent or 0 for a in finished), default=None),
        module=_scenario_module(progress, scenario_id),
    )


@bp.route("/scenarios/<scenario_id>/start", methods=["POST"])
def start_scenario(scenario_id):
    """Start the role-play, or resume the open one, and answer with its first page in the same
    response (its address in Content-Location, like a step): one round trip, and a reload or a
    second click resumes the same attempt."""
    form = ActionForm()
    if not form.validate():
        flash(_("That form expired; press the button again."), "error")
        return redirect(url_for(".scenario", scenario_id=scenario_id), 303)
    mode = (request.form.get("mode") or role_plays.PRACTICE)[:16]
    # An attempt in progress was open when it started: resuming it needs no lock check.
    attempt = role_plays.open_attempt(current_user, scenario_id, mode) if mode in role_plays.MODES else None
    if attempt is None:
        # the source version: its stage is all the lock needs (start_attempt picks the translation)
        version, scenario = _not_found(published.published_scenario, scenario_id)
        if not stage_locks.may_start(
            current_user, scenario.stage, scenario_id, lambda: trainee_progress.progress_of(current_user)
        ):
            flash(_("This role-play is not open yet."), "error")
            return redirect(url_for(".scenario", scenario_id=scenario_id), 303)
        try:
            attempt, _created = role_plays.start_attempt(
                current_user,
                scenario_id,
                mode,
                reader_language(),
                version=version,
                none_open=mode in role_plays.MODES,
            )
        except refusals.Refused as refusal:
            flash(str(refusal), "error")
            return redirect(url_for(".scenario", scenario_id=scenario_id), 303)
    address = url_for(".player", attempt_id=attempt.id)
    return _player_page(attempt, address), 200, {"Content-Location": address}


@bp.route("/attempts/<int:attempt_id>/start-over", methods=["POST"])
def start_over(attempt_id):
    form = ActionForm()
    attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
    slug = attempt.scenario_slug
    if not form.validate():
        flash(_("That form expired; press the button again."), "error")
        return redirect(url_for(".scenario", scenario_id=slug), 303)
    try:
        fresh = role_plays.start_over(current_user, attempt_id)
    except (refusals.Refused, refusals.NotFound) as refusal:
        flash(
            str(refusal)
            if isinstance(refusal, refusals.Refused)
            else _("This role-play is no longer published, so it cannot be started again."),
            "error",
        )
        return redirect(url_for(".scenario", scenario_id=slug), 303)
    flash(_("A fresh start: your earlier steps stay in your history."), "success")
    return redirect(url_for(".player", attempt_id=fresh.id), 303)


@bp.route("/attempts/<int:attempt_id>/steps/<int:seq>/try-again", methods=["POST"])
def try_again(attempt_id, seq):
    """Try again from a step of a finished attempt's debrief: a practice replay that starts there."""
    form = ActionForm()
    attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
    if not form.validate():
        flash(_("That form expired; press the button again."), "error")
        return redirect(url_for(".player", attempt_id=attempt.id), 303)
    try:
        replay = replays.start_from_step(current_user, attempt_id, seq)
    except refusals.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".player", attempt_id=attempt.id), 303)
    if replay.created:
        flash(
            _(
                "Practice from step %(seq)s: the conversation up to there is as you played it. A replay is "
                "practice; it does not count as passing the role-play.",
                seq=seq,
            ),
            "success",
        )
    return redirect(url_for(".player", attempt_id=replay.attempt.id), 303)


def _board(scenario, state, limits=None):
    """Score meters and the negotiation ledger for a state; `limits`: the walk-away of each
    concession (engine.walkaways_shown: the figure the rep wrote on a sheet, else the file's,
    unless a sheet still to write asks for it). Each row's label and figures come as shown
    (dim_label, num), made here once rather than by the template for each use; rows are
    objects, not dicts (Jinja looks an attribute up on the object first: a dict's key was found
    after an AttributeError, a dozen a row). A score row's `delta` is 0 unless a step's
    feedback sets it."""
    scores = []
    for dim in scenario.scores:
        value = state["scores"].get(dim.name, dim.start)
        span = (dim.max - dim.min) or 1
        scores.append(
            SimpleNamespace(
                name=dim.name,
                label=labels.name_label(scenario, dim.name),
                value=value,
                value_shown=_num(value),
                max_shown=_num(dim.max),
                min=dim.min,
                max=dim.max,
                percent=round(100 * (value - dim.min) / span),
                delta=0,
            )
        )
    neg = scenario.negotiation
    given, got = state["ledger"]["given"], state["ledger"]["got"]
    concessions = []
    limits = limits if limits is not None else engine.walkaways_shown(scenario, state)
    for name, unit in neg.concessions.items():
        limit = limits.get(name)
        amount = given.get(name, 0)
        concessions.append(
            SimpleNamespace(
                name=name,
                label=labels.name_label(scenario, name),
                unit=unit,
                given=amount,
                limit=limit,
                shown=vocabulary.amount_words(name, amount, unit, concession=True),
                limit_shown=vocabulary.limit_words(limit, unit) if limit is not None else None,
                percent=min(100, round(100 * amount / limit)) if limit else None,
                breached=limit is not None and amount > limit,
            )
        )
    counterparts = [
        SimpleNamespace(
            name=n,
            label=labels.name_label(scenario, n),
            unit=u,
            got=got.get(n, 0),
            shown=vocabulary.amount_words(n, got.get(n, 0), u),
        )
        for n, u in neg.counterparts.items()
    ]
    return SimpleNamespace(
        scores=scores,
        concessions=concessions,
        counterparts=counterparts,
        negotiation=bool(neg.concessions or neg.counterparts or neg.walkaway),
    )


def _show(value):
    return engine.show(value)


@bp.route("/attempts/<int:attempt_id>")
def player(attempt_id):
    attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
    if attempt.status == "abandoned":  # closed by Start over (another tab, an old link)
        if not session.get("_flashes"):  # a refused step has said so already
            flash(str(role_plays.STARTED_OVER), "info")
        open_attempt = role_plays.open_attempt(current_user, attempt.scenario_slug, attempt.mode)
        return redirect(
            url_for(".player", attempt_id=open_attempt.id)
            if open_attempt
            else url_for(".scenario", scenario_id=attempt.scenario_slug),
            303,
        )
    return _player_page(attempt)


def _player_page(attempt, address=None):
    """Where the attempt stands: the scene to answer, or the debrief once it has ended.
    `address`: the page's own, when it answers a POST (see learn.js)."""
    scenario = role_plays.scenario_of(attempt)
    state = attempt.state
    known = engine.values(scenario, state)
    node = scenario.node(attempt.current_node)
    if attempt.status == "finished":
        steps = role_play_steps.steps_of(attempt)
        path = replays.path_of(attempt, steps=steps)  # a replay's conversation starts earlier
        readings = [s.read_right for s in steps if s.read_right is not None]
        # the path replayed once for the hindsight and the retry points (a pass shows neither)
        replayed = None if attempt.passed else hindsight.replay(scenario, path)
        page = render_template(
            "learn/debrief.html",
            attempt=attempt,
            scenario=scenario,
            node=node,
            steps=steps,
            comments=comment_service.for_debrief(current_user, attempt),
            debrief=Markup(render_interpolated((node.sections.get("Debrief") if node else "") or "", known)),
            board=_board(scenario, state),
            signals=(sum(readings), len(readings)),
            walkaway_breached=engine.walkaway_breached(scenario, state),
            phases=_phase_titles(scenario.course, attempt.language),
            better={} if attempt.passed else hindsight.better_choices(scenario, path, replayed),
            retry=replays.retry_points(scenario, attempt, path, replayed),
            picked={
                s.seq: signal_picks.graded(attempt, scenario.node(s.node), s)
                for s in steps
                if (s.effects or {}).get("verdicts")
            },
            module=published.module_listing(attempt.scenario_slug, reader_language()),
            address=address,
        )
        return page  # the comments shown are now read (committed)
    return _play_page(attempt, scenario, node, known, address=address)


def _play_page(attempt, scenario, node, known, typed=None, errors=None, pick_error=None, address=None):
    """The scene in play: its choices, Continue, a sheet's boxes (with what was typed and
    the reasons of refused figures, after a refused post) or a signal pick's checkboxes (with
    the reason of a refused empty pick)."""
    state = attempt.state
    offered = engine.offered_choices(scenario, state) if node else []
    shown = {k: _show(v) for k, v in known.items()} if offered else {}
    return render_template(
        "learn/player.html",
        attempt=attempt,
        scenario=scenario,
        node=node,
        board=_board(scenario, state),
        narrative=Markup(render_interpolated(node.narrative if node else "", known)),
        choices=[
            (n, Markup(render_inline(engine.interpolate(c.label, shown, escape=False))))
            for n, (_i, c) in enumerate(offered, 1)
        ],
        sheet=sheet_words.boxes(node, typed, errors) if node and node.sheet else None,
        needs_continue=engine.needs_continue(scenario, state),
        seq=attempt.step_count + 1,
        pick_error=pick_error,
        picking=signal_picks.shown(attempt, node) if node and node.signals else None,
        reading_title=_phase_titles(scenario.course, attempt.language).get(node.reading)
        if node and node.reading
        else None,
        address=address,
    )


@bp.route("/attempts/<int:attempt_id>/step", methods=["POST"])
def step(attempt_id):
    """Record a choice and answer with its feedback in the same response: one round trip per
    step. The page names its own address (/steps/N), which is what a reload or a bookmark gets;
    a resubmitted POST is a stale step and shows the same feedback, writing nothing. A Continue
    and a challenge's choice are answered with the next scene (or the debrief) and the player's
    address."""
    posted = step_posted(request.form)
    if posted is None:
        _not_found(role_plays.own_attempt, current_user, attempt_id)
        flash(_("That answer could not be read. Please choose again."), "error")
        return redirect(url_for(".player", attempt_id=attempt_id), 303)
    figures = sheet_words.typed_figures(request.form) if request.form.get("sheet") else None
    try:
        taken = _not_found(
            role_play_steps.take_step,
            current_user,
            attempt_id,
            posted.seq,
            posted.choice,
            figures,
            picked_items(request.form) if posted.pick else None,
        )
    except role_play_steps.FiguresRefused as refused:
        # each reason beside its box, every figure as typed; nothing was written
        attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
        scenario = role_plays.scenario_of(attempt)
        node = scenario.node(attempt.current_node)
        return _play_page(
            attempt, scenario, node, engine.values(scenario, attempt.state), figures, refused.errors
        ), 422
    except role_play_steps.NothingPicked as refusal:  # said beside the list; nothing was written
        attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
        scenario = role_plays.scenario_of(attempt)
        return _play_page(
            attempt,
            scenario,
            scenario.node(attempt.current_node),
            engine.values(scenario, attempt.state),
            pick_error=str(refusal),
        ), 422
    except role_play_steps.StaleStep as stale:
        # A double click, a replay, a second tab or the back button: nothing is written, and
        # the answer is what was recorded: the same feedback page, or where the trainee is now.
        return _after_stale(stale.attempt, stale.seq)
    except refusals.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for(".player", attempt_id=attempt_id), 303)
    if (taken.step.choice is None and taken.step.kind != "sheet") or role_plays.is_challenge(taken.attempt):
        # Continue, or a challenge: the next scene (the prospect's reaction) or the debrief, in
        # this response with its address, as a start is answered: one round trip, and a reload
        # re-posts a stale step, which leads back to the player
        address = url_for(".player", attempt_id=attempt_id)
        return _player_page(taken.attempt, address), 200, {"Content-Location": address}
    return _feedback_page(taken.attempt, taken.step, last=True)


def _after_stale(attempt, seq):
    if 1 <= seq == attempt.step_count and role_plays.reveals_steps(attempt):
        recorded = role_play_steps.step_of(attempt, seq)
        if recorded.choice is not None or recorded.kind == "sheet":
            return _feedback_page(attempt, recorded, last=True)
    return redirect(url_for(".player", attempt_id=attempt.id), 303)


@bp.route("/attempts/<int:attempt_id>/steps/<int:seq>")
def step_feedback(attempt_id, seq):
    attempt = _not_found(role_plays.own_attempt, current_user, attempt_id)
    recorded = _not_found(role_play_steps.step_of, attempt, seq)
    if not role_plays.reveals_steps(attempt):  # a challenge in play: revealed in its debrief
        return redirect(url_for(".player", attempt_id=attempt.id), 303)
    return _feedback_page(attempt, recorded, last=seq == attempt.step_count)


def _feedback_page(attempt, recorded, last):
    """A step's feedback, with its own address (the page, and Content-Location for a POST
    answered with it: clients know which step it acknowledges)."""
    scenario = role_plays.scenario_of(attempt)
    address = url_for(".step_feedback", attempt_id=attempt.id, seq=recorded.seq)
    effects = recorded.effects or {}
    after = {
        "scores": effects.get("scores_after") or {},
        "ledger": effects.get("ledger_after") or {"given": {}, "got": {}},
    }
    board = _board(scenario, after, effects.get("walkaways_after"))
    for row in board.scores:
        row.delta = (effects.get("deltas") or {}).get(row.name, 0)
    page = render_template(
        "learn/feedback.html",
        attempt=attempt,
        scenario=scenario,
        step=recorded,
        effects=effects,
        figures=sheet_words.graded(effects),
        board=board,
        phases=_phase_titles(scenario.course, attempt.language) if recorded.phase else {},
        last=last,
        address=address,
        picked=signal_picks.graded(attempt, scenario.node(recorded.node), recorded),
    )
    return page, 200, {"Content-Location": address}


# --- my progress ---------------------------------------------------------------------------


@bp.route("/progress")
def my_progress():
    progress = trainee_progress.progress_of(current_user, reader_language())
    titles = published.scenario_titles(reader_language())
    best = role_plays.best_scores(current_user)
    over_time = trainee_progress.attempts_over_time(current_user)
    readings = trainee_progress.phase_readings(current_user)
    phases = _phase_titles()
    stage_chart = charts.bar_chart(
        [
            (s.title, s.percent, "ok" if s.complete else ("locked" if not s.unlocked else "go"))
            for s in (progress.stages if progress else [])
        ],
        title=_("Completion of each stage"),
        unit="%",
    )
    time_chart = charts.score_lines(
        [
            (a.finished_at, a.percent or 0, bool(a.passed), titles.get(a.scenario_slug, a.scenario_slug))
            for a in over_time
        ],
        title=_("Role-play scores over time"),
    )
    phase_chart = charts.bar_chart(
        [
            (
                phases.get(r.phase, r.phase),
                r.percent,
                "ok" if r.percent >= 70 else ("warn" if r.percent >= 40 else "bad"),
            )
            for r in readings
        ],
        title=_("Maturation phases read correctly"),
        unit="%",
    )
    return render_template(
        "learn/progress.html",
        progress=progress,
        titles=titles,
        best=best,
        stage_rows=stages.stage_rows(
            progress,
            effective.effective_assignments(
                current_user, progress=progress, language=reader_language(), best=best
            ),
            best,
            titles,
        ),
        over_time=over_time,
        readings=readings,
        phases=phases,
        stage_chart=stage_chart,
        time_chart=time_chart,
        phase_chart=phase_chart,
        certificates=certification.stage_certificates(
            current_user, language=reader_language(), progress=progress
        ),
        assigned_badge=_assigned_badges(),
    )


# --- coaching comments ----------------------------------------------------------------------


@bp.route("/comments")
def comments():
    """Every coaching comment on the trainee's attempts; showing them marks them read."""
    received = comment_service.received(current_user)
    return render_template(
        "learn/comments.html", received=received, titles=published.scenario_titles(reader_language())
    )
