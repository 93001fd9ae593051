"""No page is wider than a 360 px phone screen, for any role. Each role logs in and crawls the
pages it can reach by following links (GET, same site, no downloads) breadth-first from its home,
on a world with the real course, a team with weeks of activity, an assignment, a coaching comment
and long names and e-mail addresses; the trainee also opens a role-play step, a debrief, a
knowledge check and the lesson page with a wide table. Wide tables scroll in their own frame and
long words wrap; an offending page is reported with the elements that stick out."""

import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Assignment, ScenarioAttempt, User
from app.services import comments
from app.services.demo_activity import seed_demo_activity
from tests.helpers import PASSWORD, log_in, publish_course, team_with_manager

pytestmark = pytest.mark.browser

WIDTH = 360
MAX_PAGES = 60
PER_FAMILY = 4
HOMES = {"trainee": "/learn/", "manager": "/manage/", "trainer": "/author/", "admin": "/admin/"}
AREAS = re.compile(r"/(learn|manage|author|admin)/")
SKIP = re.compile(
    r"/logout|/static/|/unsubscribe|\.(csv|txt|md|json|zip|png|svg)$|/download|/export", re.IGNORECASE
)
LESSON_WITH_TABLE = "pao-action-plans"

# Every same-origin link on the page (a[href] only: forms are never submitted by the crawl)
LINKS = """() => [...document.querySelectorAll('a[href]')]      /* SVG links too */
  .filter(a => !a.hasAttribute('download'))
  .map(a => new URL(a.getAttribute('href'), document.baseURI).href)"""

# The elements that stick out past the right edge and are not inside a frame that clips or
# scrolls them: the widest, then up to three innermost ones, as "tag.class (width px, right edge px)".
OFFENDERS = """(width) => {
  const clipped = el => {
    for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') return true;
    }
    return false;
  };
  const out = [];
  for (const el of document.body.querySelectorAll('*')) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= width + 0.5 || clipped(el)) continue;
    out.push({tag: el.tagName.toLowerCase(), cls: el.className && el.className.baseVal !== undefined
              ? el.className.baseVal : el.className, id: el.id, width: Math.round(r.width),
              right: Math.round(r.right), inner: el.querySelector('*') === null});
  }
  const widest = out.reduce((w, o) => (!w || o.width > w.width ? o : w), null);
  const innermost = out.filter(o => o.inner && o !== widest).sort((a, b) => b.right - a.right).slice(0, 3);
  return (widest ? [widest] : []).concat(innermost).map(o => `${o.tag}${o.id ? '#' + o.id : ''}`
    + `${o.cls ? '.' + String(o.cls).trim().split(/\\s+/).join('.') : ''}`
    + ` (${o.width} px wide, right edge at ${o.right} px)`);
}"""


def _family(url):
    """Pages that differ only by an id or a slug (/manage/trainees/<id>, /author/scenario/<slug>/graph):
    a few of each are enough."""
    return re.sub(r"/[a-z0-9]+(-[a-z0-9]+)+(?=/|$)", "/S", re.sub(r"\d+", "N", urlsplit(url).path))


def _world(app, factory):
    publish_course(app)
    manager, team, people = team_with_manager(factory, trainees=3, name="Lyon, Villeurbanne et Vénissieux")
    long_named = factory.user(
        team=team,
        name="Marie-Alexandrine de La Tour-Fontainebleau-Montmorency",
        email="marie-alexandrine.delatourfontainebleaumontmorency@etablissements-"
        "fontainebleau-distribution.example.com",
    )
    trainees = [long_named] + people  # the trainee who crawls has the long name and address
    trainer = factory.user(role="trainer")
    admin = factory.user(role="admin")
    with app.app_context():
        seed_demo_activity([p.email for p in trainees], echo=lambda *_: None)
        first = trainees[0]
        db.session.add(
            Assignment(
                target_kind="module",
                target_slug=LESSON_WITH_TABLE,
                user_id=first.id,
                assigned_by_id=manager.id,
            )
        )
        finished = db.session.scalar(
            select(ScenarioAttempt.id)
            .where(ScenarioAttempt.user_id == first.id, ScenarioAttempt.status == "finished")
            .order_by(ScenarioAttempt.id)
        )
        unfinished = db.session.scalar(
            select(ScenarioAttempt.id).where(
                ScenarioAttempt.user_id == first.id, ScenarioAttempt.status != "finished"
            )
        )
        assert finished and unfinished
        comments.add(
            db.session.get(User, manager.id),
            finished,
            "Good discovery. Next time, ask who signs before you talk about "
            "https://www.example.com/tarifs/2027/grille-des-remises-par-volume-et-par-site.",
        )
        db.session.commit()
    extras = [
        f"/learn/attempts/{unfinished}",
        f"/learn/attempts/{finished}",
        f"/learn/modules/{LESSON_WITH_TABLE}/check",
        f"/learn/modules/{LESSON_WITH_TABLE}/pages/1",
    ]
    return {
        "trainee": (first, extras),
        "manager": (manager, []),
        "trainer": (trainer, []),
        "admin": (admin, []),
    }


