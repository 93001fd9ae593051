import pytest

from tests.browser.conftest import log_in
from tests.conftest import PASSWORD

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
