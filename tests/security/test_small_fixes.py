"""Smaller holes of the second security pass: CSV responses name their charset once; ids and
names do not accept a trailing newline."""

from flask import url_for

from app.content.lint import check_scenario_text
from app.content.parse import ID_RE, NAME_RE, PAO_ID_RE
from tests.helpers import login
from tests.security.world import build_world, url_values, who_may


def test_every_csv_export_names_its_charset_once(app, factory):
    world = build_world(app, factory)
    clients = {}
    rules = [rule for rule in app.url_map.iter_rules() if rule.rule.endswith(".csv")]
    assert rules
    for rule in rules:
        role = who_may(rule.endpoint)
        if role not in clients:
            clients[role] = app.test_client()
            login(clients[role], world[role].email)
        with app.test_request_context():
            path = url_for(rule.endpoint, **url_values(world, rule))
        answer = clients[role].get(path)
        assert answer.status_code == 200, path
        assert answer.headers["Content-Type"] == "text/csv; charset=utf-8", (
            path,
            answer.headers["Content-Type"],
        )


def test_ids_and_names_refuse_a_trailing_newline():
    for pattern, good in ((ID_RE, "claire-wants"), (NAME_RE, "margin"), (PAO_ID_RE, "A9")):
        assert pattern.match(good)
        assert not pattern.match(good + "\n")


def test_a_scenario_id_with_a_trailing_newline_is_an_error():
    text = '---\nid: "demo\\n"\ntitle: Demo\nstart: a\nscores: {m: [0, 1, 2]}\n---\n\n## a\n`end: win`\n'
    _, findings = check_scenario_text(text, "demo.md")
    assert any(f.code == "E-ID" and f.line == 2 for f in findings), [f.format() for f in findings]
