"""The declared access policy of every route. A route missing here fails the matrix test:
declare who may use a new route when you add it.

public: anyone; authenticated: any logged-in role; otherwise the set of roles allowed."""

from tests.security.route_policy_roles import ADMIN, AUTHENTICATED, PUBLIC

POLICY = {
    "static": PUBLIC,
    "auth.index": PUBLIC,
    "ops.healthz": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.choose_language": PUBLIC,
    "auth.account_language": AUTHENTICATED,
    "auth.account": AUTHENTICATED,
    "auth.logout_everywhere": AUTHENTICATED,
    "auth.end_session": AUTHENTICATED,
    "admin.index": ADMIN,
    "admin.create_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.end_sessions": ADMIN,
    "admin.deactivate_user": ADMIN,
    "admin.reactivate_user": ADMIN,
    "admin.create_team": ADMIN,
    "admin.edit_team": ADMIN,
    "admin.audit_log": ADMIN,
    "admin.audit_csv": ADMIN,
}


# Each audience's routes are declared in its own file, next to the others' (see policy_*.py).
from tests.security.policy_author import AUTHOR_POLICY  # noqa: E402
from tests.security.policy_certificates import CERTIFICATES_POLICY  # noqa: E402
from tests.security.policy_learn import LEARN_POLICY  # noqa: E402
from tests.security.policy_manage import MANAGE_POLICY  # noqa: E402
from tests.security.policy_notifications import NOTIFICATIONS_POLICY  # noqa: E402

POLICY.update(LEARN_POLICY)
POLICY.update(MANAGE_POLICY)
POLICY.update(AUTHOR_POLICY)
POLICY.update(NOTIFICATIONS_POLICY)
POLICY.update(CERTIFICATES_POLICY)


def policy_for(endpoint):
    if endpoint in POLICY:
        return POLICY[endpoint]
    return None
