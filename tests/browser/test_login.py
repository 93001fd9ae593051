import pytest

from tests.helpers import PASSWORD, log_in

pytestmark = pytest.mark.browser


def test_a_trainee_logs_in_and_out_through_chromium(page, live_server, factory):
    trainee = factory.user(role="trainee", name="Tina Browser")
    log_in(page, live_server, trainee.email, "wrong password")
    assert "do not match an active account" in page.content()
    log_in(page, live_server, trainee.email, PASSWORD)
    page.wait_for_url(live_server + "/learn/")
    assert "Tina Browser" in page.inner_text("header")
    page.click("text=Log out")
    page.wait_for_url(live_server + "/login")
    assert "You are logged out." in page.content()


def test_a_person_ends_a_lost_devices_session_from_their_account(browser, live_server, factory):
    """Two browsers (two contexts) logged in as one person: the laptop ends the phone's session
    from /account, and the phone is logged out at its next click; then the laptop logs itself out."""
    person = factory.user(role="trainee", name="Two Devices")
    phone = browser.new_context(
        viewport={"width": 390, "height": 800}, user_agent="Mozilla/5.0 (iPhone) Safari/604.1"
    )
    laptop = browser.new_context(viewport={"width": 1280, "height": 900})
    try:
        on_phone, on_laptop = phone.new_page(), laptop.new_page()
        for page in (on_phone, on_laptop):
            page.set_default_timeout(15000)
            log_in(page, live_server, person.email, PASSWORD)
            page.wait_for_url(live_server + "/learn/")
        on_laptop.goto(live_server + "/account")
        rows = on_laptop.locator("[data-sessions] li")
        assert rows.count() == 2
        phone_row = on_laptop.locator("[data-sessions] li", has_text="Safari on iPhone")
        phone_row.get_by_role("button", name="End").click()
        on_laptop.wait_for_url(live_server + "/account")
        assert "That session has ended" in on_laptop.content()
        assert on_laptop.locator("[data-sessions] li").count() == 1
        on_phone.goto(live_server + "/learn/")
        assert on_phone.url.startswith(live_server + "/login")
        on_laptop.get_by_role("button", name="Log out here").click()
        on_laptop.wait_for_url(live_server + "/login")
        on_laptop.goto(live_server + "/learn/")
        assert on_laptop.url.startswith(live_server + "/login")
    finally:
        phone.close()
        laptop.close()
