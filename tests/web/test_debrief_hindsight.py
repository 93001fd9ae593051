"""A debrief that did not pass names, under each weak choice, the best answer at that step and
the scenario's own feedback on it; a passed one does not lecture."""

import html
import re

from app.content import engine, playtest
from app.services.learning import published
from tests.helpers import choose, login, path_by_rating, start

SLUG = "ranking-the-pipeline"


def _play(app, client, best):
    with app.app_context():
        path = path_by_rating(SLUG, best=best)
    attempt_id = start(client, SLUG)
    for number in path:
        choose(client, attempt_id, number)
    return client.get(f"/learn/attempts/{attempt_id}").get_data(as_text=True)


def test_a_failed_path_shows_the_best_answer_at_each_weak_step(app, client, course, factory):
    login(client, factory.user().email)
    page = _play(app, client, best=False)
    assert "Not passed yet" in page
    shown = re.findall(r'data-better="(\d+)"', page)
    assert shown, "a worst-rated path has weak steps"
    # each names the choice best play takes at that point, with its own feedback
    with app.app_context():
        _v, scenario = published.published_scenario(SLUG)
        state, best_labels = engine.start_state(scenario), []
        for number in path_by_rating(SLUG, best=False):
            while engine.needs_continue(scenario, state):
                state, _ = engine.continue_(scenario, state)
            offered = engine.offered_choices(scenario, state)
            chosen, best = offered[number - 1][1], offered[playtest.best_pick(offered)][1]
            if playtest._rank(best) < playtest._rank(chosen):
                best_labels.append(best)
            state, _ = engine.step(scenario, state, number)
    assert len(shown) == len(best_labels)
    blocks = page.split('data-better="')[1:]
    for block, best in zip(blocks, best_labels, strict=False):
        assert "The best answer here" in block
        first_words = re.sub(r"[*_`\[\]]", "", best.feedback).split()[:3]
        assert " ".join(first_words) in html.unescape(re.sub(r"<[^>]+>", "", block))


def test_a_passed_path_shows_no_hindsight(app, client, course, factory):
    login(client, factory.user().email)
    page = _play(app, client, best=True)
    assert "Passed" in page and "data-better" not in page
