"""Against a served site: the "billion laughs" front matter (nested YAML aliases in
negotiation.concessions, about 600 bytes) gets a lint finding at once from /author/lint and
/author/preview, and saved as a draft it does not take the studio's pages down. Before the fix
each of these requests took 30 s and 1 GB and killed the worker: the client gives up after 20 s."""

import http.client
import re
import urllib.parse

import pytest

from app.extensions import db
from bench import harness
from tests.helpers import PASSWORD
from tests.security.served import Server
from tests.security.world import SCENARIO, publish_course

LAUGHS = "".join(
    f"l{i}: &l{i} [{', '.join(['*l' + str(i - 1)] * 9 if i else ['lol'] * 9)}]\n" for i in range(9)
)
BOMB = (
    "---\nid: " + SCENARIO + "\ntitle: Laughs\ncourse: business-relationship\nstage: qualification\n"
    "start: opening\n"
    + LAUGHS
    + "negotiation:\n  concessions: [*l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8, *l8]\n"
    "---\n\n# Laughs\n\n## opening\n\nHello.\n"
)


def _client(server):
    client = harness.Client(server.base)
    client.conn = http.client.HTTPConnection(client.host, client.port, timeout=20)
    return client


@pytest.mark.slow
def test_a_yaml_alias_bomb_is_refused_and_breaks_no_studio_page(app, factory, migrated):
    assert len(BOMB.encode()) < 1000
    publish_course(app)
    trainer = factory.user(role="trainer", email="served-trainer@example.com")
    with app.app_context():
        db.engine.dispose()
    server = Server(migrated, workers=2)
    try:
        studio = _client(server)
        studio.login(trainer.email, PASSWORD)
        status, body, _ = studio.post("/author/lint", {"kind": "scenario", "source": BOMB})
        assert status == 200
        findings = [f["code"] + ":" + str(f["line"]) for f in __import__("json").loads(body)["findings"]]
        assert "E-META:7" in findings, findings  # the first anchor's line
        assert studio.post("/author/preview", {"kind": "scenario", "source": BOMB})[0] == 200
        status, page, _ = studio.get(f"/author/scenario/{SCENARIO}/edit")
        assert status == 200
        revision = re.search(r'name="revision"[^>]*value="([^"]*)"', page.decode()).group(1)
        status, _, _ = studio.request(
            "POST",
            f"/author/scenario/{SCENARIO}/edit",
            {"source": BOMB, "revision": revision, "action": "save"},
        )
        assert status == 302, status
        for path in (
            "/author/",
            f"/author/scenario/{SCENARIO}/edit",
            f"/author/scenario/{SCENARIO}/graph" + "?" + urllib.parse.urlencode({"from": "draft"}),
        ):
            status, _, _ = studio.get(path)
            assert status < 500, (path, status)
        assert "Traceback" not in server.log_text()
    finally:
        server.stop()
