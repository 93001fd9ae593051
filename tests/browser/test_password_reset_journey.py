"""A forgotten password, end to end in Chromium: from the login page's link, the mail caught by a
real SMTP server (aiosmtpd), to a new password and the trainee's dashboard."""

import re
import time

import pytest

from app import jobs
from app.extensions import db
from tests.live import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def mail_site(make_app, smtp_server):
    app = make_app(WTF_CSRF_ENABLED=True, MAIL_SERVER="127.0.0.1", MAIL_PORT=smtp_server.port)
    with serving(app) as base:
        app.config["SITE_URL"] = base
        yield app, base


def _send_mail(app):
    with app.app_context():
        report = jobs.send_mail()
        db.session.remove()
    return report


def test_a_trainee_resets_a_forgotten_password_from_the_login_page(page, mail_site, smtp_server, factory):
    app, base = mail_site
    trainee = factory.user(name="Paula Forgot", email="paula@example.com")
    page.goto(base + "/login")
    page.click("text=Forgot your password?")
    page.wait_for_url(base + "/forgot-password")
    page.click("button[type=submit]")  # empty
    page.wait_for_selector("text=Enter the email address of your account.")
    page.fill("input[name=email]", trainee.email)
    page.click("button[type=submit]")
    page.wait_for_selector("[data-reset-sent]")
    for _ in range(100):  # the mail leaves once the answer has gone
        if smtp_server.to("paula@example.com"):
            break
        time.sleep(0.05)
    assert _send_mail(app).sent == 0  # and `flask mail send` does not send it again
    [message] = smtp_server.to("paula@example.com")
    link = re.search(r"http://\S+/reset-password/\S+", smtp_server.text(message)).group(0)
    assert "Hello Paula Forgot," in smtp_server.text(message) and link in smtp_server.html(message)
    page.goto(link)
    page.fill("input[name=new_password]", "paula123")  # the rules apply
    page.fill("input[name=confirm]", "paula123")
    page.click("button[type=submit]")
    page.locator("#new_password-error").wait_for()
    page.fill("input[name=new_password]", "Kettles hum at dawn")
    page.fill("input[name=confirm]", "Kettles hum at dawn")
    page.click("button[type=submit]")
    page.wait_for_url(base + "/learn/")
    assert "Your password is changed and you are logged in." in page.content()
    assert "Paula Forgot" in page.inner_text("header")
    page.goto(link)  # used: it no longer works
    assert "has been used" in page.inner_text("main")
    page.set_viewport_size({"width": 390, "height": 800})
    page.goto(base + "/forgot-password")
    assert page.locator("input[name=email]").is_visible()
