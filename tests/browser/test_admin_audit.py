import pytest

from app.extensions import db
from app.models import AuditEvent
from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser


def test_an_admin_filters_the_security_log_by_event_and_person(page, live_server, app, factory):
    admin, rep = factory.user(role="admin", email="boss@example.com"), factory.user(email="rep@example.com")
    with app.app_context():
        db.session.add(
            AuditEvent(kind="login-failed", email="guess@example.com", address="10.0.0.1", path="/login")
        )
        db.session.add(
            AuditEvent(
                kind="role-changed",
                user_id=admin.id,
                target_user_id=rep.id,
                detail="trainee → manager",
                path="/admin/users/2",
            )
        )
        db.session.commit()
    log_in(page, live_server, admin.email, PASSWORD)
    page.goto(live_server + "/admin/audit")
    rows = page.locator("[data-audit] tbody tr[data-kind]")
    assert rows.count() == 2
    page.select_option("select[name=kind]", label="Role changed")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/admin/audit?kind=role-changed*")
    assert rows.count() == 1 and "trainee → manager" in rows.first.inner_text()
    page.select_option("select[name=kind]", value="")
    page.fill("input[name=who]", "guess@")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**who=guess*")
    assert rows.count() == 1 and "guess@example.com" in rows.first.inner_text()
    page.fill("input[name=who]", "nobody-at-all")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**who=nobody-at-all*")
    assert rows.count() == 0 and "Nothing recorded for this choice" in page.content()
    page.get_by_role("link", name="Show everything").click()
    assert rows.count() == 2
    assert page.get_by_role("link", name="Download CSV").get_attribute("href").endswith("/admin/audit.csv")
