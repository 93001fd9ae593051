"""The app served by Werkzeug's threaded server for the browser tests, on a free port.

Werkzeug 3.1 leaves a response's file open when the browser drops the connection while the server
drains the request (a navigation cancelling a static file): `run_wsgi` reads the socket in the
`finally` that closes the response, the read raises, and the close is skipped. The open file is
reported by the garbage collector during some later test (a ResourceWarning, an error under
filterwarnings = error). The handler below closes the response itself when that happens."""

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from werkzeug.serving import WSGIRequestHandler, make_server

_RESPONSE = "tests.live.response"


class _Handler(WSGIRequestHandler):
    def connection_dropped(self, error, environ=None):
        response = (environ or {}).get(_RESPONSE)
        if response is not None and hasattr(response, "close"):
            response.close()


def _keeping_response(app):
    def wsgi(environ, start_response):
        environ[_RESPONSE] = response = app(environ, start_response)
        return response

    return wsgi


@contextmanager
def serving(app) -> Iterator[str]:
    """Serve `app` in a thread until the block ends; yields the base URL."""
    server = make_server("127.0.0.1", 0, _keeping_response(app), threaded=True, request_handler=_Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
