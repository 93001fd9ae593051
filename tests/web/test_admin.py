"""The admin's user and team pages: the page is about the chosen user, deactivate and reactivate,
editing name and email, and the site always keeps an active admin."""

from sqlalchemy import event

from app.extensions import db
from app.models import Team, User
from tests.helpers import login


def _user(app, user_id):
    with app.app_context():
        user = db.session.get(User, user_id)
        return user.name, user.email, user.role, user.active


def _details(person, **changes):
    return {
        "name": person.name,
        "email": person.email,
        "role": person.role,
        "team_id": 0,
        "hire_date": "2026-11-02",
        **changes,
    }


def test_the_user_page_is_about_the_chosen_user(client, login_as, factory):
    admin = login_as("admin", name="Ada Admin")
    rep = factory.user(name="Remi Rep", email="remi@example.com")
    page = client.get(f"/admin/users/{rep.id}").get_data(as_text=True)
    assert "<h1" in page and "Remi Rep</h1>" in page and 'value="remi@example.com"' in page
    assert f"/admin/users/{rep.id}/deactivate" in page
    assert f"/admin/users/{admin.id}/deactivate" not in page


def test_deactivate_then_reactivate_a_user_who_then_logs_in_again(app, client, login_as, factory):
    login_as("admin")
    rep = factory.user()
    theirs = app.test_client()
    assert login(theirs, rep.email).status_code == 302
    for _ in range(2):  # a double click deactivates once, and does not toggle back
        assert client.post(f"/admin/users/{rep.id}/deactivate").status_code == 302
    assert _user(app, rep.id)[3] is False
    assert theirs.get("/learn/").status_code == 302  # their session ended
    assert login(app.test_client(), rep.email).status_code == 200  # and they cannot log in
    for _ in range(2):
        assert client.post(f"/admin/users/{rep.id}/reactivate").status_code == 302
    assert _user(app, rep.id)[3] is True
    assert login(app.test_client(), rep.email).status_code == 302


def test_the_admin_edits_a_name_and_an_email(app, client, login_as, factory):
    login_as("admin")
    rep = factory.user(name="Remi Rep", email="remi@example.com")
    answer = client.post(
        f"/admin/users/{rep.id}", data=_details(rep, name="Rémi Repère", email=" Remi.R@Example.com ")
    )
    assert answer.status_code == 302
    assert _user(app, rep.id)[:2] == ("Rémi Repère", "remi.r@example.com")
    assert login(app.test_client(), "remi.r@example.com").status_code == 302


def test_a_wrong_or_empty_name_or_email_is_refused_beside_its_field(app, client, login_as, factory):
    login_as("admin")
    rep = factory.user(name="Remi Rep", email="remi@example.com")
    other = factory.user(name="Olga Other", email="olga@example.com")
    cases = [
        ({"email": "olga@example.com"}, "Another account already uses olga@example.com (Olga Other)."),
        ({"email": "OLGA@example.com"}, "Another account already uses olga@example.com"),
        ({"email": "not an email"}, "Enter a valid email address"),
        ({"email": ""}, "Enter an email address."),
        ({"name": "   "}, "Enter the user&#39;s name."),
        ({"team_id": 999}, "Not a valid choice"),
    ]
    for change, message in cases:
        answer = client.post(f"/admin/users/{rep.id}", data=_details(rep, **change))
        page = answer.get_data(as_text=True)
        assert answer.status_code == 400 and message in page, (change, page[-3000:])
        assert 'class="error"' in page
    assert _user(app, rep.id)[:2] == ("Remi Rep", "remi@example.com")
    assert _user(app, other.id)[:2] == ("Olga Other", "olga@example.com")


def test_the_last_active_admin_cannot_demote_or_deactivate_themself(app, client, login_as):
    admin = login_as("admin")
    answer = client.post(f"/admin/users/{admin.id}", data=_details(admin, role="manager"))
    assert answer.status_code == 400
    assert "You are the last active admin" in answer.get_data(as_text=True)
    answer = client.post(f"/admin/users/{admin.id}/deactivate", follow_redirects=True)
    assert "You cannot deactivate your own account" in answer.get_data(as_text=True)
    assert _user(app, admin.id)[2:] == ("admin", True)


