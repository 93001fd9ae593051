from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from app import formats
from app.certificates import bp
from app.certificates.forms import RevokeForm, blank_form, levels_of, observation_form
from app.forms import ActionForm, show_error
from app.reading import reader_language
from app.security import roles_required
from app.services import certificate_pdf, certificate_revocation, certification, observations
from app.services.assignments.assigning import AssignmentError
from app.services.assignments.manager_scope import NotInScope, trainee_in_scope
from app.services.learning.knowledge_checks import new_submission_token
from app.services.outline import load_outline

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
    if found.revoked_at is not None:  # no document that looks like a valid certificate
        body = render_template(
            "certificates/public.html", certificate=found, valid=False, today=formats.today()
        )
        return Response(body, status=410, headers=NOINDEX)
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
        found, created = certification.issue(current_user, stage_id, language=reader_language())
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
    stages = observations.observable_stages(reader_language())
    stage = next((s for s, _ in stages if s.id == stage_id), None)
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


# --- the manager's view of a certificate, and revoking it -----------------------------------------


def _in_scope(trainee_id, certificate_id):
    try:
        return certificate_revocation.certificate_in_scope(current_user, trainee_id, certificate_id)
    except NotInScope:
        abort(404)


def _certificate_page(trainee, found, form=None, status=200):
    outline = load_outline(found.course_slug, reader_language())  # titles and rubric as the reader reads
    course = outline.course
    stage = next((s for s in course.stages if s.id == found.stage_id), None) if course else None
    observed = (found.evidence or {}).get("observed") or {}
    try:
        observed_on = date.fromisoformat(observed.get("observed_on") or "")
    except ValueError:
        observed_on = None
    return render_template(
        "certificates/manager_certificate.html",
        trainee=trainee,
        certificate=found,
        valid=certification.is_valid(found),
        titles=outline.titles,
        modules={m.id: m.title for m in outline.modules.values()},
        rubric=stage.certification.rubric if stage else (),
        observed_on=observed_on,
        form=form or RevokeForm(formdata=None),
    ), status


@bp.route("/manage/trainees/<int:trainee_id>/certificates/<int:certificate_id>")
@roles_required("manager")
def manager_view(trainee_id, certificate_id):
    """What the certificate was earned on (scores, versions, the observed role-play) and its
    revocation, for the trainee's manager or an admin."""
    trainee, found = _in_scope(trainee_id, certificate_id)
    return _certificate_page(trainee, found)


@bp.route("/manage/trainees/<int:trainee_id>/certificates/<int:certificate_id>/revoke", methods=["POST"])
@roles_required("manager")
def revoke(trainee_id, certificate_id):
    trainee, found = _in_scope(trainee_id, certificate_id)
    form = RevokeForm()
    if form.validate_on_submit():
        try:
            found, created = certificate_revocation.revoke(
                current_user, trainee.id, found.id, form.reason.data
            )
        except AssignmentError as error:
            show_error(form, error, "reason")
        else:
            if created:
                flash(
                    _(
                        "Certificate revoked: %(stage)s for %(name)s. Its page now says so, and the "
                        "stage can be certified again.",
                        stage=found.stage_title,
                        name=trainee.name,
                    ),
                    "success",
                )
            else:
                flash(_("That certificate was already revoked."), "success")
            return redirect(
                url_for("certificates.manager_view", trainee_id=trainee.id, certificate_id=found.id), 303
            )
    flash(_("The certificate was not revoked: see below."), "error")
    return _certificate_page(trainee, found, form, status=400)
