"""Who may use each route of the manage blueprint (see route_policy.py). Managers and admins;
object-level scope (own teams only) is tested in test_manager_scope.py."""

from tests.security.route_policy_roles import MANAGER

MANAGE_POLICY = {
    "manage.dashboard": MANAGER,
    "manage.assignments": MANAGER,
    "manage.create_assignment": MANAGER,
    "manage.change_assignment": MANAGER,
    "manage.cancel_assignment": MANAGER,
    "manage.undo_cancel": MANAGER,
    "manage.analytics": MANAGER,
    "manage.trainee": MANAGER,
    "manage.attempt": MANAGER,
    "manage.comment": MANAGER,
    "manage.edit_comment": MANAGER,
    "manage.delete_comment": MANAGER,
    "manage.export_progress": MANAGER,
    "manage.export_attempts": MANAGER,
    "manage.guide": MANAGER,
}
