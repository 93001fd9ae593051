"""A stage certificate in Chromium, at desktop and phone width: a trainee who studied the
qualification stage plays its last role-play in challenge mode, gets the certificate from My
progress (a second click changes nothing), opens its public page and PDF; anyone with the link
sees it without logging in. At desktop width their manager records an observed role-play: an
empty form and a bad date get messages beside the fields, a full one is recorded once."""

import os
import re
from datetime import date, timedelta

import pytest

from app.extensions import db
from tests.helpers import (
    PASSWORD,
    challenge,
    log_in,
    path_by_rating,
    play_to_debrief,
    publish_course,
    quiz_questions,
    study_stage,
    tick,
    words,
)
from tests.pdf_text import text_of

pytestmark = pytest.mark.browser

NAME = "Hélène Lefèvre"
LAST = "ranking-the-pipeline"
OTHER = "the-inherited-territory"
SIZES = {
    "desktop": {"viewport": {"width": 1280, "height": 900}},
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
}
SHOTS = os.environ.get("CERT_SHOTS")  # a folder to keep the screenshots and the PDF in, to look at them


def _shot(target, path, **options):
    """A screenshot (of a page or an element) into SHOTS when it is set: each costs Chromium a
    full render and a PNG, and no test reads them."""
    if SHOTS:
        os.makedirs(os.path.dirname(path), exist_ok=True)
        target.screenshot(path=path, **options)


def _fits(page):
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _play_challenge(page, base, numbers):
    _play(page, base, LAST, numbers)


