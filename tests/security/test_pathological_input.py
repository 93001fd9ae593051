"""Hostile and broken text never costs a 500 or unbounded work (calls counted, not seconds):
POST /author/lint and /author/preview answer with findings (or a clear refusal) for deep nesting,
long emphasis runs, NUL bytes and huge lines; an upload of invalid UTF-8 gets a clear refusal;
bodies over the limit get a 413 page on every kind of route."""

import io

import pytest

from app.extensions import db
from app.models import ContentVersion
from tests.helpers import calls_made, linear_budget, login

BODY = "\n\n## opening\n\nHello.\n\n- [Go](#end) `rating: best`\n\n## end\n`end: win`\n"
FRONT = (
    "---\nid: weird\ntitle: Weird\ncourse: business-relationship\nstage: s\nstart: opening\n---\n\n# Weird\n"
)

PATHOLOGICAL = {
    "deep blockquotes": "> " * 20000 + "x",
    "deep lists": "".join("  " * i + "- x\n" for i in range(1500)),
    "open brackets": "[" * 50000 + "x" + "](" * 20000,
    "emphasis run": "*" * 200000,
    "alternating emphasis": "*a_" * 60000,
    "strong runs": "**a " * 50000,
    "backticks": "`" * 100000,
    "nested links": "[a](" * 20000 + "b" + ")" * 20000,
    "html comment": "<!--" * 50000,
    "nul bytes": "ab\x00cd\x00" * 20000,
    "nul in front matter": "---\nid: x\x00y\ntitle: \x00\n---\n# \x00",
    "deep yaml flow": "---\nid: " + "[" * 20000 + "\n---\n",
    "deep yaml block": "---\n" + "".join("  " * i + f"k{i}:\n" for i in range(800)) + "---\n",
    "yaml alias bomb": "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: "
    "&c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n"
    "d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n"
    "f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n---\n",
    "huge line": "x" * 1_500_000,
    "many nodes": FRONT + "".join(f"\n## n{i}\n\nText.\n\n- [Next](#n{i + 1})\n" for i in range(3000)),
    "deep expression": FRONT + "\n## opening\n\n{" + "(" * 5000 + "1" + ")" * 5000 + "}\n" + BODY,
    "control characters": "".join(chr(c) for c in range(32)) * 2000,
    "lone surrogates escaped": "\\ud800 \udfff".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
}


@pytest.fixture
def studio(app, client, factory):
    login(client, factory.user(role="trainer").email)
    return client


@pytest.mark.parametrize("kind", ["scenario", "module", "course"])
def test_lint_and_preview_answer_pathological_text_in_bounded_work(studio, kind):
    costly, failed = [], []
    for name, source in PATHOLOGICAL.items():
        for path in ("/author/lint", "/author/preview"):
            answer, calls = calls_made(studio.post, path, data={"kind": kind, "source": source})
            if answer.status_code >= 500:
                failed.append((name, path, answer.status_code))
            elif path.endswith("lint") and answer.status_code == 200:
                assert "findings" in answer.get_json(), name
            if calls > linear_budget(source):
                costly.append((name, path, calls))
    assert failed == []
    assert costly == []


def test_lint_reports_broken_text_as_errors(studio):
    for name in ("nul bytes", "deep yaml flow", "emphasis run", "nul in front matter"):
        answer = studio.post("/author/lint", data={"kind": "scenario", "source": PATHOLOGICAL[name]})
        assert answer.status_code == 200, name
        assert answer.get_json()["errors"] >= 1, name


@pytest.mark.parametrize(
    "payload",
    [
        b"\xff\xfe\x00b\x00a\x00d",  # UTF-16 with a BOM
        b"---\nid: x\n---\n# caf\xe9 \xc3\x28 \xa0\xa1",  # Latin-1 and broken sequences
        b"\xed\xa0\x80 lone surrogate",  # CESU / surrogate
        b"\x00" * 1000,
        b"",
    ],
)
def test_invalid_utf8_upload_is_refused_clearly(app, studio, payload):
    answer = studio.post(
        "/author/upload",
        data={"kind": "scenario", "file": (io.BytesIO(payload), "broken.md")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 422, answer.status_code
    if answer.status_code != 302:
        body = answer.get_data(as_text=True)
        assert "Traceback" not in body
    with app.app_context():
        assert db.session.query(ContentVersion).count() == 0


@pytest.mark.parametrize(
    "path,field",
    [
        ("/author/upload", "file"),
        ("/author/lint", "source"),
        ("/author/preview", "source"),
        ("/learn/attempts/1/step", "seq"),
        ("/manage/assignments", "target"),
        ("/login", "email"),
        ("/account", "new_password"),
    ],
)
def test_bodies_over_the_limit_get_413(app, factory, path, field):
    client = app.test_client()
    if path != "/login":  # a logged-in user is sent home from /login before the body is read
        login(client, factory.user(role="admin").email)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 100)
    if field == "file":
        answer = client.post(
            path,
            data={"kind": "scenario", "file": (io.BytesIO(big.encode()), "big.md")},
            content_type="multipart/form-data",
        )
    else:
        answer = client.post(path, data={"kind": "scenario", field: big})
    assert answer.status_code == 413, path
    assert "Traceback" not in answer.get_data(as_text=True)
    assert answer.headers["X-Content-Type-Options"] == "nosniff"
