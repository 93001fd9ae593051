"""With a shared store (Redis), failed logins are counted across workers and hosts: two app
instances stand for two gunicorn workers."""

import socket
import uuid

import pytest

from tests.helpers import login


def _redis_up():
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=0.5):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_up(), reason="no Redis on 127.0.0.1:6379")
def test_failed_logins_are_counted_across_workers_in_redis(make_app, factory):
    settings = dict(
        RATELIMIT_ENABLED=True,
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379/0",
        RATELIMIT_KEY_PREFIX=f"test-{uuid.uuid4().hex}:",
        LOGIN_LIMIT="10 per 5 minutes",
    )
    worker_a, worker_b = make_app(**settings), make_app(**settings)
    person = factory.user()
    for i in range(10):
        worker = worker_a if i % 2 else worker_b
        assert login(worker.test_client(), person.email, "wrong-password").status_code == 200
    # Each worker saw only five failures; together they reached the limit.
    assert login(worker_a.test_client(), person.email).status_code == 429
    assert login(worker_b.test_client(), person.email).status_code == 429
    # And the counts really live in Redis, where every host sees them.
    import redis

    keys = redis.Redis(host="127.0.0.1", port=6379).keys("*" + settings["RATELIMIT_KEY_PREFIX"] + "*")
    assert any(b"login-account" in key for key in keys) and any(b"login-address" in key for key in keys)
