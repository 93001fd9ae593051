"""Who may use each route of the author blueprint (see route_policy.py)."""

from tests.security.route_policy_roles import TRAINER

AUTHOR_POLICY = {
    "author.index": TRAINER,
    "author.new": TRAINER,
    "author.upload": TRAINER,
    "author.lint": TRAINER,
    "author.preview": TRAINER,
    "author.edit": TRAINER,
    "author.download": TRAINER,
    "author.guide": TRAINER,
    "author.versions": TRAINER,
    "author.republish": TRAINER,
    "author.graph": TRAINER,
    "author.playtest": TRAINER,
    "author.tests": TRAINER,
    "author.analysis": TRAINER,
    "author.translations": TRAINER,
    "author.translate": TRAINER,
}
