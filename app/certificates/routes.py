from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import formats
from app.certificates import bp
from app.certificates.forms import blank_form, levels_of, observation_form
from app.forms import ActionForm, show_error
from app.security import roles_required
from app.services import certificate_pdf, certification, observations
from app.services.assignments.assigning import AssignmentError
from app.services.assignments.manager_scope import NotInScope, trainee_in_scope
from app.services.learning.knowledge_checks import new_submission_token

# Anyone with the link may check a certificate; no search engine should list people's names.
NOINDEX = {
    "X-Robots-Tag": "noindex, nofollow, noarchive",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
}


def _found(uuid):
    found = certification.by_uuid(uuid)
    if found is None:
        abort(404)
    return found


@bp.route("/certificates/<uuid>")
def public(uuid):
    """What anyone with the link may know: name, stage, date, expiry, valid or expired."""
    found = _found(uuid)
    today = formats.today()
    body = render_template(
        "certificates/public.html", certificate=found, valid=certification.is_valid(found, today), today=today
    )
    return Response(body, headers=NOINDEX)


@bp.route("/certificates/<uuid>.pdf")
def pdf(uuid):
    found = _found(uuid)
    words = {
        "title": _("Certificate"),
        "awarded": _("This certifies that"),
        "for_stage": _("has completed and passed the stage"),
        "issued": _("Issued on"),
        "expires": _("expires on"),
        "score": _("Score:"),
        "valid": _("Valid"),
        "expired": _("Expired"),
        "verify": _("Check this certificate at"),
    }
    data = certificate_pdf.render(
        found,
        url_for("certificates.public", uuid=found.uuid, _external=True),
        certification.is_valid(found),
        words,
    )
    name = f"certificate-{found.stage_id}-{found.issued_on.isoformat()}.pdf"
    return Response(
        data,
        mimetype="application/pdf",
        headers={**NOINDEX, "Content-Disposition": f'inline; filename="{name}"'},
    )


@bp.route("/learn/certificates/<stage_id>", methods=["POST"])
@roles_required("trainee")
def issue(stage_id):
    """The trainee asks for the certificate of a stage they completed; a second click, a reload
    or a second tab gets the same certificate."""
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        found, created = certification.issue(current_user, stage_id)
    except certification.Refused as refusal:
        flash(str(refusal), "error")
        return redirect(url_for("learn.my_progress") + "#certificates")
    if created:
        flash(
            _(
                "Certified: %(stage)s. Your certificate is below; anyone with its link can check it.",
                stage=found.stage_title,
            ),
            "success",
        )
    return redirect(url_for("learn.my_progress") + f"#certificate-{found.stage_id}")


# --- observed role-plays (the trainee's manager) --------------------------------------------------


def _observation_page(trainee, stage, form, status=200):
    return render_template(
        "certificates/observe.html",
        trainee=trainee,
        stage=stage,
        form=form,
        settings=stage.certification,
        recorded=observations.of_trainee(trainee.id),
    ), status


def _observable(stage_id):
    stage = next((s for s, _ in observations.observable_stages() if s.id == stage_id), None)
    if stage is None:
        abort(404)
    return stage


@bp.route("/manage/trainees/<int:trainee_id>/observations/<stage_id>", methods=["GET", "POST"])
@roles_required("manager")
def observe(trainee_id, stage_id):
    try:
        trainee = trainee_in_scope(current_user, trainee_id)
    except NotInScope:
        abort(404)
    stage = _observable(stage_id)
    if request.method == "GET":
        return _observation_page(trainee, stage, blank_form(stage))
    form = observation_form(stage.certification, f"obs-{stage.id}")
    if form.validate_on_submit():
        if not form.submission.data:
            form.submission.data = new_submission_token()
        try:
            seen, created = observations.record(
                current_user,
                trainee.id,
                stage.id,
                levels_of(form, stage.certification),
                form.notes.data,
                form.observed_on.data,
                form.submission.data,
            )
        except AssignmentError as error:
            show_error(form, error, "observed_on")
        else:
            if created:
                verdict = _("passed") if seen.passed else _("not passed yet")
                flash(
                    _(
                        "Observed role-play recorded for %(name)s (%(stage)s): %(verdict)s.",
                        name=trainee.name,
                        stage=stage.title,
                        verdict=verdict,
                    ),
                    "success",
                )
            else:
                flash(_("That observation was already recorded."), "success")
            return redirect(url_for("manage.trainee", trainee_id=trainee.id) + "#certification")
    elif form.observed_on.data is None and not form.observed_on.errors:
        form.observed_on.errors = [_("Give the date of the role-play (YYYY-MM-DD).")]
    flash(_("The observation was not recorded: see below."), "error")
    return _observation_page(trainee, stage, form, status=400)
