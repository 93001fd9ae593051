"""CSRF over the whole url_map, with CSRF on as in production: every POST route refuses a POST
without a token (400) and writes nothing, even when the rest of the form is valid and the user
may use the route; every POST form of every page carries a token."""

import re

import pytest
from flask import url_for

from tests.helpers import PASSWORD, login
from tests.security.world import build_world, post_forms, snapshot, url_values, who_may

# Flask-WTF accepts the token under any field name ending in csrf_token (prefixed forms).
TOKEN = re.compile(r'<input[^>]*name="([\w-]+-)?csrf_token"[^>]*value="[^"]+"')

# A form each route would accept if it carried a token: only the token is missing.
BODIES = {
    "auth.login": lambda w: {"email": w["trainee"].email, "password": PASSWORD},
    "auth.account": lambda w: {
        "current_password": PASSWORD,
        "new_password": "a brand new phrase",
        "confirm": "a brand new phrase",
    },
    "learn.knowledge_check": lambda w: {"submission": "forged-submission", "q1": "1", "q2": "1", "q3": "1"},
    "learn.step": lambda w: {"seq": "99", "choice": "1"},
    "manage.create_assignment": lambda w: {
        "target": f"module:{w['module']}",
        "assignee": f"team:{w['team']}",
        "due_mode": "days",
        "due_days": "5",
    },
    "manage.change_assignment": lambda w: {"due_mode": "date", "due_date": "2030-01-01"},
    "manage.comment": lambda w: {"body": "forged comment"},
    "author.new": lambda w: {"kind": "scenario", "slug": "forged-scenario"},
    "author.lint": lambda w: {"kind": "scenario", "source": "# x"},
    "author.preview": lambda w: {"kind": "scenario", "source": "# x"},
    "author.edit": lambda w: {"source": "forged", "revision": "0", "action": "save"},
    "admin.create_user": lambda w: {
        "name": "Forged",
        "email": "forged@example.com",
        "password": "a long enough pass",
        "role": "admin",
        "team_id": "0",
    },
    "admin.edit_user": lambda w: {
        "name": "Forged",
        "email": w["trainee"].email,
        "role": "admin",
        "team_id": "0",
    },
    "admin.create_team": lambda w: {"name": "Forged team", "manager_id": "0"},
    "admin.edit_team": lambda w: {"name": "Forged team", "manager_id": "0"},
}


# Routes that take no CSRF token by design, with what protects them instead.
NO_TOKEN_BY_DESIGN = {
    "notifications.unsubscribe": "a signed token in the URL; mail programs post here with no form (RFC 8058)",
}


@pytest.fixture
def strict(make_app, factory):
    app = make_app(WTF_CSRF_ENABLED=True)
    return app, build_world(app, factory)


def _post_routes(app):
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            yield rule


def test_every_post_route_refuses_a_post_without_a_token_and_writes_nothing(strict):
    app, world = strict
    clients = {}
    for role in {who_may(rule.endpoint) for rule in _post_routes(app)}:  # logins open sessions: first
        clients[role] = app.test_client()
        login(clients[role], world[role].email)
    before = snapshot(app)
    refused_wrongly = []
    for rule in _post_routes(app):
        if rule.endpoint in NO_TOKEN_BY_DESIGN:
            continue
        role = who_may(rule.endpoint)
        with app.test_request_context():
            url = url_for(rule.endpoint, **url_values(world, rule))
        body = BODIES.get(rule.endpoint, lambda w: {})(world)
        answer = clients[role].post(url, data=body)
        if answer.status_code != 400:
            refused_wrongly.append((rule.endpoint, answer.status_code))
        # anonymous too: refused before anything else happens
        anonymous = app.test_client().post(url, data=body)
        if anonymous.status_code != 400:
            refused_wrongly.append(("anonymous " + rule.endpoint, anonymous.status_code))
    assert refused_wrongly == []
    assert snapshot(app) == before
    for role, client in clients.items():  # nobody was logged out by a forged POST /logout
        assert client.get("/account").status_code == 200, role


def test_every_post_form_carries_a_csrf_token(strict):
    app, world = strict
    missing, seen = [], 0
    for role in ("trainee", "manager", "trainer", "admin"):
        client = app.test_client()
        login(client, world[role].email)
        for rule in app.url_map.iter_rules():
            if (
                "GET" not in rule.methods
                or rule.endpoint == "static"
                or who_may(rule.endpoint) != role
                and not rule.endpoint.startswith("auth.")
            ):
                continue
            with app.test_request_context():
                url = url_for(rule.endpoint, **url_values(world, rule))
            answer = client.get(url)
            if answer.status_code != 200 or not answer.content_type.startswith("text/html"):
                continue
            for action, inner in post_forms(answer.get_data(as_text=True)):
                seen += 1
                if not TOKEN.search(inner):
                    missing.append((role, url, action))
    anonymous = app.test_client().get("/login").get_data(as_text=True)
    assert all(TOKEN.search(inner) for _, inner in post_forms(anonymous))
    assert seen > 15  # the crawl really saw the forms (logout, steps, assignments, editors, admin)
    assert missing == []
