"""Who may use each route of the learn blueprint (see route_policy.py)."""
from tests.security.route_policy_roles import TRAINEE

LEARN_POLICY = {
    "learn.dashboard": TRAINEE,
}
