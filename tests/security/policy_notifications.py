"""Routes of notifications, mail and password reset."""

from tests.security.route_policy_roles import ADMIN, AUTHENTICATED, PUBLIC

NOTIFICATIONS_POLICY = {
    "notifications.index": AUTHENTICATED,
    "notifications.open_one": AUTHENTICATED,
    "notifications.mark_all_read": AUTHENTICATED,
    "notifications.preferences": AUTHENTICATED,
    "notifications.unsubscribe": PUBLIC,  # a signed link from a mail
    "notifications.outbox": ADMIN,
    "notifications.outbox_message": ADMIN,
    "auth.forgot_password": PUBLIC,
    "auth.reset_password": PUBLIC,  # the signed link is the proof
    "auth.admin_send_reset": ADMIN,
}
