import pytest

from tests.helpers import PASSWORD, login


@pytest.mark.parametrize("path", ["/login", "/no-such-page", "/static/css/site.css"])
def test_security_headers_on_every_response(client, path):
    with client.get(path) as response:  # a static file's stream closes with it
        pass
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"]


def test_session_cookie_flags(app, client, factory):
    person = factory.user()
    response = login(client, person.email)
    cookie = [h for h in response.headers.getlist("Set-Cookie") if h.startswith("session=")][0]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie


def test_no_asset_from_another_host(client, factory):
    person = factory.user(role="admin")
    login(client, person.email)
    for path in ["/login", "/admin/", "/account"]:
        page = client.get(path).get_data(as_text=True)
        assert "http://" not in page and "https://" not in page, path


def test_error_pages_are_plain(client):
    response = client.get("/nothing-here")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_413_for_oversized_bodies(app, client, factory):
    login(client, factory.user(role="admin").email)
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/admin/teams", data={"name": big})
    assert response.status_code == 413
    assert "Too large" in response.get_data(as_text=True)


def test_500_rolls_back_and_shows_a_plain_page(app):
    from app.extensions import db
    from app.models import Team

    @app.route("/boom")
    def boom():
        db.session.add(Team(name="half-written"))
        db.session.flush()
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Traceback" not in response.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(Team).filter_by(name="half-written").count() == 0


def test_pages_with_someones_records_are_not_stored_by_caches(client, factory):
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    login(client, factory.user().email)
    assert client.get("/learn/").headers["Cache-Control"] == "no-store"
    assert client.get("/account").headers["Cache-Control"] == "no-store"
    with client.get("/static/css/site.css") as static:
        assert "no-store" not in static.headers.get("Cache-Control", "")
    client.post("/logout")
    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")


def test_the_page_token_is_kept_per_session_and_accepted(make_app, factory):
    from tests.helpers import csrf_token_from

    app = make_app(WTF_CSRF_ENABLED=True)
    person = factory.user(role="trainee")
    client = app.test_client()
    token = csrf_token_from(client, "/login")
    assert client.post("/login", data={"email": person.email, "password": "x" * 3}).status_code == 400
    client.post("/login", data={"email": person.email, "password": PASSWORD, "csrf_token": token})
    first, second = csrf_token_from(client, "/account"), csrf_token_from(client, "/learn/")
    # the same session token in both pages; each is signed with the second it was written in, so
    # only the payload before the signature's timestamp is compared (they differed across a second)
    assert first.split(".")[0] == second.split(".")[0]
    other = app.test_client()
    assert csrf_token_from(other, "/login") != token
    assert client.post("/logout", data={"csrf_token": first}).status_code == 302
