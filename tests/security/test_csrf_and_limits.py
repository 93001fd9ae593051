"""CSRF enforced and login limited, on an app with both switched on as in production."""

import pytest

from app.extensions import db
from app.models import Team
from tests.helpers import PASSWORD, csrf_token_from, login


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
    for _ in range(10):
        # a different address each time: only the account key can stop this
        client = strict_app.test_client()
        response = login(
            client,
            person.email,
            "wrong-password",
        )
        assert response.status_code == 200
    client = strict_app.test_client()
    token = csrf_token_from(client, "/login")
    response = client.post(
        "/login",
        data={"email": person.email, "password": PASSWORD, "csrf_token": token},
        environ_base={"REMOTE_ADDR": "10.9.9.9"},
    )
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


def _account_post(client, current, new="a brand new long phrase"):
    token = csrf_token_from(client, "/account")
    return client.post(
        "/account",
        data={"current_password": current, "new_password": new, "confirm": new, "csrf_token": token},
    )


def test_the_current_password_on_account_is_limited_and_each_failure_audited(strict_app, factory):
    """30 guesses in 5 s then the password changed: now the 11th answer is 429, right or not,
    and each wrong guess is in the audit log."""
    from sqlalchemy import select

    from app.models import AuditEvent, User

    person = factory.user()
    client = strict_app.test_client()
    login(client, person.email)
    for i in range(10):
        answer = _account_post(client, f"guess number {i}")
        assert answer.status_code == 200 and "not right" in answer.get_data(as_text=True)
    answer = _account_post(client, PASSWORD)
    assert answer.status_code == 429
    assert "Too many wrong passwords" in answer.get_data(as_text=True)
    with strict_app.app_context():
        assert db.session.get(User, person.id).check_password(PASSWORD)  # unchanged
        kinds = db.session.scalars(select(AuditEvent.kind).where(AuditEvent.user_id == person.id)).all()
    assert kinds.count("password-failed") == 10 and kinds.count("password-limited") == 1


def test_a_right_current_password_does_not_count(strict_app, factory):
    person = factory.user()
    client = strict_app.test_client()
    login(client, person.email)
    password = PASSWORD
    for i in range(12):
        new = f"another long phrase {i}"
        assert _account_post(client, password, new).status_code == 302
        password = new


def test_concurrent_wrong_passwords_check_no_more_than_the_limit(strict_app, factory, monkeypatch):
    """The limit is taken before the password is checked (an atomic hit), so 20 guesses at once
    check at most 10 passwords; test-then-count let 17-21 through."""
    import threading

    from app.models import User

    person = factory.user()
    checked, lock = [], threading.Lock()
    real_check = User.check_password

    def counting(self, password):
        with lock:
            checked.append(password)
        return real_check(self, password)

    monkeypatch.setattr(User, "check_password", counting)
    clients = []
    for _ in range(20):
        client = strict_app.test_client()
        clients.append((client, csrf_token_from(client, "/login")))
    barrier = threading.Barrier(len(clients))
    statuses = []

    def guess(client, token, i):
        barrier.wait()
        answer = client.post(
            "/login",
            data={"email": person.email, "password": f"wrong {i}", "csrf_token": token},
            environ_base={"REMOTE_ADDR": f"10.0.0.{i}"},
        )
        statuses.append(answer.status_code)

    threads = [threading.Thread(target=guess, args=(c, t, i)) for i, (c, t) in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(checked) <= 10, len(checked)
    assert sorted(statuses).count(429) >= 10


def test_a_run_of_limited_logins_writes_one_audit_row(strict_app, factory):
    from sqlalchemy import func, select

    from app.models import AuditEvent

    person = factory.user()
    client = strict_app.test_client()
    for _ in range(10):
        login(client, person.email, "wrong-password")
    for _ in range(15):
        assert login(client, person.email, "wrong-password").status_code == 429
    with strict_app.app_context():
        limited = db.session.scalar(
            select(func.count()).select_from(AuditEvent).where(AuditEvent.kind == "login-limited")
        )
    assert limited == 1


def _wrong_logins_from(app, forwarded_for, count=10, proxy="10.0.0.1"):
    """Failed logins arriving through a proxy at `proxy`, each for a client it names."""
    for i in range(count):
        client = app.test_client()
        client.environ_base.update(REMOTE_ADDR=proxy, HTTP_X_FORWARDED_FOR=forwarded_for(i))
        assert login(client, f"nobody{i}@example.com", "wrong-password").status_code == 200


def test_behind_one_proxy_the_address_limit_counts_each_client(make_app, factory):
    """PROXY_FIX_X_FOR=1 (behind nginx): the per-address limit counts the address nginx saw,
    so one visitor's wrong passwords do not lock everyone out behind the same proxy."""
    app = make_app(WTF_CSRF_ENABLED=True, RATELIMIT_ENABLED=True, PROXY_FIX_X_FOR=1)
    person = factory.user()
    _wrong_logins_from(app, lambda i: "203.0.113.7")
    neighbour = app.test_client()
    neighbour.environ_base.update(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2")
    assert login(neighbour, person.email).status_code == 302
    again = app.test_client()
    again.environ_base.update(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7")
    assert login(again, person.email).status_code == 429


def test_without_a_proxy_setting_a_forged_forwarded_for_changes_nothing(strict_app, factory):
    """No PROXY_FIX_X_FOR (the default): X-Forwarded-For is anyone's to send, so it is not read,
    and a client cannot dodge the address limit by naming a new address each time."""
    person = factory.user()
    _wrong_logins_from(strict_app, lambda i: f"192.0.2.{i}")
    client = strict_app.test_client()
    client.environ_base.update(REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.99")
    assert login(client, person.email).status_code == 429


def test_no_route_declares_a_limit_so_no_request_pays_for_flask_limiters_check(app):
    """Login and reset budgets count through limiter.limiter (app/auth/guessing.py, tested
    above): the per-request hooks, which would only find no limit, are dropped by the factory
    (app._drop_idle_limit_checks) while no route, default or application limit exists."""
    from app.extensions import limiter

    hooks = [
        *app.before_request_funcs[None],
        *app.after_request_funcs[None],
        *app.teardown_request_funcs.get(None, []),
    ]
    limiters = [h for h in hooks if limiter in (getattr(h, "__self__", None), *getattr(h, "args", ()))]
    assert not limiters
