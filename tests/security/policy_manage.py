"""Who may use each route of the manage blueprint (see route_policy.py)."""
from tests.security.route_policy_roles import MANAGER

MANAGE_POLICY = {
    "manage.dashboard": MANAGER,
}
