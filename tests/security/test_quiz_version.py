"""A knowledge check is graded only against the version the trainee was shown: a post naming an
older version (its plain id, as the form used to carry) is graded against the published one; a
form shown before a new version was published is still graded against the version it showed."""

import re

from sqlalchemy import select

from app.extensions import db
from app.models import QuizAttempt
from app.services import publishing
from app.services.learning import published
from tests.helpers import correct_answers, login, publish_course

MODULE = "crm-data-that-matters"


def _form(client):
    page = client.get(f"/learn/modules/{MODULE}/check").get_data(as_text=True)
    token = re.search(r'name="submission" type="hidden" value="([^"]+)"', page).group(1)
    version = re.search(r'name="version_id" type="hidden" value="([^"]+)"', page).group(1)
    return token, version


def _publish_revision(app):
    with app.app_context():
        old, module = published.published_module(MODULE)
        revised = old.source.replace("---\n", "---\n# revised by a trainer\n", 1)  # a new version
        publishing.publish_text("module", revised, f"courses/business-relationship/01-{MODULE}.md")
        db.session.commit()
        new, _ = published.published_module(MODULE)
        assert new.id != old.id
        return old.id, new.id, correct_answers(module)


def _graded_version(app, token):
    with app.app_context():
        return db.session.scalar(select(QuizAttempt.version_id).where(QuizAttempt.submission == token))


def test_a_check_posted_with_an_older_version_id_is_graded_against_the_published_one(app, client, factory):
    publish_course(app)
    login(client, factory.user().email)
    old_id, new_id, right = _publish_revision(app)
    token, _sealed = _form(client)
    answers = {f"q{n}": a for n, a in right.items()}
    for forged in (str(old_id), f"{old_id}.{'0' * 32}", "", "x"):
        token, _sealed = _form(client)
        answer = client.post(
            f"/learn/modules/{MODULE}/check", data={"submission": token, "version_id": forged, **answers}
        )
        assert answer.status_code == 303, forged
        assert _graded_version(app, token) == new_id, forged


def test_a_form_shown_before_a_new_version_is_graded_against_what_it_showed(app, client, factory):
    publish_course(app)
    login(client, factory.user().email)
    token, sealed = _form(client)  # shown the current version...
    with app.app_context():
        shown_id = published.published_module(MODULE)[0].id
    old_id, new_id, right = _publish_revision(app)  # ...then a trainer publishes another
    assert old_id == shown_id
    answer = client.post(
        f"/learn/modules/{MODULE}/check",
        data={"submission": token, "version_id": sealed, **{f"q{n}": a for n, a in right.items()}},
    )
    assert answer.status_code == 303
    assert _graded_version(app, token) == shown_id
    other_token, _ = _form(client)  # a seal belongs to its own form's token
    client.post(
        f"/learn/modules/{MODULE}/check",
        data={"submission": other_token, "version_id": sealed, **{f"q{n}": a for n, a in right.items()}},
    )
    assert _graded_version(app, other_token) == new_id
