"""Who may use each route of the author blueprint (see route_policy.py)."""
from tests.security.route_policy_roles import TRAINER

AUTHOR_POLICY = {
    "author.index": TRAINER,
}
