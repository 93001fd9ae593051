"""Every route x every role, checked against the declared policy (Open edX's loop of every
staff endpoint as a student, Moodle's has/lacks capability pairs)."""

import pytest

from tests.helpers import login
from tests.security.route_policy import AUTHENTICATED, PUBLIC, policy_for

ROLES = ["anonymous", "trainee", "manager", "trainer", "admin"]


def _routes(app):
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        values = {
            arg: ("x" if "id" not in arg and arg not in ("version", "page", "seq") else 999999)
            for arg in rule.arguments
        }
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


def test_every_post_only_route_refuses_get_with_405(app, factory):
    """State changes are POST only: a GET (a link, an <img>, a prefetch) changes nothing."""
    methods_of_url = {}
    for _endpoint, method, url in _routes(app):
        methods_of_url.setdefault(url, set()).add(method)
    post_only = sorted(url for url, methods in methods_of_url.items() if methods == {"POST"})
    assert len(post_only) >= 10
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login(client, factory.user(role=role).email)
        for url in post_only:
            assert client.get(url).status_code == 405, (role, url)
        if role != "anonymous":
            assert client.get("/account").status_code == 200  # the GETs to /logout ended nothing


def _security_headers_of(response, where):
    csp = response.headers.get("Content-Security-Policy", "")
    assert "frame-ancestors 'none'" in csp, where
    script = csp.split("script-src")[1].split(";")[0]
    assert "unsafe-inline" not in script and "unsafe-eval" not in script, where
    assert response.headers.get("X-Content-Type-Options") == "nosniff", where
    assert response.headers.get("Referrer-Policy"), where


@pytest.mark.parametrize("role", ["trainee", "manager", "trainer", "admin"])
def test_routes_with_real_ids_answer_without_5xx_and_with_headers(make_app, factory, role):
    """Every GET route a role may use, with ids of real rows (not only 999999): never a 5xx, and
    every page type (HTML, CSV, JSON, redirects, 404) carries the security headers."""
    from flask import url_for

    from tests.security.world import build_world, url_values

    app = make_app()
    world = build_world(app, factory)
    client = app.test_client()
    login(client, world[role].email)
    errors, answered = [], 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint in ("auth.logout",):
            continue
        policy = policy_for(rule.endpoint)
        allowed = policy in (PUBLIC, AUTHENTICATED) or role in policy
        if not allowed:
            continue
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(world, rule))
        with client.get(url) as response:  # a static file's stream closes with it
            if response.status_code >= 500:
                errors.append((url, response.status_code))
            _security_headers_of(response, url)
            answered += response.status_code == 200
    assert errors == []
    assert answered >= 3
