"""Error pages: plain words, never a traceback."""

from flask import g, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import OperationalError

from app.extensions import db, login_manager

MESSAGES = {
    400: (_l("Bad request"), _l("The page could not understand what was sent. Go back and try again.")),
    403: (_l("Not allowed"), _l("Your account does not give access to this page.")),
    404: (_l("Page not found"), _l("There is nothing here. Check the address or go back to your home page.")),
    405: (_l("Not allowed this way"), _l("This address does not accept that kind of request.")),
    413: (_l("Too large"), _l("What you sent is larger than the site accepts (2 MB). Send a smaller file.")),
    429: (
        _l("Too many attempts"),
        _l("Too many attempts in a short time. Wait a few minutes, then try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error stopped this page. Nothing was half-saved; please try again."),
    ),
    503: (
        _l("Temporarily unavailable"),
        _l("The database is not answering right now. Nothing you entered was lost; try again in a moment."),
    ),
}


def _page(code):
    title, message = MESSAGES[code]
    if (
        request.accept_mimetypes.best == "application/json"
        or request.path.endswith(("/lint", "/preview"))
        and request.method == "POST"
    ):
        return {"error": str(title), "message": str(message)}, code
    return render_template("errors/error.html", code=code, title=title, message=message), code


def register(app):
    for code in (400, 403, 404, 405, 413, 429):
        app.register_error_handler(code, lambda error, code=code: _page(code))

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        # Refused before any view ran: answer without asking the database who is logged in,
        # so a forged or stale form gets its page even while the database is away.
        _without_user()
        title, message = (
            _l("Form expired"),
            _l("This form was open too long or came from elsewhere. Reload the page and submit it again."),
        )
        return render_template("errors/error.html", code=400, title=title, message=message), 400

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        _without_database()
        app.logger.error("database error: %s", error)
        return _page(503)

    @app.errorhandler(500)
    def server_error(error):
        _without_database()
        return _page(500)


def _without_database():
    """Roll back, and render the error page without asking the database who is logged in."""
    try:
        db.session.rollback()
    except Exception:  # the connection itself may be gone
        pass
    _without_user()


def _without_user():
    if "_login_user" not in g or g._login_user is None:
        g._login_user = login_manager.anonymous_user()