@pytest.mark.parametrize("size", SIZES)
def test_earning_and_viewing_a_certificate(browser, live_server, make_app, factory, size):
    content_app = make_app()
    publish_course(content_app)
    manager = factory.user(role="manager", name="Marc Manager", email=f"marc.{size}@example.com")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team, email=f"helene.{size}@example.com")
    with content_app.app_context():
        study_stage(person.id, "qualification")
        challenge(person.id, OTHER)
        db.session.commit()
        best = path_by_rating(LAST)
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, person.email, PASSWORD)
        page.goto(f"{base}/learn/progress")
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "in-progress"
        assert stage.locator('[data-requirement="role-play"][data-done="no"]').count() == 1
        _play_challenge(page, base, best)

        page.goto(f"{base}/learn/progress#certificates")
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "ready"
        assert _fits(page)
        _shot(page, f"{SHOTS}/progress-ready-{size}.png", full_page=False)
        issue_form = stage.locator("form:has([data-issue-certificate])")
        sent = issue_form.evaluate("f => [f.action, new URLSearchParams(new FormData(f)).toString()]")
        stage.locator("[data-issue-certificate]").click()
        page.wait_for_selector(".flash-success")
        again = page.request.post(
            sent[0],
            data=sent[1],  # the click sent again
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert again.ok
        stage = page.locator('[data-cert-stage="qualification"]')
        assert stage.get_attribute("data-cert-state") == "certified"
        assert stage.locator("[data-issue-certificate]").count() == 0
        assert _fits(page)
        stage.scroll_into_view_if_needed()
        _shot(page, f"{SHOTS}/progress-certified-{size}.png")
        link = stage.locator("[data-certificate-page]").get_attribute("href")
        pdf_link = stage.locator("[data-certificate-pdf]").get_attribute("href")

        page.goto(f"{base}/learn/")
        assert page.locator(f'[data-my-certificates] a[href="{link}"]').count() == 1

        page.goto(base + link)
        card = page.locator("[data-certificate]")
        assert card.get_attribute("data-valid") == "yes"
        text = card.inner_text()
        assert NAME in text and "Qualifying prospects" in text
        assert _fits(page)
        _shot(page, f"{SHOTS}/public-{size}.png", full_page=True)
        pdf = page.request.get(base + pdf_link)
        assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
        assert NAME in text_of(pdf.body())
        if SHOTS:
            os.makedirs(SHOTS, exist_ok=True)
            with open(f"{SHOTS}/certificate-{size}.pdf", "wb") as fh:
                fh.write(pdf.body())

        stranger = browser.new_context(**SIZES[size])
        try:
            anonymous = stranger.new_page()
            anonymous.goto(base + link)
            body = anonymous.locator("main").inner_text()
            assert NAME in body and "Valid" in body and person.email not in body
            assert anonymous.locator('meta[name="robots"]').get_attribute("content").startswith("noindex")
        finally:
            stranger.close()
    finally:
        context.close()
    with content_app.app_context():
        from sqlalchemy import func, select

        from app.models import Certificate

        assert db.session.scalar(select(func.count()).select_from(Certificate)) == 1


def test_a_manager_records_an_observed_role_play(browser, live_server, make_app, factory):
    content_app = make_app()
    publish_course(content_app)
    manager = factory.user(role="manager", name="Marc Manager")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team)
    context = browser.new_context(**SIZES["desktop"])
    page = context.new_page()
    page.set_default_timeout(15000)
    try:
        base = live_server
        log_in(page, base, manager.email, PASSWORD)
        page.goto(f"{base}/manage/trainees/{person.id}#certification")
        details = page.locator("details.observe-stage", has=page.locator('[data-observe="negotiation"]'))
        details.locator("summary").click()
        form = page.locator('form[data-observe="negotiation"]')
        form.locator('input[name$="observed_on"]').fill("")
        form.locator("[type=submit]").click()  # empty: messages, nothing recorded
        page.wait_for_selector(".flash-error")
        assert page.locator("fieldset.rubric .error").count() == 4
        _shot(page, f"{SHOTS}/observe-errors-desktop.png", full_page=True)
        form = page.locator('form[data-observe="negotiation"]')
        for fieldset in form.locator("fieldset.rubric").all():
            fieldset.locator("input[type=radio]").nth(1).check()  # level 2 everywhere: a pass
        form.locator('input[name$="observed_on"]').fill((date.today() + timedelta(days=2)).isoformat())
        form.locator("[type=submit]").click()  # a date in the future
        page.wait_for_selector(".flash-error")
        assert "cannot be in the future" in page.locator("main").inner_text()
        form = page.locator('form[data-observe="negotiation"]')
        assert form.locator("input[type=radio]:checked").count() == 4  # the choices are kept
        form.locator('input[name$="observed_on"]').fill(date.today().isoformat())
        form.locator("textarea").fill("Held the 8% floor and traded the volume for a two-year term.")
        sent = form.evaluate("f => [f.action, new URLSearchParams(new FormData(f)).toString()]")
        form.locator("[type=submit]").click()
        page.wait_for_url(re.compile(r"/manage/trainees/\d+"))
        page.wait_for_selector(".flash-success")
        assert page.locator("[data-observation]").count() == 1
        assert "Passed" in page.locator("[data-observation]").inner_text()
        replay = page.request.post(
            sent[0],
            data=sent[1],  # the same form sent again
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        assert replay.ok and "already recorded" in replay.text()
        page.goto(f"{base}/manage/trainees/{person.id}#certification")
        assert page.locator("[data-observation]").count() == 1
        _shot(page.locator("#certification"), f"{SHOTS}/manager-certification-desktop.png")
    finally:
        context.close()


# --- the whole journey: boosts at spaced intervals, a certificate, its expiry, a recertification ---

STAGE = "qualification"


def _days_pass(app, user_id, days):
    """The trainee's clock moves on `days` days: every time of their records moves back as much
    (the services read the clock; nothing here sleeps)."""
    from sqlalchemy import select

    from app.models import (
        AttemptStep,
        BoostAnswer,
        BoostItem,
        Certificate,
        PageView,
        QuizAttempt,
        ScenarioAttempt,
    )

    delta = timedelta(days=days)
    times = {
        PageView: ("viewed_at",),
        QuizAttempt: ("created_at",),
        ScenarioAttempt: ("started_at", "updated_at", "finished_at"),
        BoostItem: ("due", "last_review", "created_at"),
        BoostAnswer: ("created_at", "due_after"),
        Certificate: ("issued_on", "expires_on", "created_at"),
    }
    with app.app_context():
        for model, columns in times.items():
            for row in db.session.scalars(select(model).where(model.user_id == user_id)):
                for column in columns:
                    if getattr(row, column) is not None:
                        setattr(row, column, getattr(row, column) - delta)
        attempts = select(ScenarioAttempt.id).where(ScenarioAttempt.user_id == user_id)
        for step in db.session.scalars(select(AttemptStep).where(AttemptStep.attempt_id.in_(attempts))):
            step.created_at -= delta
        db.session.commit()


def _check_key(app, module_id):
    from app.services import publishing

    with app.app_context():
        module = publishing.value_of(publishing.published("module", module_id))
        return {words(q.text): [i for i, a in enumerate(q.answers, 1) if a.correct] for q in module.quiz}


def _take_check(page, base, app, module_id, miss=0):
    """Answer the module's check in the page, `miss` questions wrong; the missed questions' words."""
    page.goto(f"{base}/learn/modules/{module_id}/check")
    missed = []
    for fieldset, name, _several, right, values in quiz_questions(page, _check_key(app, module_id)):
        if len(missed) < miss:
            tick(fieldset, name, [next(v for v in values if v not in right)])
            missed.append(re.sub(r"^question \d+ ", "", words(fieldset.locator("legend").inner_text())))
        else:
            tick(fieldset, name, right)
    page.click("text=Check my answers")
    page.wait_for_selector("[data-quiz-result]")
    return missed


def _boost_right(page, app):
    """Answer the boost item on the page right; its legend's words."""
    from app.models import BoostItem
    from app.services import boosts_shown

    item_id = int(page.get_attribute("form[data-boost-item]", "data-boost-item"))
    with app.app_context():
        right = [str(v) for v in boosts_shown.show(db.session.get(BoostItem, item_id)).right()]
    legend = words(page.locator("form[data-boost-item] legend").first.inner_text())
    for value in right:
        page.check(f'input[name="answer"][value="{value}"]')
    page.click("form[data-boost-item] button[type=submit]")
    page.wait_for_selector("[data-boost-answer]")
    return legend


def _play(page, base, slug, numbers):
    page.goto(f"{base}/learn/scenarios/{slug}")
    page.click('[data-start][data-mode="challenge"]')
    page.wait_for_url(re.compile(r"/attempts/\d+$"))
    play_to_debrief(page, numbers, feedback=False)


def _get_certificate(page, base):
    page.goto(f"{base}/learn/progress#certificates")
    stage = page.locator(f'[data-cert-stage="{STAGE}"]')
    assert stage.get_attribute("data-cert-state") == "ready"
    stage.locator("[data-issue-certificate]").click()
    page.wait_for_selector(".flash-success")
    stage = page.locator(f'[data-cert-stage="{STAGE}"]')
    assert stage.get_attribute("data-cert-state") == "certified"
    return (
        stage.locator("[data-certificate-page]").get_attribute("href"),
        stage.locator("[data-certificate-pdf]").get_attribute("href"),
    )


def _public(browser, size, url):
    """The certificate's page as anyone with the link sees it (no login): data-valid, its text
    and the page (the caller closes its context)."""
    page = browser.new_context(**SIZES[size]).new_page()
    page.goto(url)
    card = page.locator("[data-certificate]")
    return card.get_attribute("data-valid"), card.inner_text(), page


@pytest.mark.parametrize("size", SIZES)
def test_boosts_a_certificate_its_expiry_and_recertification(browser, live_server, make_app, factory, size):
    from app.models import User
    from app.services import certification, demo_activity
    from tests.helpers import stage_modules

    app = make_app()
    publish_course(app)
    manager = factory.user(role="manager", name="Marc Manager", email=f"marc.j.{size}@example.com")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team, email=f"helene.j.{size}@example.com")
    with app.app_context():
        modules = [m.id for m in stage_modules(STAGE)]
        for module_id in modules:
            demo_activity.record_study(person.id, module_id)  # every page read; checks in the page
        db.session.commit()
    base = live_server
    shots = f"{SHOTS}/journey-{size}"
    context = browser.new_context(**SIZES[size])
    page = context.new_page()
    page.set_default_timeout(20000)
    strangers = []
    try:
        log_in(page, base, person.email, PASSWORD)
        # 1. passes the first module's check with one question missed, the second with none
        missed = _take_check(page, base, app, modules[0], miss=1)
        assert page.get_attribute("[data-quiz-result]", "data-percent") != "100"
        assert "is-pass" in page.get_attribute("[data-quiz-result]", "class")
        _take_check(page, base, app, modules[1])
        page.goto(f"{base}/learn/")
        assert page.locator("[data-boost-due]").count() == 0  # nothing fades on the first day

        # 2. three days later: the boost, the missed question first
        _days_pass(app, person.id, 3)
        page.goto(f"{base}/learn/")
        due = int(page.get_attribute("[data-boost-due]", "data-boost-due"))
        assert due >= 3
        _shot(page, f"{shots}/1-dashboard-boost.png", full_page=True)
        assert _fits(page)
        page.click("text=Start today's boost")
        page.wait_for_selector("form[data-boost-item]")
        _shot(page, f"{shots}/2-boost-missed-question.png", full_page=True)
        first = _boost_right(page, app)
        assert missed[0] in first, (missed, first)
        feedback = page.inner_text("[data-boost-answer]")
        assert "because you missed it last time" in feedback  # right after wrong: Hard
        interval = int(re.search(r"again in (\d+) days", feedback).group(1)) if "days" in feedback else 1
        _shot(page, f"{shots}/3-boost-feedback.png", full_page=True)
        while not page.locator("[data-boost-finish]").count():
            page.click("[data-boost-next]")
            page.wait_for_selector("form[data-boost-item]")
            _boost_right(page, app)
        page.click("[data-boost-finish]")

        # 3. the missed question comes back after its interval, then after a longer one
        _days_pass(app, person.id, interval)
        for _ in range(15):  # the other items met in the checks are due too: it is among them
            page.goto(f"{base}/learn/boost")
            page.wait_for_selector("form[data-boost-item]")
            if _boost_right(page, app) == first:
                break
        else:
            pytest.fail("the missed question did not come back")
        later = int(re.search(r"again in (\d+) days", page.inner_text("[data-boost-answer]")).group(1))
        assert later > interval

        # 4. the stage's role-plays passed in challenge mode: the certificate, its PDF, its page
        with app.app_context():
            challenge(person.id, OTHER)
            db.session.commit()
            best = path_by_rating(LAST)
        _play(page, base, LAST, best)
        link, pdf_link = _get_certificate(page, base)
        _shot(page, f"{shots}/4-progress-certified.png", full_page=True)
        pdf = page.request.get(base + pdf_link)
        assert pdf.status == 200 and NAME in text_of(pdf.body())
        valid, text, public = _public(browser, size, base + link)
        strangers.append(public.context)
        assert valid == "yes" and NAME in text and person.email not in text
        _shot(public, f"{shots}/5-public-valid.png", full_page=True)

        # 5. the manager sees the certificate, the boosts kept up, and what it was earned on
        boss = browser.new_context(**SIZES[size])
        strangers.append(boss)
        mpage = boss.new_page()
        mpage.set_default_timeout(20000)
        log_in(mpage, base, manager.email, PASSWORD)
        mpage.goto(f"{base}/manage/")
        row = mpage.locator(f'[data-cert-trainee="{person.id}"]')
        assert row.get_attribute("data-certified") == "1"
        assert int(mpage.get_attribute(f'[data-boost-trainee="{person.id}"]', "data-boost-week")) >= 4
        _shot(mpage, f"{shots}/6-manager-dashboard.png", full_page=True)
        mpage.goto(f"{base}/manage/trainees/{person.id}#certification")
        mpage.click("[data-certificate-details]")
        mpage.wait_for_selector("[data-manager-certificate]")
        assert mpage.locator("[data-evidence-role-play]").count() == 2
        assert _fits(mpage)
        _shot(mpage, f"{shots}/7-manager-certificate.png", full_page=True)

        # 6. 23 months on: expiring, both are told on their dashboards; a month on: expired
        _days_pass(app, person.id, 24 * 30 - 10)
        page.goto(f"{base}/learn/")
        assert "recertify now" in page.inner_text("[data-my-certificates]")
        mpage.goto(f"{base}/manage/")
        assert mpage.get_attribute(f'[data-cert-trainee="{person.id}"]', "data-expiring") == "1"
        _days_pass(app, person.id, 30)
        valid, text, public = _public(browser, size, base + link)
        strangers.append(public.context)
        assert valid == "no" and "Expired" in text
        _shot(public, f"{shots}/8-public-expired.png", full_page=True)
        page.goto(f"{base}/learn/progress#certificates")
        stage = page.locator(f'[data-cert-stage="{STAGE}"]')
        assert stage.get_attribute("data-cert-state") == "expired"
        _shot(page, f"{shots}/9-progress-expired.png", full_page=True)

        # 7. the recertification drawn for them: one check and one role-play, then a new certificate
        with app.app_context():
            user = db.session.get(User, person.id)
            status = next(s for s in certification.stage_certificates(user) if s.stage_id == STAGE)
            needs = {r.kind: r.slug for r in status.requirements if not r.done}
            assert status.recertification and set(needs) == {"check", "role-play"}
            numbers = path_by_rating(needs["role-play"])
        _take_check(page, base, app, needs["check"])
        _play(page, base, needs["role-play"], numbers)
        new_link, _pdf = _get_certificate(page, base)
        assert new_link != link
        valid, text, public = _public(browser, size, base + new_link)
        strangers.append(public.context)
        assert valid == "yes"
        mpage.goto(f"{base}/manage/")
        row = mpage.locator(f'[data-cert-trainee="{person.id}"]')
        assert row.get_attribute("data-certified") == "1" and row.get_attribute("data-expiring") == "0"
        _shot(mpage, f"{shots}/10-manager-recertified.png", full_page=True)
    finally:
        for other in strangers:
            other.close()
        context.close()


