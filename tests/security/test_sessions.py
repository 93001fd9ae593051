"""Sessions end when they must: logout (the copied cookie and the remember-me cookie open nothing
after it), a role or password change, an admin, idle and absolute time; the session cookie is a new
one at login and carries a token, not a user id; a forged or old-key cookie is nobody."""

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.models import User
from tests.helpers import PASSWORD, login


def test_a_role_change_ends_every_session_of_that_user(app, factory):
    person = factory.user(role="manager")
    admin = factory.user(role="admin")
    theirs, mine = app.test_client(), app.test_client()
    login(theirs, person.email)
    assert theirs.get("/manage/").status_code == 200
    login(mine, admin.email)
    answer = mine.post(
        f"/admin/users/{person.id}",
        data={
            "name": person.name,
            "email": person.email,
            "role": "trainee",
            "team_id": 0,
            "hire_date": "2026-11-02",
        },
    )
    assert answer.status_code == 302
    with app.app_context():
        assert db.session.get(User, person.id).role == "trainee"
    assert theirs.get("/manage/").status_code == 302  # logged out, not a trainee with a manager's session
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


# Server-side sessions (issue 15, item 1): the cookies carry a token; the row is the session.


def _rows(app, person):
    from app.models import UserSession

    with app.app_context():
        return db.session.scalars(
            select(UserSession).where(UserSession.user_id == person.id).order_by(UserSession.id)
        ).all()


def _age(app, person, **fields):
    """Move a user's sessions into the past (no sleeping in tests)."""
    from app.models import UserSession

    with app.app_context():
        for record in db.session.scalars(select(UserSession).where(UserSession.user_id == person.id)):
            for name, delta in fields.items():
                setattr(record, name, getattr(record, name) - delta)
        db.session.commit()


def test_a_session_cookie_copied_before_logout_opens_nothing_after(app, factory):
    person = factory.user()
    client = app.test_client()
    login(client, person.email)
    copied = client.get_cookie("session").value
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("session", copied)
    assert thief.get("/learn/").status_code == 302
    assert _rows(app, person) == []


def test_the_remember_me_cookie_alone_opens_nothing_after_logout(app, factory):
    person = factory.user()
    client = app.test_client()
    login(client, person.email, remember="y")
    remembered = client.get_cookie("remember_token").value
    other = app.test_client()
    other.set_cookie("remember_token", remembered)
    assert other.get("/learn/").status_code == 200  # it works while the session lives
    client.post("/logout")
    later = app.test_client()
    later.set_cookie("remember_token", remembered)
    assert later.get("/learn/").status_code == 302


def test_the_cookie_carries_a_token_not_the_user_id(app, factory):
    from flask.sessions import SecureCookieSessionInterface

    person = factory.user()
    client = app.test_client()
    login(client, person.email)
    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    stored = serializer.loads(client.get_cookie("session").value)
    token = stored["_user_id"]
    assert str(person.id) != token and len(token) >= 40
    (record,) = _rows(app, person)
    assert record.token_hash != token  # the table holds only its hash


def test_an_idle_session_ends_and_so_does_an_old_one(app, factory):
    idle, old = factory.user(), factory.user()
    a, b = app.test_client(), app.test_client()
    login(a, idle.email, remember="y")
    login(b, old.email, remember="y")
    _age(app, idle, last_seen_at=timedelta(minutes=app.config["SESSION_IDLE_MINUTES"] + 1))
    _age(app, old, created_at=timedelta(days=app.config["SESSION_LIFETIME_DAYS"], minutes=1))
    assert a.get("/learn/").status_code == 302
    assert b.get("/learn/").status_code == 302  # remember-me included


def test_last_seen_is_written_at_most_once_a_minute(app, factory):
    person = factory.user()
    client = app.test_client()
    login(client, person.email)
    (first,) = _rows(app, person)
    client.get("/learn/")
    assert _rows(app, person)[0].last_seen_at == first.last_seen_at
    _age(app, person, last_seen_at=timedelta(minutes=2))
    client.get("/learn/")
    assert _rows(app, person)[0].last_seen_at > first.last_seen_at - timedelta(seconds=1)


def test_account_lists_sessions_and_ends_another_device(app, factory):
    person = factory.user()
    phone, laptop = app.test_client(), app.test_client()
    phone.environ_base["HTTP_USER_AGENT"] = "Mozilla/5.0 (Linux; Android 14) Chrome/120.0"
    login(phone, person.email)
    login(laptop, person.email)
    page = laptop.get("/account").get_data(as_text=True)
    assert "Chrome on Android" in page and "This device" in page
    phone_row, laptop_row = _rows(app, person)
    answer = laptop.post(f"/account/sessions/{phone_row.id}/end")
    assert answer.status_code == 302
    assert phone.get("/learn/").status_code == 302
    assert laptop.get("/learn/").status_code == 200
    assert [r.id for r in _rows(app, person)] == [laptop_row.id]


def test_nobody_ends_another_users_session(app, factory):
    person, other = factory.user(), factory.user()
    mine, theirs = app.test_client(), app.test_client()
    login(mine, person.email)
    login(theirs, other.email)
    (their_row,) = _rows(app, other)
    assert mine.post(f"/account/sessions/{their_row.id}/end").status_code == 404
    assert theirs.get("/learn/").status_code == 200


def test_a_password_change_keeps_this_session_and_ends_the_others(app, factory):
    person = factory.user()
    here, elsewhere = app.test_client(), app.test_client()
    login(here, person.email)
    login(elsewhere, person.email)
    answer = here.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "a long new phrase 42",
            "confirm": "a long new phrase 42",
        },
    )
    assert answer.status_code == 302
    assert here.get("/learn/").status_code == 200
    assert elsewhere.get("/learn/").status_code == 302
    assert len(_rows(app, person)) == 1


def test_an_admin_ends_a_users_sessions(app, factory):
    person, admin = factory.user(), factory.user(role="admin")
    theirs, mine = app.test_client(), app.test_client()
    login(theirs, person.email, remember="y")
    login(mine, admin.email)
    assert "1 active session" in mine.get(f"/admin/users/{person.id}").get_data(as_text=True)
    answer = mine.post(f"/admin/users/{person.id}/sessions/end")
    assert answer.status_code == 302
    assert theirs.get("/learn/").status_code == 302
    assert _rows(app, person) == []
    assert mine.get("/admin/").status_code == 200
