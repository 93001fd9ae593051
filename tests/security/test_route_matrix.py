"""Every route x every role, checked against the declared policy (Open edX's loop of every
staff endpoint as a student, Moodle's has/lacks capability pairs)."""
import pytest

from tests.conftest import login
from tests.security.route_policy import AUTHENTICATED, PUBLIC, policy_for

ROLES = ["anonymous", "trainee", "manager", "trainer", "admin"]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {arg: ("x" if "id" not in arg and arg not in ("version", "page", "seq") else 999999)
                  for arg in rule.arguments}
        for conv_arg, conv in rule._converters.items():
            if type(conv).__name__ in ("IntegerConverter",):
                values[conv_arg] = 999999
            else:
                values[conv_arg] = "no-such-thing"
        with app.test_request_context():
            from flask import url_for
            url = url_for(rule.endpoint, **values)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield rule.endpoint, method, url


def test_every_route_has_a_declared_policy(app):
    missing = sorted({endpoint for endpoint, _, _ in _routes(app) if policy_for(endpoint) is None})
    assert missing == [], f"declare these routes in tests/security/route_policy.py: {missing}"


@pytest.mark.parametrize("role", ROLES)
def test_route_matrix(app, factory, role):
    client = app.test_client()
    if role != "anonymous":
        login(client, factory.user(role=role).email)
    refused_wrongly, allowed_wrongly, errors = [], [], []
    for endpoint, method, url in _routes(app):
        if endpoint in ("auth.logout", "auth.logout_everywhere"):
            continue  # would end the session the rest of the loop needs; covered in test_auth
        policy = policy_for(endpoint)
        response = client.open(url, method=method)
        status = response.status_code
        if status >= 500:
            errors.append((method, url, status))
            continue
        if policy == PUBLIC:
            allowed = True
        elif policy == AUTHENTICATED:
            allowed = role != "anonymous"
        else:
            allowed = role in policy
        if allowed and status in (401, 403):
            refused_wrongly.append((method, url, status))
        if not allowed:
            expected = (302,) if role == "anonymous" else (403,)
            if status not in expected or (status == 302 and "/login" not in response.headers["Location"]):
                allowed_wrongly.append((method, url, status))
    assert errors == []
    assert allowed_wrongly == [], f"{role} reached routes it must not"
    assert refused_wrongly == [], f"{role} was refused routes it may use"


@pytest.mark.parametrize("path", ["/manage/", "/author/", "/admin/"])
def test_a_trainee_gets_403_outside_learning(client, login_as, path):
    login_as("trainee")
    assert client.get(path).status_code == 403


def test_refused_access_is_audited(app, client, login_as):
    trainee = login_as("trainee")
    client.get("/admin/")
    with app.app_context():
        from app.extensions import db
        from app.models import AuditEvent
        event = db.session.query(AuditEvent).filter_by(kind="access-refused").one()
        assert event.user_id == trainee.id and event.path == "/admin/" and event.address
