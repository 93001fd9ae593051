"""The trainer studio: write, check, see, try and publish courses, modules and scenarios."""

from flask import (
    Response,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from app.author import bp
from app.author.forms import EditorForm, NewForm, UploadForm
from app.author.words import NODE_KINDS, finding_json, say
from app.content import engine
from app.content.graph import mermaid
from app.content.layout import graph_layout
from app.forms import ActionForm, options, picked_items, show_error
from app.reading import reader_language
from app.services import authoring, publishing
from app.services.publishing import PublishRefused

SLUG = "<string(maxlength=120):slug>"


def _checked(kind, slug):
    if not authoring.valid_kind_and_slug(kind, slug):
        abort(404)


def _course_choices():
    return options((c, c) for c in sorted(publishing.published_all("course")))


@bp.route("/")
def index():
    return _index()


def _index(new_form=None, status=200):
    new_form = new_form or NewForm(formdata=None)
    new_form.course.choices = _course_choices()
    return render_template(
        "author/index.html",
        groups=authoring.catalogue(reader_language()),
        new_form=new_form,
        upload_form=UploadForm(formdata=None),
    ), status


@bp.route("/new", methods=["POST"])
def new():
    form = NewForm()
    form.course.choices = _course_choices()
    if form.validate_on_submit():
        try:
            authoring.new_from_template(
                form.kind.data,
                form.slug.data,
                form.title.data,
                current_user,
                course_id=form.course.data or None,
            )
        except authoring.AuthoringError as error:
            show_error(form, error, "slug")
        else:
            flash(
                _(
                    "Started %(kind)s `%(slug)s` from the template. Save or publish when ready.",
                    kind=form.kind.data,
                    slug=form.slug.data,
                ),
                "success",
            )
            return redirect(url_for("author.edit", kind=form.kind.data, slug=form.slug.data.strip()))
    flash(_("No draft was started: see the form below."), "error")
    return _index(form, 400)


@bp.route("/upload", methods=["POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        abort(400)
    file = request.files.get("file")
    if file is None or not file.filename:
        flash(_("Choose a .md file to upload."), "error")
        return redirect(url_for("author.index"))
    try:
        result, findings = authoring.upload(form.kind.data, file.filename, file.read(), current_user)
    except authoring.UploadRefused as refused:
        return render_template("author/upload_refused.html", refused=refused, kind=form.kind.data), 422
    except PublishRefused as refused:
        return render_template(
            "author/upload_refused.html",
            kind=form.kind.data,
            refused=authoring.UploadRefused(str(refused), refused.findings, file.filename),
        ), 422
    v = result.version
    if result.created:
        flash(
            _(
                "Published %(kind)s `%(slug)s` as version %(version)s.",
                kind=v.kind,
                slug=v.slug,
                version=v.version,
            ),
            "success",
        )
    elif result.moved:
        flash(
            _(
                "That text is version %(version)s of `%(slug)s`; it is published again.",
                version=v.version,
                slug=v.slug,
            ),
            "success",
        )
    else:
        flash(
            _("Nothing changed: that text is already the published version %(version)s.", version=v.version),
            "success",
        )
    return redirect(url_for("author.versions", kind=v.kind, slug=v.slug))


@bp.route("/lint", methods=["POST"])
def lint():
    kind = request.form.get("kind", "scenario")
    if kind not in authoring.KINDS:
        return jsonify(error="Unknown kind", message=_("Choose a scenario, a module or a course.")), 400
    _value, findings = authoring.lint_text(kind, request.form.get("source", ""), request.form.get("slug"))
    errors = sum(1 for f in findings if f.is_error)
    return jsonify(
        findings=finding_json(findings),
        errors=errors,
        counted=[
            ngettext("%(num)d error", "%(num)d errors", errors),
            ngettext("%(num)d warning", "%(num)d warnings", len(findings) - errors),
        ],
    )


@bp.route("/preview", methods=["POST"])
def preview():
    kind = request.form.get("kind", "scenario")
    if kind not in authoring.KINDS:
        return jsonify(error="Unknown kind", message=_("Choose a scenario, a module or a course.")), 400
    value, _findings = authoring.lint_text(kind, request.form.get("source", ""), request.form.get("slug"))
    html = render_template("author/_preview.html", kind=kind, value=value)
    return Response(html, mimetype="text/html")


# --- the editor -------------------------------------------------------------------------------


@bp.route(f"/<kind>/{SLUG}/edit", methods=["GET", "POST"])
def edit(kind, slug):
    _checked(kind, slug)
    editing = authoring.open_for_editing(kind, slug)
    if editing is None:
        abort(404)
    form = EditorForm()
    if request.method == "GET":
        form.source.data = editing.source
        form.revision.data = editing.revision
        form.base_version_id.data = editing.base_version_id or ""
        return _editor(kind, slug, form, editing)
    if not form.validate_on_submit():
        return _editor(kind, slug, form, editing, status=400)
    action = request.form.get("action", "check")
    source = authoring.normalise_newlines(form.source.data)
    try:
        if action == "save":
            draft = authoring.save_draft(
                kind, slug, source, form.revision.data, current_user, base_version_id=editing.base_version_id
            )
            flash(_("Draft saved (revision %(revision)s).", revision=draft.revision), "success")
            return redirect(url_for("author.edit", kind=kind, slug=slug))
        if action == "publish":
            result = authoring.publish(
                kind, slug, source, form.revision.data, form.base_version_id.data, current_user
            )
            v = result.version
            flash(
                _(
                    "Published version %(version)s. Trainees who are mid-way stay on their version.",
                    version=v.version,
                )
                if result.created
                else _("Version %(version)s is published.", version=v.version),
                "success",
            )
            return redirect(url_for("author.edit", kind=kind, slug=slug))
    except authoring.DraftConflict as conflict:
        form.source.data = source
        form.revision.data = conflict.revision
        form.base_version_id.data = conflict.base_version_id or ""
        return _editor(kind, slug, form, editing, conflict=conflict, status=409)
    except PublishRefused:
        form.source.data = source
        flash(_("Not published: fix the errors below first. Your text is still here (not saved)."), "error")
        return _editor(kind, slug, form, editing, status=422)
    except authoring.AuthoringError as error:
        flash(str(error), "error")
        form.source.data = source
        return _editor(kind, slug, form, editing, status=422)
    form.source.data = source
    return _editor(kind, slug, form, editing)


def _editor(kind, slug, form, editing, conflict=None, status=200):
    source = form.source.data or ""
    value, findings = authoring.check(kind, source, editing.path)
    return render_template(
        "author/edit.html",
        kind=kind,
        slug=slug,
        form=form,
        editing=editing,
        value=value,
        findings=findings,
        conflict=conflict,
        errors=sum(1 for f in findings if f.is_error),
        action_form=ActionForm(),
    ), status


@bp.route(f"/<kind>/{SLUG}/download")
def download(kind, slug):
    _checked(kind, slug)
    src = authoring.source_of(kind, slug, request.args.get("from", "draft"))
    if src is None:
        abort(404)
    path = authoring.path_for(kind, slug)
    name = authoring.download_name(kind, slug, path)
    if request.args.get("from", "draft") != "draft":
        name = name[:-3] + "-" + src.ref + ".md"
    return Response(
        src.text,
        mimetype="text/markdown; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/guide/<string(maxlength=40):name>")
def guide(name):
    """The authoring guide and the format reference from docs/, where git keeps them, in the
    reader's language when it is written (else in English)."""
    guide = authoring.guide_text(name, reader_language())
    if guide is None:
        abort(404)
    return render_template("author/guide.html", name=name, text=guide.text, text_language=guide.language)


# --- versions ---------------------------------------------------------------------------------


@bp.route(f"/<kind>/{SLUG}/versions")
def versions(kind, slug):
    _checked(kind, slug)
    rows = authoring.versions_with_authors(kind, slug)
    editing = authoring.open_for_editing(kind, slug)
    if not rows and editing is None:
        abort(404)
    live = publishing.published(kind, slug)
    numbers = [r.version for r in rows]
    a = request.args.get("a", type=int)
    b = request.args.get("b", type=int)
    if b is None and numbers:
        b = numbers[0]
    if a is None and len(numbers) > 1:
        a = numbers[1]
    diff, old, new_ = None, None, None
    if a is not None and b is not None and a in numbers and b in numbers:
        old, new_ = authoring.version(kind, slug, a), authoring.version(kind, slug, b)
        diff = authoring.diff_lines(old.source, new_.source, f"v{a}", f"v{b}")
    draft_diff = None
    if (
        editing is not None
        and editing.draft is not None
        and live is not None
        and editing.draft.source != live.source
    ):
        draft_diff = authoring.diff_lines(live.source, editing.draft.source, f"v{live.version}", "draft")
    return render_template(
        "author/versions.html",
        kind=kind,
        slug=slug,
        rows=rows,
        live=live,
        a=a,
        b=b,
        diff=diff,
        old=old,
        new=new_,
        draft_diff=draft_diff,
        editing=editing,
        action_form=ActionForm(),
    )


@bp.route(f"/<kind>/{SLUG}/versions/<int:number>/republish", methods=["POST"])
def republish(kind, slug, number):
    _checked(kind, slug)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        result = authoring.republish(kind, slug, number, current_user)
    except PublishRefused as refused:
        flash(
            _("Version %(version)s no longer passes lint against the current course:", version=number)
            + " "
            + "; ".join(
                _("line %(line)s: %(code)s %(message)s", line=f.line, code=f.code, message=say(f.message))
                for f in refused.findings[:5]
            ),
            "error",
        )
        return redirect(url_for("author.versions", kind=kind, slug=slug))
    if result is None:
        abort(404)
    flash(
        _(
            "Version %(version)s is published again. Attempts in progress stay on their version.",
            version=number,
        ),
        "success",
    )
    return redirect(url_for("author.versions", kind=kind, slug=slug))


# --- scenario tools: graph, play-test, tests, item analysis -----------------------------------


def _scenario(slug):
    _checked("scenario", slug)
    src, value, findings = authoring.scenario_of(slug, request.values.get("from", "draft"))
    if src is None:
        abort(404)
    return src, value, findings


def _refs(slug):
    rows = authoring.versions_with_authors("scenario", slug)
    draft = authoring.draft_of("scenario", slug)
    refs = [("draft", _("Draft (revision %(revision)s)", revision=draft.revision))] if draft else []
    return refs + [(f"v{r.version}", _("Version %(version)s", version=r.version)) for r in rows]


@bp.route(f"/scenario/{SLUG}/graph")
def graph(slug):
    src, value, findings = _scenario(slug)
    layout = report = mermaid_text = None
    if value is not None:
        visits, report = authoring.random_visits(value, 300, 0)
        layout = graph_layout(value, visits)
        mermaid_text = mermaid(value)
    return render_template(
        "author/graph.html",
        slug=slug,
        src=src,
        value=value,
        findings=findings,
        layout=layout,
        report=report,
        mermaid_text=mermaid_text,
        refs=_refs(slug),
    )


@bp.route(f"/scenario/{SLUG}/playtest", methods=["GET", "POST"])
def playtest(slug):
    """Play a draft or a version from any node with chosen values. Nothing is recorded: the
    state travels in a signed form field, never in the learning tables."""
    src, value, findings = _scenario(slug)
    secret = current_app.config["SECRET_KEY"]
    play, error, history, last = None, None, [], None
    if value is not None and request.method == "POST":
        form = ActionForm()
        if not form.validate_on_submit():
            abort(400)
        payload = authoring.unpack(secret, request.form.get("play"))
        if (
            payload is None
            or payload.get("ref") != src.ref
            or payload.get("sha") != publishing.sha256_of(src.text)
        ):
            error = _("The text changed since this play-test started (or the form was altered); start again.")
        else:
            play, history = payload["state"], payload.get("history", [])
            choice = request.form.get("choice", type=int)
            try:
                play, outcome = authoring.playtest_advance(
                    value,
                    play,
                    choice if "choice" in request.form else None,
                    picked_items(request.form) if "pick" in request.form else None,
                )
                last = authoring.step_summary(outcome, value)
                history = (history + [last])[-authoring.MAX_HISTORY :]
            except engine.EngineError as exc:
                error = _("That step cannot be played: %(reason)s", reason=say(exc))
    elif value is not None and request.args.get("node"):
        try:
            play = authoring.playtest_start(value, request.args.get("node"), request.args)
        except (authoring.AuthoringError, engine.EngineError) as exc:
            error = str(say(exc))
    token = None
    if play is not None:
        token = authoring.pack(
            secret,
            {
                "ref": src.ref,
                "sha": publishing.sha256_of(src.text),
                "state": play,
                "history": history,
                "node": request.args.get("node"),
            },
        )
    view = _play_view(value, play) if play is not None else None
    return render_template(
        "author/playtest.html",
        slug=slug,
        src=src,
        value=value,
        findings=findings,
        play=play,
        view=view,
        token=token,
        history=history,
        last=last,
        error=error,
        refs=_refs(slug),
        action_form=ActionForm(),
        args=request.args,
    ), (400 if error and play is None and value is not None and request.args.get("node") else 200)


def _play_view(scenario, state):
    node = scenario.node(state["node"])
    known = engine.values(scenario, state)
    offered = [] if state.get("finished") else engine.offered_choices(scenario, state)
    return {
        "node": node,
        "known": known,
        "offered": offered,
        "needs_continue": engine.needs_continue(scenario, state),
        "ended": bool(state.get("finished")),
        "percent": engine.percent(scenario, state),
        "passed": engine.passed(scenario, state) if state.get("finished") else None,
    }


@bp.route(f"/scenario/{SLUG}/tests")
def tests(slug):
    src, value, findings = _scenario(slug)
    games = max(0, min(request.args.get("games", 200, type=int) or 0, authoring.MAX_GAMES))
    seed = request.args.get("seed", 0, type=int) or 0
    report = authoring.run_tests(value, games, seed) if value is not None else None
    return render_template(
        "author/tests.html",
        slug=slug,
        src=src,
        value=value,
        findings=findings,
        report=report,
        games=games,
        seed=seed,
        refs=_refs(slug),
    )


@bp.route(f"/scenario/{SLUG}/analysis")
def analysis(slug):
    _checked("scenario", slug)
    rows = authoring.versions_with_authors("scenario", slug)
    if not rows:
        abort(404)
    live = publishing.published("scenario", slug)
    number = request.args.get("version", type=int) or (live.version if live else rows[0].version)
    chosen = authoring.version("scenario", slug, number)
    if chosen is None:
        abort(404)
    scenario, stats, totals = authoring.item_analysis(slug, chosen)
    return render_template(
        "author/analysis.html",
        slug=slug,
        scenario=scenario,
        stats=stats,
        totals=totals,
        chosen=chosen,
        rows=rows,
    )


@bp.context_processor
def _renderers():
    """The studio's helpers (author text goes through md(), md_inline() and md_values(), the
    app's Markdown globals; never `|safe`)."""
    return {"show_value": engine.show, "node_kinds": NODE_KINDS, "say": say}


@bp.app_template_global()
def finding_message(finding):
    """A lint finding's message in the page's language (the studio's macros, imported without
    the page's context, reach it as a global)."""
    return say(finding.message)
