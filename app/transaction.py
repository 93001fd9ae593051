"""The request and job boundaries: the one place writes are committed or rolled back.

Views and services never commit: services flush, and when the view has answered, its
transaction is committed once if the answer is a success or a redirect (status below 400),
and rolled back if the view refused the request (400 and above) or raised. A service that
may refuse after it has written wraps those writes in a savepoint (`db.session.begin_nested()`),
so the refusal leaves nothing behind even when the view then redirects.

The page is rendered before the commit, from the objects in memory, and the commit expires
nothing: what runs after it (the request log) reads no row back. A commit that fails raises
here, so the site's error page is sent instead of the success (and the success's flashed
message is dropped with it).

Some records must stay whatever happens to the request (the audit log): `keep()` queues them,
and they are written on a connection of their own once the request's transaction has ended
(on SQLite, a second writer cannot write while the request holds the write lock).

Jobs (`flask mail send`, `flask reminders send`, the mails a request queued, sent after its
answer: app/jobs.py) have a boundary of their own: a service writes a job as a generator whose
every `yield` ends a unit of work (a message claimed, its outcome, one team's reminders), and
`run_job` commits each one before the next starts. A claim is thus committed before the message
leaves, and an error rolls back only the unit it happened in. One-off commands wrap their writes
in `unit_of_work()`."""

from collections.abc import Generator, Iterator
from contextlib import contextmanager
from typing import TypeVar

from flask import current_app, g, session

from app.extensions import db

Report = TypeVar("Report")


def register(app):
    # After-request functions run in the reverse order of registration: registered first, in
    # the factory, this one runs after every other, on the final status (error pages included).
    app.after_request(_commit_or_roll_back)
    app.teardown_request(_end_unanswered)


@contextmanager
def unit_of_work() -> Iterator[None]:
    """Outside a request: commit the block's writes when it ends, roll them back if it raises."""
    try:
        yield
    except BaseException:  # a Ctrl-C or a failed exit leaves nothing half-written either
        db.session.rollback()
        raise
    db.session.commit()


def run_job(units: Generator[None, None, Report]) -> Report:
    """Run a job written as units of work: commit at each `yield` (and at the end), roll back the
    unit that raises and raise (the units before it stay). Returns the job's return value."""
    while True:
        with unit_of_work():
            try:
                next(units)
            except StopIteration as done:
                return done.value


def keep(statement, values):
    """Write `statement` with `values` at the end of the request, even if it is rolled back."""
    g.setdefault("_kept_writes", []).append((statement, values))


def _commit_or_roll_back(response):
    if response.status_code >= 400:
        db.session.rollback()
    else:
        session_ = db.session()
        session_.expire_on_commit = False  # the request is over: nothing to read back
        try:
            session_.commit()
        except Exception:
            db.session.rollback()
            session.pop("_flashes", None)  # no "Saved." on the next page for what was not
            _write_kept()
            raise
        finally:
            session_.expire_on_commit = True
    _write_kept()
    return response


def _end_unanswered(error):
    """A request that ended without a response (an exception let through): roll back, keep."""
    if g.get("_kept_writes"):
        db.session.rollback()
        _write_kept()


def _write_kept():
    writes = g.pop("_kept_writes", None)
    if not writes:
        return
    try:
        with db.engine.begin() as connection:
            for statement, values in writes:
                connection.execute(statement, values)
    except Exception:  # a record that cannot be kept must not turn a refusal into a 500
        current_app.logger.exception("could not write %d record(s) kept past the request", len(writes))
