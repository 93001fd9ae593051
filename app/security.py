"""Cross-cutting protections: response headers, the role gate, safe redirects, the audit log."""

import hashlib
import hmac
import io
from functools import lru_cache, wraps
from urllib.parse import urlsplit

from flask import abort, current_app, g, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import insert
from werkzeug.middleware.proxy_fix import ProxyFix

# No inline script anywhere: every script is a file under /static.
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
    "form-action 'self'; frame-ancestors 'none'"
)


def register(app):
    app.wsgi_app = BoundedBody(app.wsgi_app, app.config)
    behind = {
        "x_for": max(int(app.config.get("PROXY_FIX_X_FOR") or 0), 0),
        "x_proto": max(int(app.config.get("PROXY_FIX_X_PROTO") or 0), 0),
    }
    if any(behind.values()):
        # Behind nginx or a load balancer, the client's address is the proxy's own: every login
        # and reset limit per address would count the whole site as one visitor. Trust only as
        # many X-Forwarded-For entries as there are proxies (the rest can be forged).
        app.wsgi_app = ProxyFix(app.wsgi_app, **behind)
    app.after_request(_security_headers)
    app.before_request(_seed_csrf_token)
    app.jinja_env.globals["csrf_token"] = csrf_token
    from app.services.sessions import browser_label

    app.jinja_env.filters["browser_label"] = browser_label
    app.context_processor(lambda: {"csrf_token": csrf_token})  # after Flask-WTF's own: wins


class BoundedBody:
    """WSGI middleware: a chunked request body (no Content-Length) is read here up to one byte
    past MAX_CONTENT_LENGTH and handed on with its length, so an oversized one gets the 413 page
    like any other. Without it, gunicorn's chunked bodies were cut at the limit and processed."""

    def __init__(self, wsgi_app, config):
        self.wsgi_app, self.config = wsgi_app, config

    def __call__(self, environ, start_response):
        limit = self.config.get("MAX_CONTENT_LENGTH")
        if (
            limit
            and not environ.get("CONTENT_LENGTH")
            and "chunked" in environ.get("HTTP_TRANSFER_ENCODING", "").lower()
        ):
            stream, body = environ["wsgi.input"], bytearray()
            while len(body) <= limit:
                chunk = stream.read(min(65536, limit + 1 - len(body)))
                if not chunk:
                    break
                body += chunk
            # Over the limit: Werkzeug sees a Content-Length past it and answers 413 (our page).
            environ["wsgi.input"] = io.BytesIO(bytes(body))
            environ["CONTENT_LENGTH"] = str(len(body))
            environ.pop("HTTP_TRANSFER_ENCODING")  # else the length is ignored, as HTTP says
            environ.pop("wsgi.input_terminated", None)
        return self.wsgi_app(environ, start_response)


def csrf_token():
    """Flask-WTF's generate_csrf(), with each session's signed token kept per process: tokens
    never expire here (WTF_CSRF_TIME_LIMIT is None), so signing the same session token again on
    every page (the log-out form is on all of them) buys nothing. Anything else: generate_csrf.

    Still needed (checked in the tooling round, Flask-WTF 1.3): generate_csrf derives the key and
    signs anew on every request, 0.1-0.3 ms each, the 6% of a page's time the profile in
    docs/performance.md showed; and every page carries one token, whatever renders first
    (tests/security/test_headers.py)."""
    field = current_app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if field not in g:
        _seed_csrf_token()
    return g.get(field) or generate_csrf()


def _seed_csrf_token():
    """Before any form renders, put the session's cached signed token where Flask-WTF looks
    first (g), so WTForms' hidden fields and csrf_token() give one token on every page."""
    config = current_app.config
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(field)
    if field not in g and isinstance(raw, str) and config.get("WTF_CSRF_TIME_LIMIT") is None:
        setattr(g, field, _signed_csrf(config.get("WTF_CSRF_SECRET_KEY") or current_app.secret_key, raw))


@lru_cache(maxsize=2048)
def _signed_csrf(secret, raw):
    return URLSafeTimedSerializer(secret, salt="wtf-csrf-token").dumps(raw)


# Every response's headers, each unless the view set its own. Strict-Transport-Security only
# where the cookies are Secure (TLS); Cache-Control only on signed-in pages (below).
HEADERS = (
    ("Content-Security-Policy", CSP),
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("X-Frame-Options", "DENY"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def _security_headers(response):
    """The headers above, added where missing: one pass over the response's headers (each
    headers.setdefault walked them twice, 60-90 µs a response for the six)."""
    present = {key.lower() for key, _value in response.headers.items()}
    wanted = [*HEADERS, HSTS] if current_app.config.get("SESSION_COOKIE_SECURE") else HEADERS
    for key, value in wanted:
        if key.lower() not in present:
            response.headers.add(key, value)
    if "cache-control" not in present and request.endpoint != "static" and "_user_id" in session:
        # Pages with someone's records must not sit in a shared cache. (The session, not
        # current_user: reading the user after a view's commit would query it again.)
        response.headers.add("Cache-Control", "no-store")
    return response


def require_roles(bp, *roles):
    """Gate a whole blueprint once, so a new view cannot forget it. Admins pass every gate."""
    allowed = set(roles) | {"admin"}

    @bp.before_request
    def _gate():
        if not current_user.is_authenticated:
            from app.extensions import login_manager

            return login_manager.unauthorized()
        if current_user.role not in allowed:
            audit("access-refused", user=current_user)
            abort(403)


def roles_required(*roles):
    allowed = set(roles) | {"admin"}

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                from app.extensions import login_manager

                return login_manager.unauthorized()
            if current_user.role not in allowed:
                audit("access-refused", user=current_user)
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def is_safe_next(target):
    """Only a path on this site: no scheme, no host, no backslash or control tricks."""
    if not target or not isinstance(target, str):
        return False
    if any(ord(c) < 32 or ord(c) == 127 for c in target) or "\\" in target:
        return False
    if not target.startswith("/") or target.startswith("//"):
        return False
    parts = urlsplit(target)
    return not parts.scheme and not parts.netloc


def seal(number, purpose, bound_to):
    """A number a form carries back, signed for one purpose and bound to another of the form's
    values (its single-use submission token), so a post cannot name a number it was not given."""
    return f"{int(number)}.{_seal_of(int(number), purpose, bound_to)}"


def unseal(sealed, purpose, bound_to):
    """The number of a seal() made for this purpose and value; None for anything else."""
    number, _, mark = (sealed or "").partition(".")
    if not number.isdigit() or len(number) > 18 or not bound_to:
        return None
    return int(number) if hmac.compare_digest(mark, _seal_of(int(number), purpose, bound_to)) else None


def _seal_of(number, purpose, bound_to):
    message = f"{purpose}:{number}:{bound_to}".encode()
    return hmac.new(current_app.secret_key.encode(), message, hashlib.sha256).hexdigest()[:32]


def client_address():
    return request.remote_addr or "unknown"


def audit(kind, user=None, email=None):
    """Record a failed login or a refused access. Written on a connection of its own when the
    request ends, so the record stays when the request is rolled back."""
    from app.models import AuditEvent
    from app.models.base import utcnow
    from app.transaction import keep

    values = dict(
        kind=kind,
        user_id=getattr(user, "id", None),
        email=email[:254] if email else None,
        address=client_address(),
        path=request.path[:500],
        created_at=utcnow(),
    )
    keep(insert(AuditEvent), values)
    current_app.logger.warning(
        "%s user=%s email=%s address=%s path=%s",
        kind,
        values["user_id"],
        values["email"],
        values["address"],
        values["path"],
    )
