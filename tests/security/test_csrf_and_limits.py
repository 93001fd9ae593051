"""CSRF enforced and login limited, on an app with both switched on as in production."""
import pytest

from app.extensions import db
from app.models import Team
from tests.conftest import PASSWORD, csrf_token_from, login


@pytest.fixture
def strict_app(make_app):
    return make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, LOGIN_LIMIT="10 per 5 minutes")


def test_login_without_csrf_token_is_refused(strict_app, factory):
    person = factory.user()
    client = strict_app.test_client()
    response = client.post("/login", data={"email": person.email, "password": PASSWORD})
    assert response.status_code == 400
    assert login(client, person.email).status_code == 302  # with the token it works


def test_state_change_without_csrf_token_writes_nothing(strict_app, factory):
    admin = factory.user(role="admin")
    client = strict_app.test_client()
    login(client, admin.email)
    response = client.post("/admin/teams", data={"name": "Sneaky", "manager_id": 0})
    assert response.status_code == 400
    with strict_app.app_context():
        assert db.session.query(Team).filter_by(name="Sneaky").count() == 0
    token = csrf_token_from(client, "/admin/")
    client.post("/admin/teams", data={"name": "Honest", "manager_id": 0, "csrf_token": token})
    with strict_app.app_context():
        assert db.session.query(Team).filter_by(name="Honest").count() == 1


def test_logout_requires_csrf(strict_app, factory):
    person = factory.user()
    client = strict_app.test_client()
    login(client, person.email)
    assert client.post("/logout").status_code == 400
    assert client.get("/learn/").status_code == 200


def test_login_is_limited_per_account(strict_app, factory):
    person = factory.user()
    for i in range(10):
        # a different address each time: only the account key can stop this
        client = strict_app.test_client()
        response = login(client, person.email, "wrong-password", )
        assert response.status_code == 200
    client = strict_app.test_client()
    token = csrf_token_from(client, "/login")
    response = client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token},
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert response.status_code == 429
    assert "Too many attempts" in response.get_data(as_text=True)


def test_login_is_limited_per_address(strict_app, factory):
    client = strict_app.test_client()
    for i in range(10):
        login(client, f"someone{i}@example.com", "wrong-password")
    person = factory.user()
    assert login(client, person.email).status_code == 429


def test_successful_logins_do_not_count(strict_app, factory):
    person = factory.user()
    client = strict_app.test_client()
    for _ in range(12):
        assert login(client, person.email).status_code == 302
        client.post("/logout", data={"csrf_token": csrf_token_from(client, "/account")})
