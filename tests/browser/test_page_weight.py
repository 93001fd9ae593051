"""What a trainee's phone downloads: the dashboard, a lesson page and a role-play step each weigh
under 100 KB transferred (the page, its CSS, JavaScript, images and fonts, headers included),
measured in Chromium at phone size with an empty cache (a first visit: the most it can be), and
nothing is asked of another host."""

import re
from urllib.parse import urlsplit

import pytest

from tests.helpers import PASSWORD, publish_course

pytestmark = pytest.mark.browser

BAR_BYTES = 100 * 1024
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True}
SCENARIO = "ranking-the-pipeline"
MODULE = "crm-data-that-matters"


class Transfers:
    """Every response a page load brings, with its transferred size (Chromium's own figures:
    the body as it came over the wire, compressed or not, and the headers)."""

    def __init__(self, page):
        self.rows = []
        page.on("requestfinished", self._finished)

    def _finished(self, request):
        sizes = request.sizes()
        self.rows.append((request.url, sizes["responseBodySize"] + sizes["responseHeadersSize"]))

    def total(self):
        return sum(size for _url, size in self.rows)


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
SEQ = re.compile(r'name="seq"[^>]*value="(\d+)"')


def measure(browser, base, email, path, setup=None):
    """(bytes, [(url, bytes)]) of `path` opened for the first time on a phone: a fresh browser
    (empty cache) logged in and set up (`setup(context)` may post forms and name the path)
    through its HTTP client, so that nothing is cached before the page is opened."""
    context = browser.new_context(**PHONE)
    try:
        login = context.request.get(base + "/login")
        token = CSRF.search(login.text()).group(1)
        answer = context.request.post(
            base + "/login", form={"email": email, "password": PASSWORD, "csrf_token": token}, max_redirects=0
        )
        assert answer.status == 302, answer.status
        if setup is not None:
            path = setup(context)
        page = context.new_page()
        page.set_default_timeout(15000)
        transfers = Transfers(page)
        page.goto(base + path, wait_until="load")
        page.wait_for_timeout(300)  # the favicon and late loads
        return path, transfers.total(), list(transfers.rows)
    finally:
        context.close()


def test_a_trainees_pages_weigh_under_100_kb_on_a_phone(browser, live_server, make_app, factory):
    publish_course(make_app())
    person = factory.user(name="Paula Phone")
    base = live_server
    host = urlsplit(base).netloc

    def start(context):
        briefing = context.request.get(f"{base}/learn/scenarios/{SCENARIO}")
        token = CSRF.search(briefing.text()).group(1)
        started = context.request.post(
            f"{base}/learn/scenarios/{SCENARIO}/start",
            form={"csrf_token": token, "mode": "practice"},
            max_redirects=0,
        )
        assert started.status == 200, started.status
        return started.headers["content-location"]

    def step(context):
        address = start(context)
        for _ in range(10):  # Continue until a scene offers choices
            player = context.request.get(base + address).text()
            token, seq = CSRF.search(player).group(1), SEQ.search(player).group(1)
            form = {"csrf_token": token, "seq": seq}
            if 'name="choice"' in player:
                form["choice"] = "1"
            answer = context.request.post(f"{base}{address}/step", form=form, max_redirects=0)
            if answer.status == 200:
                return answer.headers["content-location"]  # the step's feedback page
        raise AssertionError("no scene with choices within ten Continues")

    pages = {
        "dashboard": ("/learn/", None),
        "lesson page": (f"/learn/modules/{MODULE}/pages/1", None),
        "role-play scene": (None, start),
        "role-play step (feedback)": (None, step),
    }
    for name, (path, setup) in pages.items():
        path, total, rows = measure(browser, base, person.email, path, setup)
        elsewhere = [
            url
            for url, _ in rows
            if urlsplit(url).netloc not in (host, "") and not url.startswith(("data:", "blob:"))
        ]
        assert not elsewhere, f"{name} asks another host for {elsewhere}"
        assert any(urlsplit(url).path.endswith(".css") for url, _ in rows), f"{name} ({path}): {rows}"
        detail = ", ".join(f"{urlsplit(url).path} {size / 1024:.1f} KB" for url, size in rows)
        print(f"{name} ({path}): {total / 1024:.1f} KB transferred: {detail}")
        assert total < BAR_BYTES, f"{name} weighs {total / 1024:.1f} KB transferred: {detail}"