def _crawl(browser, base, person, home, extras):
    """Visits up to MAX_PAGES kinds of page from the role's home; returns (visited paths,
    pages wider than the screen with their offenders, pages that answered 500 or more)."""
    context = browser.new_context(viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    visited, too_wide, failed = [], [], []
    try:
        log_in(page, base, person.email, PASSWORD)
        page.wait_for_url(re.compile(r"^(?!.*/login)"))
        queue = deque([base + home] + [base + e for e in extras])
        elsewhere = deque()  # other roles' areas an admin may visit: after the role's own pages
        forced = {base + e for e in extras}
        seen, families = set(), Counter()
        while (queue or elsewhere) and len(visited) < MAX_PAGES:
            url = (queue or elsewhere).popleft()
            if url in seen or (url not in forced and families[_family(url)] >= PER_FAMILY):
                continue
            response = page.goto(url)
            for where in {url, urldefrag(page.url).url}:  # the address asked for and where it led
                if where not in seen:
                    seen.add(where)
                    families[_family(where)] += 1
            path = urlsplit(page.url).path + (
                ("?" + urlsplit(page.url).query) if urlsplit(page.url).query else ""
            )
            visited.append(path)
            if response is None or response.status >= 500:
                failed.append(f"{path}: {response.status if response else 'no response'}")
                continue
            if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"):
                too_wide.append(
                    f"{path}: {page.evaluate('document.documentElement.scrollWidth')} px wide; "
                    f"sticking out: {'; '.join(page.evaluate(OFFENDERS, WIDTH)) or '?'}"
                )
            if "text/html" not in (response.headers.get("content-type") or ""):
                continue
            for link in page.evaluate(LINKS):
                link = urldefrag(link).url
                if link.startswith(base + "/") and not SKIP.search(urlsplit(link).path) and link not in seen:
                    (
                        queue
                        if urlsplit(link).path.startswith(home) or not AREAS.match(urlsplit(link).path)
                        else elsewhere
                    ).append(link)
        return visited, too_wide, failed
    finally:
        context.close()


def test_no_page_of_any_role_is_wider_than_a_phone(browser, live_server, make_app, factory):
    app = make_app()
    people = _world(app, factory)
    report, problems = [], []
    for role, (person, extras) in people.items():
        visited, too_wide, failed = _crawl(browser, live_server, person, HOMES[role], extras)
        report.append(f"{role}: {len(visited)} pages: {', '.join(visited)}")
        # the crawl really went through the role's site, not just its home page
        assert len(visited) >= 5, report[-1]
        problems += [f"[{role}] {p}" for p in too_wide + failed]
    print("\n".join(report))
    assert not problems, f"{len(problems)} pages wider than {WIDTH} px or failing:\n" + "\n".join(problems)


def test_a_lesson_table_scrolls_in_its_frame(browser, live_server, make_app, factory):
    """The lesson page with a four-column table: the table is its own scrolling frame."""
    app = make_app()
    people = _world(app, factory)
    person, _ = people["trainee"]
    context = browser.new_context(viewport={"width": WIDTH, "height": 740})
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        log_in(page, live_server, person.email, PASSWORD)
        page.wait_for_url(re.compile(r"^(?!.*/login)"))
        page.goto(f"{live_server}/learn/modules/{LESSON_WITH_TABLE}/pages/1")
        table = page.locator("main table").first
        assert table.count() and table.is_visible()
        assert table.evaluate("t => getComputedStyle(t).overflowX") == "auto"
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    finally:
        context.close()
