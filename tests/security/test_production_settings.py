"""In production: cookies are Secure, HttpOnly and SameSite=Lax, HSTS is sent, remember-me lasts
at most 30 days, and no debugger or traceback is ever shown. (Production refusing a weak or
missing SECRET_KEY is tested in tests/test_app.py.)"""

import pytest

from app import create_app
from app.extensions import db
from config import ProductionConfig
from tests.helpers import login

STRONG = "0f5c1e7a9b3d42c68e1f0a7b9c3d5e7f1a2b4c6d8e0f1a3b"


@pytest.fixture
def production(migrated, make_app):
    make_app()  # empties the tables after the test
    app = create_app(
        ProductionConfig,
        SQLALCHEMY_DATABASE_URI=migrated,
        SECRET_KEY=STRONG,
        WTF_CSRF_ENABLED=False,
        RATELIMIT_ENABLED=False,
        MAIL_DISABLED=True,
    )
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_cookies_are_secure_and_hsts_is_sent(production, factory):
    person = factory.user()
    client = production.test_client()
    answer = login(client, person.email, remember="y")
    cookies = answer.headers.getlist("Set-Cookie")
    session = next(c for c in cookies if c.startswith("session="))
    remember = next(c for c in cookies if c.startswith("remember_token="))
    for cookie in (session, remember):
        assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie, cookie
    assert production.config["REMEMBER_COOKIE_DURATION"].days <= 30
    assert "max-age=" in answer.headers["Strict-Transport-Security"]


def test_production_never_shows_a_debugger_or_traceback(production):
    assert production.debug is False and not production.config.get("DEBUG")

    @production.route("/explode")
    def explode():
        raise ZeroDivisionError("secret detail")

    answer = production.test_client().get("/explode")
    body = answer.get_data(as_text=True)
    assert answer.status_code == 500
    assert "Traceback" not in body and "secret detail" not in body and "Werkzeug Debugger" not in body