@pytest.mark.parametrize("size", SIZES)
def test_a_manager_revokes_a_certificate(browser, live_server, make_app, factory, size):
    from tests.helpers import earn

    app = make_app()
    publish_course(app)
    manager = factory.user(role="manager", name="Marc Manager", email=f"marc.r.{size}@example.com")
    team = factory.team(manager=manager)
    person = factory.user(name=NAME, team=team, email=f"helene.r.{size}@example.com")
    with app.app_context():
        earn(person.id)
        db.session.commit()
    base = live_server
    shots = f"{SHOTS}/revoke-{size}"
    trainee = browser.new_context(**SIZES[size])
    boss = browser.new_context(**SIZES[size])
    stranger = browser.new_context(**SIZES[size])
    try:
        page = trainee.new_page()
        page.set_default_timeout(20000)
        log_in(page, base, person.email, PASSWORD)
        link, _pdf = _get_certificate(page, base)
        mpage = boss.new_page()
        mpage.set_default_timeout(20000)
        log_in(mpage, base, manager.email, PASSWORD)
        mpage.goto(f"{base}/manage/trainees/{person.id}#certification")
        mpage.click("[data-certificate-details]")
        mpage.wait_for_selector("[data-revoke-form]")
        mpage.click("[data-revoke-form] [type=submit]")  # no reason: said beside the field
        mpage.wait_for_selector(".flash-error")
        assert "Say why the certificate is revoked" in mpage.locator("[data-revoke-form]").inner_text()
        _shot(mpage, f"{shots}/1-reason-missing.png", full_page=True)
        mpage.fill("[data-revoke-form] textarea", "Played by a colleague on her account.")
        mpage.click("[data-revoke-form] [type=submit]")
        mpage.wait_for_selector("[data-revocation]")
        assert "Played by a colleague" in mpage.inner_text("[data-revocation]")
        assert mpage.locator("[data-revoke-form]").count() == 0 and _fits(mpage)
        _shot(mpage, f"{shots}/2-revoked-manager.png", full_page=True)
        mpage.goto(f"{base}/manage/")
        row = mpage.locator(f'[data-cert-trainee="{person.id}"]')
        assert row.get_attribute("data-revoked-count") == "1" and row.get_attribute("data-certified") == "0"
        anonymous = stranger.new_page()
        anonymous.goto(base + link)
        card = anonymous.locator("[data-certificate]")
        assert card.get_attribute("data-valid") == "no" and "Revoked" in card.inner_text()
        assert "colleague" not in anonymous.locator("main").inner_text()
        assert anonymous.locator("a[href$='.pdf']").count() == 0 and _fits(anonymous)
        _shot(anonymous, f"{shots}/3-public-revoked.png", full_page=True)
        assert anonymous.request.get(base + link + ".pdf").status == 410
        page.goto(f"{base}/learn/")  # (the same address with its #fragment would not load again)
        assert "was revoked" in page.inner_text("[data-my-certificates]")
        page.goto(f"{base}/learn/progress")
        stage = page.locator(f'[data-cert-stage="{STAGE}"]')
        assert stage.get_attribute("data-cert-state") == "revoked"
        stage.scroll_into_view_if_needed()
        _shot(page, f"{shots}/4-progress-revoked.png")
    finally:
        for context in (trainee, boss, stranger):
            context.close()
