"""Routes of stage certificates: the verification page and PDF are public (the uuid4 in the link
is the key; they show nothing private, see tests/web/test_certificates.py), issuing is the
trainee's own, recording an observed role-play, the manager's view of a certificate and
revoking it are for a manager of the trainee's team or an admin (object scope:
test_manager_scope.py)."""

from tests.security.route_policy_roles import MANAGER, PUBLIC, TRAINEE

CERTIFICATES_POLICY = {
    "certificates.public": PUBLIC,
    "certificates.pdf": PUBLIC,
    "certificates.issue": TRAINEE,
    "certificates.observe": MANAGER,
    "certificates.manager_view": MANAGER,
    "certificates.revoke": MANAGER,
}
