"""The manager's guide (docs/managers-guide.md) is reachable from every workspace page and
readable by managers only."""

from tests.helpers import login, publish_course, team_with_manager


def test_a_manager_reaches_the_guide_from_the_workspace(app, client, factory):
    publish_course(app)
    manager, _team_id, _people = team_with_manager(factory, trainees=1)
    login(client, manager.email)
    for page in ("/manage/", "/manage/assignments", "/manage/analytics"):
        assert 'href="/manage/guide"' in client.get(page).get_data(as_text=True), page
    guide = client.get("/manage/guide").get_data(as_text=True)
    assert "data-managers-guide" in guide
    for heading in ("Assign the work that matters now", "Read the phase matrix", "coaching comment"):
        assert heading in guide
    assert "<script" not in guide.split("data-managers-guide", 1)[1].split("</article>", 1)[0]


def test_a_trainee_cannot_open_the_guide(app, client, factory):
    login(client, factory.user().email)
    assert client.get("/manage/guide").status_code in (403, 404)
