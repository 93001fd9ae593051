"""A new trainee's first visit: a welcome to the method and the six stages, dismissed once and
remembered on the account; after Start over the next step reads as a fresh start."""

from tests.helpers import choose, login, start


def test_welcome_until_dismissed_and_remembered(app, client, course, factory):
    person = factory.user()
    login(client, person.email)
    page = client.get("/learn/").get_data(as_text=True)
    assert "data-welcome" in page and "small steps" in page
    welcome = page[page.index("data-welcome") : page.index("</section>", page.index("data-welcome"))]
    assert welcome.count("<li>") == 6 and "Qualifying prospects" in welcome and "Loyalty" in welcome
    response = client.post("/learn/welcome")
    assert response.status_code == 303 and response.headers["Location"].endswith("/learn/")
    assert "data-welcome" not in client.get("/learn/").get_data(as_text=True)
    assert client.post("/learn/welcome").status_code == 303  # a second click changes nothing
    other = app.test_client()  # another browser, same account
    login(other, person.email)
    assert "data-welcome" not in other.get("/learn/").get_data(as_text=True)


def test_no_welcome_once_learning_has_started(app, client, course, factory):
    person = factory.user()
    login(client, person.email)
    client.get("/learn/modules/crm-data-that-matters/pages/1")
    assert "data-welcome" not in client.get("/learn/").get_data(as_text=True)


def test_after_start_over_the_next_step_is_a_fresh_start(app, client, course, factory):
    person = factory.user()
    login(client, person.email)
    attempt_id = start(client)
    choose(client, attempt_id, 1)
    page = client.get("/learn/").get_data(as_text=True)
    assert "You are 1 step in" in page
    response = client.post(f"/learn/attempts/{attempt_id}/start-over")
    assert response.status_code == 303
    page = client.get("/learn/").get_data(as_text=True)
    assert "0 steps in" not in page and "You are 0" not in page
    assert "is ready from its first scene" in page and "Play the role-play" in page
