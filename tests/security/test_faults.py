"""Faults survived with nothing lost: the same step posted at once from many threads to several
gunicorn worker processes records one step; SIGKILL of a worker, then of the whole server, in the
middle of a burst of steps loses no acknowledged step and leaves no half-written one; a database
that stops answering for a moment gives a clear 503 and the step is recorded once when it is back.
Real processes on the test database (SQLite file or PostgreSQL), driven with http.client."""

import http.client
import re
import threading
import time

import pytest
from sqlalchemy import event

from app.extensions import db
from app.models import AttemptStep, ScenarioAttempt
from bench import harness
from tests.helpers import PASSWORD, login
from tests.security.served import Server, acknowledged, record_problems
from tests.security.world import SCENARIO, publish_course, seq_of, start


def _trainees(app, factory, n):
    publish_course(app)
    with app.app_context():
        db.engine.dispose()
    return [factory.user(email=f"fault{i}@example.com") for i in range(n)]


def _start_over_http(client):
    status, _, headers = client.post(f"/learn/scenarios/{SCENARIO}/start", {})
    assert status == 200, status  # the first page, naming its address
    attempt = int(re.search(r"/attempts/(\d+)", headers["Content-Location"]).group(1))
    return attempt, _next_choice(client, attempt)


def _next_choice(client, attempt):
    """The seq of the next step that offers choices, pressing Continue on the way (role-plays
    have narrative nodes between choices); None at the debrief."""
    seq = None
    for _ in range(20):
        _, page, _ = client.get(f"/learn/attempts/{attempt}")
        page = page.decode()
        seq = seq_of(page)
        if seq is None or 'data-choice="1"' in page:
            return seq
        client.post(f"/learn/attempts/{attempt}/step", {"seq": seq})
    return seq


@pytest.mark.slow
def test_concurrent_posts_of_one_step_from_many_processes_record_one(app, factory, migrated):
    (person,) = _trainees(app, factory, 1)
    server = Server(migrated, workers=3, threads=2)
    try:
        first = harness.Client(server.base)
        first.login(person.email, PASSWORD)
        attempt, seq = _start_over_http(first)
        clients = []
        for _ in range(10):
            c = harness.Client(server.base)
            c.cookies = dict(first.cookies)
            clients.append(c)
        statuses = []
        for _round in range(4):  # four steps, each fired by 10 threads at once
            barrier = threading.Barrier(len(clients))
            answers = []

            def fire(c, seq=seq, barrier=barrier, answers=answers):
                barrier.wait()
                status, _, headers = c.post(f"/learn/attempts/{attempt}/step", {"seq": seq, "choice": 1})
                answers.append((status, headers))

            threads = [threading.Thread(target=fire, args=(c,)) for c in clients]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            statuses += [s for s, _ in answers]
            # one post records; every one is answered with that step's feedback
            assert all(s == 200 for s, _ in answers), answers
            assert all(acknowledged(headers, attempt, seq) for _, headers in answers), answers
            with app.app_context():
                n = db.session.query(AttemptStep).filter_by(attempt_id=attempt, seq=seq).count()
                count = db.session.get(ScenarioAttempt, attempt).step_count
                db.session.remove()
            assert (n, count) == (1, seq)
            seq = _next_choice(first, attempt)
            if seq is None:
                break
        assert not [s for s in statuses if s >= 500]
        assert server.log_problems() == []
    finally:
        server.stop()
    problems, _ = record_problems(app)
    assert problems == []


class Player:
    """A trainee playing in a thread; remembers every step the server acknowledged."""

    def __init__(self, base, email):
        self.client = harness.Client(base)
        self.client.login(email, PASSWORD)
        self.attempt, self.seq = _start_over_http(self.client)
        self.acks, self.errors, self.failures = [], [], 0

    def run(self, stop):
        while not stop.is_set():
            try:
                status, _, headers = self.client.post(
                    f"/learn/attempts/{self.attempt}/step", {"seq": self.seq, "choice": 1}
                )
                if status >= 500:
                    self.errors.append(status)
                if status in (200, 303) and acknowledged(headers, self.attempt, self.seq):
                    self.acks.append((self.attempt, self.seq))
                seq = _next_choice(self.client, self.attempt)
                if seq is None:  # the debrief: play again
                    self.attempt, seq = _start_over_http(self.client)
                self.seq = seq
            except (OSError, http.client.HTTPException, AssertionError, AttributeError):
                # the process serving us died: an unacknowledged post, try again on a new connection
                self.failures += 1
                self.client.conn.close()
                self.client.conn = http.client.HTTPConnection(self.client.host, self.client.port, timeout=30)
                time.sleep(0.05)
                try:
                    _, page, _ = self.client.get(f"/learn/attempts/{self.attempt}")
                    self.seq = seq_of(page.decode()) or self.seq
                except (OSError, http.client.HTTPException):
                    time.sleep(0.1)


