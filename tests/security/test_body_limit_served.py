"""Against gunicorn: a chunked request body (no Content-Length) over MAX_CONTENT_LENGTH gets the
site's 413 page, as a declared one does; it used to be cut at the limit and processed."""

import socket

import pytest

from tests.security.served import Server


def _chunked_post(port, path, body):
    sock = socket.create_connection(("127.0.0.1", port), timeout=30)
    sock.sendall(
        (
            f"POST {path} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
        ).encode()
    )
    try:
        for start in range(0, len(body), 65536):
            part = body[start : start + 65536]
            sock.sendall(f"{len(part):x}\r\n".encode() + part + b"\r\n")
        sock.sendall(b"0\r\n\r\n")
    except OSError:
        pass  # the server may answer 413 and close before the end
    answer = b""
    while True:
        try:
            data = sock.recv(65536)
        except OSError:
            break
        if not data:
            break
        answer += data
    sock.close()
    status = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/") else None
    return status, answer.decode("utf-8", "replace")


@pytest.mark.slow
def test_a_chunked_body_over_the_limit_gets_413_and_a_small_one_works(migrated, app):
    from app.extensions import db

    with app.app_context():
        db.engine.dispose()
    server = Server(migrated, workers=1)
    try:
        status, page = _chunked_post(
            server.port, "/login", b"email=a%40example.com&password=" + b"x" * 3_000_000
        )
        assert status == 413, page[:300]
        assert "larger than the site accepts" in page
        status, page = _chunked_post(server.port, "/login", b"email=a%40example.com&password=wrong-password")
        assert status == 200 and "do not match an active account" in page
    finally:
        server.stop()
