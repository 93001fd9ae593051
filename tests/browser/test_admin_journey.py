"""An admin, clicking as one does: opens a user's page (about that user, not the admin),
deactivates them (they can no longer log in), reactivates them (they can), edits a name and an
email (wrong, empty and taken emails answered beside the field), and cannot demote themself
while they are the last active admin."""

import pytest

from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser


def _try_log_in(browser, base, email):
    context = browser.new_context()
    other = context.new_page()
    log_in(other, base, email, PASSWORD)
    other.wait_for_load_state()
    logged_in = not other.url.endswith("/login")
    context.close()
    return logged_in


def test_admin_deactivates_reactivates_edits_and_stays(browser, page, live_server, factory):
    factory.user(role="admin", name="Ada Admin", email="ada@example.com")
    factory.user(role="trainee", name="Olga Other", email="olga@example.com")
    factory.user(role="trainee", name="Remi Rep", email="remi@example.com")

    log_in(page, live_server, "ada@example.com", PASSWORD)
    page.wait_for_url(live_server + "/admin/")
    page.click("text=Remi Rep")
    assert page.inner_text("h1") == "Remi Rep"
    assert page.input_value("#email") == "remi@example.com"

    # Deactivate: Remi cannot log in any more.
    page.click("text=Deactivate Remi Rep")
    page.wait_for_load_state()
    assert "Remi Rep is deactivated" in page.inner_text(".flashes")
    assert page.inner_text("[data-status]") == "Deactivated"
    assert not _try_log_in(browser, live_server, "remi@example.com")

    # Reactivate: Remi logs in again.
    page.click("text=Reactivate Remi Rep")
    page.wait_for_load_state()
    assert "Remi Rep can log in again" in page.inner_text(".flashes")
    assert page.inner_text("[data-status]") == "Active"
    assert _try_log_in(browser, live_server, "remi@example.com")

    # Wrong, empty and taken emails, an empty name: a message beside the field, nothing saved.
    for name, email, field, message in [
        ("Remi Rep", "not an email", "email", "Enter a valid email address"),
        ("Remi Rep", "", "email", "Enter an email address."),
        ("Remi Rep", "olga@example.com", "email", "Another account already uses"),
        ("", "remi@example.com", "name", "Enter the user's name."),
    ]:
        page.fill("#name", name)
        page.fill("#email", email)
        page.click("button:has-text('Save')")
        page.wait_for_load_state()
        assert message in page.inner_text(f"#{field}-error")
        assert page.inner_text("h1") == "Remi Rep"

    # Right: the new name and email are saved, and Remi logs in with the new email.
    page.fill("#name", "Rémi Repère")
    page.fill("#email", "remi.repere@example.com")
    page.click("button:has-text('Save')")
    page.wait_for_load_state()
    assert "Rémi Repère is saved." in page.inner_text(".flashes")
    assert page.inner_text("h1") == "Rémi Repère"
    assert _try_log_in(browser, live_server, "remi.repere@example.com")

    # The last active admin cannot demote themself, nor deactivate their own account.
    page.click("header >> text=Admin")
    page.click("main >> text=Ada Admin")
    assert page.locator("text=Deactivate Ada Admin").count() == 0
    page.select_option("#role", "manager")
    page.click("button:has-text('Save')")
    page.wait_for_load_state()
    assert "You are the last active admin" in page.inner_text("#role-error")
    page.click("header >> text=Admin")
    assert "Admin" in page.inner_text("main table >> tr:has-text('Ada Admin')")
