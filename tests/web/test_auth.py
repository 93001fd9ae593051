from app.extensions import db
from app.models import AuditEvent, User
from tests.helpers import PASSWORD, login


def test_login_page_has_the_stable_fields(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="email"' in page and 'name="password"' in page


def test_login_sends_each_role_home(client, factory):
    homes = {"trainee": "/learn/", "manager": "/manage/", "trainer": "/author/", "admin": "/admin/"}
    for role, home in homes.items():
        person = factory.user(role=role)
        response = login(client, person.email)
        assert response.status_code == 302 and response.headers["Location"] == home
        client.post("/logout")


def test_email_is_case_insensitive(client, factory):
    person = factory.user(email="Rep.One@Example.com")
    assert person.email == "rep.one@example.com"
    assert login(client, "REP.ONE@example.COM").status_code == 302


def test_wrong_password_and_unknown_account_get_the_same_answer(app, client, factory):
    person = factory.user()
    wrong = login(client, person.email, "not-the-password")
    unknown = login(client, "nobody@example.com", "not-the-password")
    assert wrong.status_code == unknown.status_code == 200
    message = "That email and password do not match an active account."
    assert message in wrong.get_data(as_text=True) and message in unknown.get_data(as_text=True)
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(kind="login-failed").all()
        assert {e.email for e in events} == {person.email, "nobody@example.com"}
        assert all("not-the-password" not in (e.email or "") + (e.path or "") for e in events)


def test_inactive_user_cannot_log_in(client, factory):
    person = factory.user(active=False)
    assert login(client, person.email).status_code == 200
    assert client.get("/learn/").status_code == 302


def test_logout_is_a_post_and_ends_the_session(client, login_as):
    login_as("trainee")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 302
    assert client.get("/learn/").headers["Location"].startswith("/login")


def test_session_changes_at_login(client, factory):
    person = factory.user()
    client.get("/login")
    with client.session_transaction() as session:
        session["planted"] = "by-an-attacker"
    login(client, person.email)
    with client.session_transaction() as session:
        assert "planted" not in session


def test_logout_everywhere_ends_other_sessions(app, factory):
    person = factory.user()
    first, second = app.test_client(), app.test_client()
    login(first, person.email)
    login(second, person.email)
    assert second.get("/learn/").status_code == 200
    first.post("/account/logout-everywhere")
    assert second.get("/learn/").status_code == 302
    assert first.get("/learn/").status_code == 302


def test_password_change_ends_other_sessions_but_keeps_this_one(app, factory):
    person = factory.user()
    mine, other = app.test_client(), app.test_client()
    login(mine, person.email)
    login(other, person.email)
    response = mine.post(
        "/account",
        data={
            "current_password": PASSWORD,
            "new_password": "a much longer phrase",
            "confirm": "a much longer phrase",
        },
    )
    assert response.status_code == 302
    assert mine.get("/learn/").status_code == 200
    assert other.get("/learn/").status_code == 302
    assert login(app.test_client(), person.email, "a much longer phrase").status_code == 302


def test_password_change_refuses_weak_and_wrong(client, login_as):
    login_as("trainee")
    short = client.post(
        "/account", data={"current_password": PASSWORD, "new_password": "short", "confirm": "short"}
    )
    assert "at least 8 characters" in short.get_data(as_text=True)
    common = client.post(
        "/account",
        data={"current_password": PASSWORD, "new_password": "password123", "confirm": "password123"},
    )
    assert "too common" in common.get_data(as_text=True)
    wrong = client.post(
        "/account",
        data={
            "current_password": "nope-nope",
            "new_password": "a fine long phrase",
            "confirm": "a fine long phrase",
        },
    )
    assert "current password is not right" in wrong.get_data(as_text=True)


def test_long_and_unicode_passwords_work(client, factory):
    phrase = "Crème brûlée à la fraise, s'il vous plaît! 🍓" * 10
    person = factory.user(password=phrase)
    assert login(client, person.email, phrase).status_code == 302


def test_passwords_are_stored_with_a_memory_hard_hash(make_app, factory):
    from config import Config

    assert Config.PASSWORD_HASH_METHOD == "scrypt"
    app = make_app(PASSWORD_HASH_METHOD=Config.PASSWORD_HASH_METHOD)  # what every site runs
    person = factory.user()
    with app.app_context():
        user = db.session.get(User, person.id)
        user.set_password(PASSWORD)
        stored = user.password_hash
        assert user.check_password(PASSWORD)
    assert stored.startswith("scrypt:") and PASSWORD not in stored


def test_deactivation_ends_sessions(app, client, factory):
    person = factory.user()
    login(client, person.email)
    with app.app_context():
        from app.services import accounts

        accounts.set_active(db.session.get(User, person.id), False)
        db.session.commit()
    assert client.get("/learn/").status_code == 302


def test_remember_me_cookie_is_bounded_and_revoked(app, factory):
    person = factory.user()
    client = app.test_client()
    login(client, person.email, remember="y")
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only
    assert app.config["REMEMBER_COOKIE_DURATION"].days <= 30
    # A new browser with only the remember cookie is logged in, until its session is ended.
    fresh = app.test_client()
    fresh.set_cookie("remember_token", cookie.value)
    assert fresh.get("/learn/").status_code == 200
    client.post("/account/logout-everywhere")
    stale = app.test_client()
    stale.set_cookie("remember_token", cookie.value)
    assert stale.get("/learn/").status_code == 302


def test_admin_creates_a_user_and_a_team(app, client, login_as):
    login_as("admin")
    response = client.post("/admin/teams", data={"name": "North", "manager_id": 0})
    assert response.status_code == 302
    with app.app_context():
        from app.models import Team

        team_id = db.session.query(Team).filter_by(name="North").one().id
    response = client.post(
        "/admin/users",
        data={
            "name": "New Rep",
            "email": "new.rep@example.com",
            "password": "a long enough pass",
            "role": "trainee",
            "team_id": team_id,
            "hire_date": "2026-11-02",
        },
    )
    assert response.status_code == 302
    with app.app_context():
        user = db.session.query(User).filter_by(email="new.rep@example.com").one()
        assert user.team_id == team_id and user.role == "trainee"


def test_admin_form_errors_are_clear_and_write_nothing(app, client, login_as):
    login_as("admin")
    response = client.post(
        "/admin/users",
        data={"name": "X", "email": "not-an-email", "password": "short", "role": "trainee", "team_id": 0},
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.get_data(as_text=True)
    response = client.post(
        "/admin/users",
        data={"name": "X", "email": "x@example.com", "password": "short", "role": "trainee", "team_id": 0},
    )
    assert "at least 8 characters" in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).filter_by(email="x@example.com").count() == 0


def test_cli_creates_a_user(app, runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "Cli@Example.com",
            "--name",
            "Cli User",
            "--role",
            "manager",
            "--password",
            "a long enough pass",
        ]
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        assert db.session.query(User).filter_by(email="cli@example.com").one().role == "manager"
    again = runner.invoke(
        args=[
            "users",
            "create",
            "--email",
            "cli@example.com",
            "--name",
            "Cli",
            "--password",
            "a long enough pass",
        ]
    )
    assert again.exit_code != 0 and "already exists" in again.output


def test_demo_seeds_once(app, runner):
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert runner.invoke(args=["demo"]).exit_code == 0
    with app.app_context():
        assert db.session.query(User).count() == 6
        manager = db.session.query(User).filter_by(email="manager@example.com").one()
        trainee = db.session.query(User).filter_by(email="trainee@example.com").one()
        assert trainee.team.manager_id == manager.id