def test_an_admin_may_step_down_when_another_admin_remains(app, client, login_as, factory):
    admin = login_as("admin")
    other = factory.user(role="admin", name="Other Admin")
    assert client.post(f"/admin/users/{other.id}/deactivate").status_code == 302
    # The other admin is deactivated: this one is now the last active admin.
    assert client.post(f"/admin/users/{admin.id}", data=_details(admin, role="trainer")).status_code == 400
    client.post(f"/admin/users/{other.id}/reactivate")
    answer = client.post(f"/admin/users/{admin.id}", data=_details(admin, role="trainer"))
    assert answer.status_code == 302 and answer.headers["Location"].endswith("/login")
    assert _user(app, admin.id)[2] == "trainer"
    assert client.get("/admin/").status_code == 302  # the session of the old role ended


def test_the_last_admin_rule_in_the_service(app, factory):
    from app.services import accounts

    first, second = factory.user(role="admin"), factory.user(role="admin")
    with app.app_context():
        one, two = db.session.get(User, first.id), db.session.get(User, second.id)
        accounts.set_active(two, False, by=one)
        try:
            accounts.set_role(one, "trainee", by=one)
        except accounts.AccountError as error:
            assert error.field == "role" and "last active admin" in str(error)
        else:
            raise AssertionError("the last active admin was demoted")
        accounts.set_active(two, True, by=one)
        accounts.set_role(one, "trainee", by=two)
        assert one.role == "trainee"


def test_teams_need_a_name_and_an_active_manager(app, client, login_as, factory):
    login_as("admin")
    trainee = factory.user(role="trainee", name="Tess Trainee")
    manager = factory.user(role="manager", name="Max Manager")
    answer = client.post("/admin/teams", data={"name": "  ", "manager_id": 0})
    assert answer.status_code == 400 and "Give the team a name." in answer.get_data(as_text=True)
    answer = client.post("/admin/teams", data={"name": "North", "manager_id": trainee.id})
    assert answer.status_code == 400 and "Not a valid choice" in answer.get_data(as_text=True)
    assert client.post("/admin/teams", data={"name": "North", "manager_id": manager.id}).status_code == 302
    answer = client.post("/admin/teams", data={"name": "North", "manager_id": 0})
    assert answer.status_code == 400 and "A team called “North” already exists." in answer.get_data(
        as_text=True
    )
    with app.app_context():
        team = db.session.query(Team).filter_by(name="North").one()
        assert team.manager_id == manager.id
        team_id = team.id
    assert client.post(f"/admin/teams/{team_id}", data={"manager_id": 0}).status_code == 302
    with app.app_context():
        assert db.session.get(Team, team_id).manager_id is None


def test_the_user_list_uses_the_same_number_of_statements_for_more_rows(app, client, login_as, factory):
    login_as("admin")

    def count():
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        with app.app_context():
            event.listen(db.engine, "before_cursor_execute", listener)
        try:
            assert client.get("/admin/").status_code == 200
        finally:
            with app.app_context():
                event.remove(db.engine, "before_cursor_execute", listener)
        return len(statements)

    team = factory.team()
    few = count()
    for n in range(6):
        factory.user(team=factory.team() if n % 2 else team)
    assert count() == few


def test_a_manager_of_a_team_keeps_a_manager_role_until_the_team_has_another(app, client, login_as, factory):
    login_as("admin")
    manager = factory.user(role="manager", name="Max Manager")
    team = factory.team(name="North", manager=manager)
    answer = client.post(f"/admin/users/{manager.id}", data=_details(manager, role="trainee"))
    assert answer.status_code == 400
    assert "Max Manager manages North: choose another manager for that team first." in answer.get_data(
        as_text=True
    )
    assert _user(app, manager.id)[2] == "manager"
    assert client.post(f"/admin/teams/{team}", data={"manager_id": 0}).status_code == 302
    assert (
        client.post(f"/admin/users/{manager.id}", data=_details(manager, role="trainee")).status_code == 302
    )
    assert _user(app, manager.id)[2] == "trainee"
