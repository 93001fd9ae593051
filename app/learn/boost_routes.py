"""Today's boost: a few questions, phase readings and signal picks the rep met before, each when its memory
is due to fade (services/boosts.py). POST an answer, GET its feedback (its own address, so a
reload asks for the page again), then the next item."""

from flask import abort, redirect, render_template, request, url_for
from flask_login import current_user

from app.content import recall
from app.learn import bp
from app.learn.forms import BoostForm
from app.reading import reader_language
from app.security import seal, unseal
from app.services import boosts, boosts_memory, boosts_met, boosts_shown
from app.services.learning import knowledge_checks
from app.services.learning.refusals import NotFound, Refused


def _bound(item, seq):
    return f"{item.id}:{seq}"


def _question_page(shown, state, form=None, error=None, status=200):
    seq = shown.item.boosts + 1
    form = form or BoostForm(formdata=None)
    form.seq.data = seq
    form.version_id.data = seal(shown.version.id, "boost-version", _bound(shown.item, seq))
    return render_template(
        "learn/boost.html",
        shown=shown,
        state=state,
        form=form,
        error=error,
        given=request.form.getlist("answer") if error else [],
    ), status


@bp.route("/boost")
def boost():
    boosts_met.refresh(current_user)
    shown, state = boosts.next_item(current_user, language=reader_language())
    if shown is None:
        return render_template("learn/boost_done.html", state=state, due=boosts.due_count(current_user))
    return _question_page(shown, state)


@bp.route("/boost/items/<int:item_id>", methods=["POST"])
def boost_answer(item_id):
    try:
        item = boosts.own_item(current_user, item_id)
    except NotFound:
        abort(404)
    form = BoostForm()
    if not form.validate():
        return redirect(url_for(".boost"), 303)  # an expired form: the item is asked again
    seq = form.seq.data
    version_id = unseal(form.version_id.data, "boost-version", _bound(item, seq))
    try:
        record, _created = boosts.answer(
            current_user, item_id, seq, version_id, request.form.getlist("answer")
        )
    except boosts.StaleAnswer:
        return redirect(url_for(".boost"), 303)
    except Refused as refusal:
        shown = boosts_shown.show(item, version_id, language=reader_language())
        if shown is None:
            return redirect(url_for(".boost"), 303)
        return _question_page(shown, boosts.today(current_user), form, str(refusal), 422)
    return redirect(url_for(".boost_feedback", answer_id=record.id), 303)


@bp.route("/boost/answers/<int:answer_id>")
def boost_feedback(answer_id):
    try:
        record = boosts.own_answer(current_user, answer_id)
    except NotFound:
        abort(404)
    shown = boosts.shown_for(record, reader_language())
    state = boosts.today(current_user)
    # As in the check's results, the right answers stay hidden until the module's check is passed.
    revealed = record.kind == boosts_memory.QUESTION and knowledge_checks.quiz_passed(
        current_user, record.item.slug
    )
    return render_template(
        "learn/boost_feedback.html",
        record=record,
        shown=shown,
        state=state,
        days=max(1, round((record.due_after - record.created_at).total_seconds() / 86400)),
        revealed_answers=revealed,
        recall_feedback=recall.claim_feedback,
        signal_feedback=boosts_shown.signal_feedback(shown, record.given),
    )
