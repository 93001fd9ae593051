"""The declared access policy of every route. A route missing here fails the matrix test:
declare who may use a new route when you add it.

public: anyone; authenticated: any logged-in role; otherwise the set of roles allowed."""
PUBLIC = "public"
AUTHENTICATED = "authenticated"
TRAINEE = {"trainee", "admin"}
MANAGER = {"manager", "admin"}
TRAINER = {"trainer", "admin"}
ADMIN = {"admin"}

POLICY = {
    "static": PUBLIC,
    "auth.index": PUBLIC,
    "auth.login": PUBLIC,
    "auth.logout": PUBLIC,
    "auth.account": AUTHENTICATED,
    "auth.logout_everywhere": AUTHENTICATED,
    "learn.dashboard": TRAINEE,
    "manage.dashboard": MANAGER,
    "author.index": TRAINER,
    "admin.index": ADMIN,
    "admin.create_user": ADMIN,
    "admin.edit_user": ADMIN,
    "admin.toggle_active": ADMIN,
    "admin.create_team": ADMIN,
    "admin.edit_team": ADMIN,
    "admin.audit_log": ADMIN,
}


def policy_for(endpoint):
    if endpoint in POLICY:
        return POLICY[endpoint]
    return None
