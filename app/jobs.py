"""Jobs: the work no page waits for. `flask mail send` and `flask reminders send` (cron or a
systemd timer), and the mails a request queued, sent once its answer has gone. Each runs a
service's units of work under the job boundary (app/transaction.run_job), which commits them one
by one: services never commit."""

from flask import current_app, g

from app.extensions import db
from app.services import mail, reminders
from app.transaction import run_job


def send_mail(now=None, limit=500, ids=None):
    """Send the queued mails that are due; a mail.SendReport (mail.MailNotConfigured without a
    server). Safe on several hosts at once: each message is claimed, and the claim committed,
    before it is sent."""
    return run_job(mail.send_due_in_steps(now=now, limit=limit, ids=ids))


def send_reminders(now=None):
    """Queue the reminders and digests due at `now`; a reminders.Report. Each team's are
    committed before the next team's are computed, so a failure in one keeps the others'."""
    return run_job(reminders.send_in_steps(now=now))


# --- sending what a request queued, once its answer has gone -------------------------------------


def register(app):
    """With a mail server set (and MAIL_SEND_AFTER_REQUEST on), the mails a request queued leave
    as soon as its answer has been sent (the response's close), so a password-reset link or a
    new-assignment mail does not wait for the next `flask mail send`. The page never waits on the
    SMTP server; the same claim as `flask mail send` keeps a mail from leaving twice, and what
    fails here is tried again by the next `flask mail send`."""
    app.after_request(_send_after_answer)


def _send_after_answer(response):
    queued = g.pop("queued_mail", None)
    config = current_app.config
    if (
        queued
        and config.get("MAIL_SERVER")
        and config.get("MAIL_SEND_AFTER_REQUEST")
        and response.status_code < 400
    ):
        app = current_app._get_current_object()  # the proxy's app, for after the request
        response.call_on_close(lambda: _send_now(app, queued))
    return response


def _send_now(app, ids):
    with app.app_context():
        try:
            send_mail(ids=ids)
        except Exception:  # noqa: BLE001  the answer has gone; `flask mail send` tries again
            app.logger.exception("mail queued by a request could not be sent after it")
        finally:
            db.session.remove()