@pytest.mark.slow
def test_killing_a_worker_then_the_server_mid_load_loses_no_acknowledged_step(app, factory, migrated):
    people = _trainees(app, factory, 8)
    server = Server(migrated, workers=2)
    stop = threading.Event()
    try:
        players = [Player(server.base, p.email) for p in people]
        threads = [threading.Thread(target=p.run, args=(stop,)) for p in players]
        for t in threads:
            t.start()
        time.sleep(1.5)
        server.kill_worker()  # one worker dies mid-request; the master starts another
        time.sleep(2.0)
        acks_before_power_cut = sum(len(p.acks) for p in players)
        server.kill()  # then the whole server, master and workers at once
        time.sleep(0.5)
        stop.set()
        for t in threads:
            t.join(timeout=60)
    finally:
        stop.set()
        server.stop()
    acks = [a for p in players for a in p.acks]
    assert acks_before_power_cut > 20, "the load did not run"
    assert [e for p in players for e in p.errors] == []
    problems, total = record_problems(app, acks)
    assert problems == []
    assert total >= len(set(acks))
    # and a fresh server carries on from what was recorded
    server = Server(migrated, workers=2)
    try:
        player = players[0]
        player.client = harness.Client(server.base)
        player.client.login(people[0].email, PASSWORD)
        seq = _next_choice(player.client, player.attempt)
        if seq is not None:
            status, _, headers = player.client.post(
                f"/learn/attempts/{player.attempt}/step", {"seq": seq, "choice": 1}
            )
            assert status == 200 and acknowledged(headers, player.attempt, seq)
    finally:
        server.stop()
    assert record_problems(app)[0] == []


def test_database_outage_during_a_step_gives_503_and_the_step_is_recorded_once_after(app, client, factory):
    publish_course(app)
    person = factory.user()
    login(client, person.email)
    attempt = start(client)
    seq = seq_of(client.get(f"/learn/attempts/{attempt}").get_data(as_text=True))
    outage = {"on": True}

    def refuse(*args, **kwargs):
        if outage["on"]:
            from sqlalchemy.exc import OperationalError

            raise OperationalError("SELECT 1", {}, Exception("could not connect to server"))

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", refuse)
    try:
        answer = client.post(f"/learn/attempts/{attempt}/step", data={"seq": seq, "choice": 1})
        assert answer.status_code == 503
        page = answer.get_data(as_text=True)
        assert "database is not answering" in page and "Traceback" not in page
        assert client.get(f"/learn/attempts/{attempt}").status_code == 503
    finally:
        outage["on"] = False
        event.remove(engine, "before_cursor_execute", refuse)
    with app.app_context():
        assert db.session.query(AttemptStep).filter_by(attempt_id=attempt).count() == seq - 1
    answer = client.post(f"/learn/attempts/{attempt}/step", data={"seq": seq, "choice": 1})
    assert answer.status_code == 200 and answer.headers["Content-Location"].endswith(
        f"/attempts/{attempt}/steps/{seq}"
    )
    again = client.post(f"/learn/attempts/{attempt}/step", data={"seq": seq, "choice": 1})  # the user's retry
    assert (
        again.status_code == 200 and again.headers["Content-Location"] == answer.headers["Content-Location"]
    )
    with app.app_context():
        assert db.session.query(AttemptStep).filter_by(attempt_id=attempt, seq=seq).count() == 1
        assert db.session.get(ScenarioAttempt, attempt).step_count == seq
    assert record_problems(app)[0] == []


def test_a_fault_between_the_step_and_the_attempt_update_leaves_neither(app, client, factory, monkeypatch):
    """The step row and the attempt's move are one transaction: an error after the first write
    rolls both back (500 page), and the same post then records the step once."""
    publish_course(app)
    person = factory.user()
    login(client, person.email)
    attempt = start(client)
    seq = seq_of(client.get(f"/learn/attempts/{attempt}").get_data(as_text=True))
    from app.services.learning import role_play_steps

    real = role_play_steps.AttemptStep

    def exploding(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(role_play_steps, "AttemptStep", exploding)
    app.config["PROPAGATE_EXCEPTIONS"] = False
    assert client.post(f"/learn/attempts/{attempt}/step", data={"seq": seq, "choice": 1}).status_code == 500
    monkeypatch.setattr(role_play_steps, "AttemptStep", real)
    with app.app_context():
        assert db.session.get(ScenarioAttempt, attempt).step_count == seq - 1
        assert db.session.query(AttemptStep).filter_by(attempt_id=attempt, seq=seq).count() == 0
    assert client.post(f"/learn/attempts/{attempt}/step", data={"seq": seq, "choice": 1}).status_code == 200
    assert record_problems(app)[0] == []
