"""Browser tests: Playwright driving Debian's Chromium (headless, --no-sandbox) against the app
served by a real WSGI server in a thread. Skipped with a clear message when no Chromium is
found, unless REQUIRE_BROWSER=1 (CI), where a missing browser is a failure.

Chromium's headless shell (Debian's chromium-headless-shell, the same version's Blink and V8
without the browser's user interface; what Playwright itself runs headless by default) is
preferred when installed: the browser tests cost it about 40% less CPU than the full browser
in headless mode. CHROMIUM=/path/to/chrome picks another."""

import os
import shutil

import pytest

from tests.live import serving

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]


def _chromium():
    names = ("chromium-headless-shell", "chromium", "chromium-browser", "google-chrome")
    for candidate in (os.environ.get("CHROMIUM"), *names):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


@pytest.fixture(scope="session")
def browser():
    path = _chromium()
    if path is None:
        message = "no Chromium found (install Debian's chromium, or set CHROMIUM=/path/to/chrome)"
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail("REQUIRE_BROWSER=1 but " + message)
        pytest.skip("browser tests skipped: " + message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, headless=True, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def live_server(make_app):
    with serving(make_app(WTF_CSRF_ENABLED=True)) as base:
        yield base


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()
