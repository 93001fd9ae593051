"""Password guesses (at login and for the current password on /account), counted per account and
per address in the limiter's store, shared by every worker and host when it is Redis.

Counting is atomic: each check first takes a unit of both budgets with the limiter's hit (an
increment that answers whether the budget still held), and a right password gives it back. A
test-then-count let 17-21 checks through a limit of 10 under concurrent requests."""

from flask import current_app
from limits import parse

from app.extensions import limiter
from app.models.users import normalise_email
from app.security import audit, client_address

# One refusal per account and address is worth an audit row in this window; the rest only a log line.
LIMITED_AUDIT_EVERY = "1 per 5 minutes"


def _enabled():
    return current_app.config["RATELIMIT_ENABLED"]


def _keys(email):
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    return [
        (prefix + "login-account", normalise_email(email)[:254]),
        (prefix + "login-address", client_address()),
    ]


def reserve(email):
    """Take one guess from the account's and the address's budgets; False when either is spent
    (the caller answers 429 without checking the password)."""
    if not _enabled():
        return True
    limit = parse(current_app.config["LOGIN_LIMIT"])
    held = [limiter.limiter.hit(limit, *key) for key in _keys(email)]  # both counted, always
    return all(held)


def give_back(email):
    """The password was right: the guess does not count against anyone."""
    if _enabled():
        limit = parse(current_app.config["LOGIN_LIMIT"])
        for key in _keys(email):
            limiter.limiter.hit(limit, *key, cost=-1)


def refused(kind, email, user=None):
    """Record a refusal by the limit: an audit row for the first one per account and address in
    a window (a guessing run would otherwise write a row per request), a log line for each."""
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX", "")
    first = limiter.limiter.hit(
        parse(LIMITED_AUDIT_EVERY), prefix + "audit-" + kind, normalise_email(email)[:254], client_address()
    )
    if first:
        audit(kind, user=user, email=normalise_email(email))
    else:
        current_app.logger.warning(
            "%s email=%s address=%s (repeated; not audited again)",
            kind,
            normalise_email(email),
            client_address(),
        )
