"""Against a served site whose database accepts connections and never answers (a TCP port that
accepts and stays silent): every page that needs the database answers 503 with the site's own
page within the connect timeout, instead of hanging until gunicorn kills the worker; pages that
need no database (the login form, a refused forged form) still answer at once."""

import http.client
import re
import socket
import threading

import pytest
from flask.sessions import SecureCookieSessionInterface

from app import create_app
from bench import harness
from config import TestConfig
from tests.security.served import Server


class SilentDatabase:
    """Accepts TCP connections and never sends a byte."""

    def __init__(self):
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.held = []
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.held.append(conn)

    def close(self):
        self.sock.close()
        for conn in self.held:
            conn.close()


def _client(server):
    client = harness.Client(server.base)
    client.conn = http.client.HTTPConnection(client.host, client.port, timeout=20)  # gunicorn's is 60
    return client


@pytest.mark.slow
def test_a_database_that_never_answers_gives_the_sites_503_page():
    silent = SilentDatabase()
    url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.port}/petitspas"
    server = Server(url, workers=2, env={"DATABASE_CONNECT_TIMEOUT": 2})
    try:
        browser = _client(server)
        status, page, _ = browser.get("/login")  # no database needed
        assert status == 200
        status, page, _ = browser.post("/login", {"email": "a@example.com", "password": "whatever-long"})
        assert status == 503, status
        assert "database is not answering" in page.decode() and "Traceback" not in page.decode()
        assert "<title>" in page.decode() and "/static/" in page.decode()  # the site's page, not gunicorn's
        status, body, _ = browser.get("/healthz")  # what a load balancer asks
        assert status == 503 and b'"unavailable"' in body
        assert "Traceback" not in server.log_text()
    finally:
        server.stop()
        silent.close()


@pytest.mark.slow
def test_the_csrf_error_page_needs_no_database():
    """A logged-in looking cookie (whose user would need the database) posting a form without
    its token gets the "Form expired" page, even though the database never answers."""
    silent = SilentDatabase()
    url = f"postgresql+psycopg://nobody@127.0.0.1:{silent.port}/petitspas"
    server = Server(url, workers=1, env={"WTF_CSRF_ENABLED": "true", "DATABASE_CONNECT_TIMEOUT": 2})
    try:
        signer = create_app(TestConfig, SECRET_KEY=server.env["SECRET_KEY"])
        cookie = (
            SecureCookieSessionInterface()
            .get_signing_serializer(signer)
            .dumps({"_user_id": "a-token-whose-user-is-in-the-database", "_fresh": True})
        )
        forger = _client(server)
        forger.cookies = {"session": cookie}
        status, page, _ = forger.post("/account", {"current_password": "x"})
        assert status == 400, status
        assert "Form expired" in page.decode()
        assert not re.search(r"database", page.decode())
    finally:
        server.stop()
        silent.close()
