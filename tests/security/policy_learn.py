"""Who may use each route of the learn blueprint (see route_policy.py). Admins pass every gate;
object-level checks (another trainee's attempt -> 404) are tested in tests/web/test_learn*.py."""

from tests.security.route_policy_roles import TRAINEE

LEARN_POLICY = {
    "learn.dashboard": TRAINEE,
    "learn.dismiss_welcome": TRAINEE,
    "learn.module": TRAINEE,
    "learn.lesson_page": TRAINEE,
    "learn.knowledge_check": TRAINEE,
    "learn.check_result": TRAINEE,
    "learn.scenario": TRAINEE,
    "learn.start_scenario": TRAINEE,
    "learn.player": TRAINEE,
    "learn.step": TRAINEE,
    "learn.start_over": TRAINEE,
    "learn.step_feedback": TRAINEE,
    "learn.try_again": TRAINEE,
    "learn.my_progress": TRAINEE,
    "learn.comments": TRAINEE,
    "learn.boost": TRAINEE,
    "learn.boost_answer": TRAINEE,
    "learn.boost_feedback": TRAINEE,
}
