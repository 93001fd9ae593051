"""Against a served site (gunicorn, several workers, the test database): after "Log out", neither
a session cookie copied before it nor the remember-me cookie alone opens a page, on any worker."""

import pytest

from app.extensions import db
from bench import harness
from tests.helpers import PASSWORD
from tests.security.served import Server


def _logged_in(server, email, remember=False):
    client = harness.Client(server.base)
    form = {"email": email, "password": PASSWORD}
    if remember:
        form["remember"] = "y"
    status, _, _ = client.post("/login", form)
    assert status == 302, status
    return client


def _with_cookies(server, cookies):
    client = harness.Client(server.base)
    client.cookies = dict(cookies)
    return client


@pytest.mark.slow
def test_copied_cookies_open_nothing_after_logout(app, factory, migrated):
    person = factory.user(email="served-session@example.com")
    with app.app_context():
        db.engine.dispose()
    server = Server(migrated, workers=2)
    try:
        browser = _logged_in(server, person.email, remember=True)
        assert browser.get("/learn/")[0] == 200
        session_only = _with_cookies(server, {"session": browser.cookies["session"]})
        remember_only = _with_cookies(server, {"remember_token": browser.cookies["remember_token"]})
        for copy in (session_only, remember_only):  # both work while the session lives
            assert copy.get("/learn/")[0] == 200
        copied_session, copied_remember = browser.cookies["session"], browser.cookies["remember_token"]
        assert browser.post("/logout", {})[0] == 302
        for cookies in (
            {"session": copied_session},
            {"remember_token": copied_remember},
            {"session": copied_session, "remember_token": copied_remember},
        ):
            for _ in range(4):  # whichever worker answers
                status, _, headers = _with_cookies(server, cookies).get("/learn/")
                assert status == 302 and "/login" in headers["Location"], (cookies.keys(), status)
    finally:
        server.stop()
