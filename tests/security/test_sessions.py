"""Sessions end when they must: a role change (through the admin page) ends every session of
that user, the session cookie is a new one at login, and a forged or old-key cookie is nobody."""
from app.extensions import db
from app.models import User
from tests.conftest import login


def test_a_role_change_ends_every_session_of_that_user(app, factory):
    person = factory.user(role="manager")
    admin = factory.user(role="admin")
    theirs, mine = app.test_client(), app.test_client()
    login(theirs, person.email)
    assert theirs.get("/manage/").status_code == 200
    login(mine, admin.email)
    answer = mine.post(f"/admin/users/{person.id}", data={"name": person.name, "email": person.email,
                                                          "role": "trainee", "team_id": 0, "hire_date": "2026-11-02"})
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id).role == "trainee"
    assert theirs.get("/manage/").status_code == 302          # logged out, not a trainee with a manager's session
    assert theirs.get("/learn/").status_code == 302


def test_the_session_cookie_is_new_at_login(app, client, factory):
    person = factory.user()
    client.get("/login")
    before = client.get_cookie("session")
    login(client, person.email)
    after = client.get_cookie("session")
    assert after is not None and (before is None or before.value != after.value)


def test_a_cookie_signed_with_another_key_is_nobody(make_app, factory):
    person = factory.user()
    other = make_app(SECRET_KEY="another-secret-key-of-enough-length-0123456789")
    forger = other.test_client()
    login(forger, person.email)
    stolen = forger.get_cookie("session").value
    app = make_app()
    victim = app.test_client()
    victim.set_cookie("session", stolen)
    assert victim.get("/learn/").status_code == 302
