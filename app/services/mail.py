"""Outgoing mail: queued in the outbox inside the transaction of the event that causes it, sent by
`flask mail send` through the SMTP server the MAIL_* settings name.

Why an outbox rather than sending from the request: a message is never lost when the SMTP
server is down (it waits and is tried again with back-off), a page never waits on a slow server,
and a message is never sent twice: its event key is unique per recipient and kind, and each
sender claims a message with a conditional UPDATE (queued -> sending) before sending it, so of
two senders running at once (two hosts' timers) only one gets it, on SQLite and PostgreSQL."""

import re
import smtplib
import ssl
from collections.abc import Generator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from typing import Any, cast
from urllib.parse import urlsplit

from flask import Config, current_app, g, has_request_context, render_template
from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult

from app.extensions import Model, db
from app.models import OutboxMessage, User
from app.models.base import utcnow

# A message claimed this long ago and still "sending": its sender stopped (killed, host lost)
# after claiming it. It may or may not have reached the server, so it is marked, not resent.
ABANDONED_AFTER = timedelta(minutes=30)
STATUSES = ("queued", "sending", "sent", "failed", "cancelled")


class MailNotConfigured(RuntimeError):
    """No MAIL_SERVER: messages stay in the outbox (the admin's Outbox page shows them)."""


# --- links ----------------------------------------------------------------------------------------


def site_link(endpoint: str, **values: object) -> str:
    """An absolute link for a mail, on SITE_URL (never the Host of whoever caused the mail)."""
    parts = urlsplit(current_app.config["SITE_URL"] or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind(
        parts.netloc, script_name=parts.path or "/", url_scheme=parts.scheme or "http"
    )
    return adapter.build(endpoint, values, force_external=True)


def site_path(endpoint: str, **values: object) -> str:
    """The same link as a path on this site (for in-site notifications)."""
    parts = urlsplit(current_app.config["SITE_URL"] or "http://127.0.0.1:5000")
    adapter = current_app.url_map.bind("localhost", script_name=parts.path or "/")
    return adapter.build(endpoint, values)


# --- queueing -------------------------------------------------------------------------------------


def _insert_once(model: type[Model], values: dict[str, object], unique: list[str]) -> int | None:
    """INSERT ... ON CONFLICT DO NOTHING on the unique key; True when this call inserted the row.
    Two writers telling the same event at once: the second one's insert does nothing."""
    dialect = db.session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = (
        insert(model)
        .values(**values)
        .on_conflict_do_nothing(index_elements=unique)
        .returning(model.__table__.c.id)  # the table's `id` column: every model here has one
    )
    row = db.session.execute(statement).first()  # (rowcount is -1 on psycopg here)
    new_id: int | None = None if row is None else row[0]
    return new_id


def queue(
    recipient: User,
    kind: str,
    event_key: str,
    template: str,
    subject: str,
    unsubscribe_url: str | None = None,
    **context: object,
) -> bool:
    """Queue one mail to `recipient` (a User) for an event, in the caller's transaction (flushed,
    never committed). Rendered now, from templates/mail/<template>.txt and .html; a template that
    fails queues the message as failed (visible on the Outbox page) and the event still happens.
    Returns True when queued, False when this event was already told to this person."""
    now = utcnow()
    values = dict(
        recipient_id=recipient.id,
        kind=kind,
        event_key=event_key[:200],
        to_address=recipient.email,
        subject=subject[:200],
        unsubscribe_url=unsubscribe_url,
        status="queued",
        attempts=0,
        next_try_at=now,
        created_at=now,
        text_body="",
        html_body="",
    )
    context.update(
        user=recipient,
        subject=subject,
        unsubscribe_url=unsubscribe_url,
        preferences_url=site_link("notifications.preferences"),
        site_url=site_link("auth.index"),
    )
    try:
        values["text_body"] = render_template(f"mail/{template}.txt", **context)
        values["html_body"] = render_template(f"mail/{template}.html", **context)
    except Exception as error:  # noqa: BLE001  a broken template must not undo the event
        current_app.logger.exception("mail template %s failed for %s", template, kind)
        values.update(
            status="failed",
            last_error=f"The message could not be written (template {template}): "
            f"{type(error).__name__}: {error}"[:2000],
        )
    message_id = _insert_once(OutboxMessage, values, ["recipient_id", "kind", "event_key"])
    if message_id is not None and values["status"] == "queued" and has_request_context():
        g.setdefault("queued_mail", []).append(message_id)
    return message_id is not None


# --- sending --------------------------------------------------------------------------------------


@dataclass
class SendReport:
    sent: int = 0
    retried: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        return (
            f"{self.sent} sent, {self.retried} to try again later, {self.failed} failed, "
            f"{self.cancelled} not sent (account deactivated)"
        )


class _ServerDown(Exception):
    """The server cannot be reached or refuses us: no use trying the next message this run."""


class _Postman:
    """One SMTP connection per run, opened at the first message."""

    def __init__(self, config: Config) -> None:
        self.config = config
        self.smtp: smtplib.SMTP | None = None

    def deliver(self, email: EmailMessage) -> None:
        try:
            if self.smtp is None:
                self.smtp = self._connect()
            self.smtp.send_message(email)
        except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused, smtplib.SMTPNotSupportedError):
            raise
        except smtplib.SMTPResponseException as error:
            if error.smtp_code >= 500 and not isinstance(error, smtplib.SMTPAuthenticationError):
                raise
            raise _ServerDown(f"{error.smtp_code} {error.smtp_error!r}") from error
        except (OSError, smtplib.SMTPException) as error:  # refused, timed out, hung up
            self.close()
            raise _ServerDown(f"{type(error).__name__}: {error}") from error

    def _connect(self) -> smtplib.SMTP:
        c = self.config
        smtp = smtplib.SMTP(c["MAIL_SERVER"], int(c["MAIL_PORT"]), timeout=float(c["MAIL_TIMEOUT"]))
        try:
            if c.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if c.get("MAIL_USERNAME"):
                smtp.login(c["MAIL_USERNAME"], c.get("MAIL_PASSWORD") or "")
        except BaseException:
            smtp.close()
            raise
        return smtp

    def close(self) -> None:
        if self.smtp is not None:
            smtp, self.smtp = self.smtp, None
            try:
                smtp.quit()
            except Exception:  # noqa: BLE001  a server that hung up already
                smtp.close()


def _email(message: OutboxMessage, recipient: User, config: Config) -> EmailMessage:
    """The EmailMessage for an outbox row; ValueError for an address no server would take."""
    try:
        to = Address(display_name=recipient.name or "", addr_spec=message.to_address)
    except (ValueError, IndexError, HeaderParseError) as error:
        raise ValueError(f"Invalid address {message.to_address!r}: {error}") from None
    if not to.username or not to.domain or "." not in to.domain:
        raise ValueError(f"Invalid address {message.to_address!r}.")
    email = EmailMessage()
    email["Subject"] = message.subject
    email["From"] = config["MAIL_DEFAULT_SENDER"]
    email["To"] = to
    email["Date"] = format_datetime(message.created_at.replace(tzinfo=UTC))
    email["Message-ID"] = make_msgid(idstring=f"outbox{message.id}")
    email["Auto-Submitted"] = "auto-generated"
    if message.unsubscribe_url:
        email["List-Unsubscribe"] = f"<{message.unsubscribe_url}>"
        email["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
    email.set_content(message.text_body)
    email.add_alternative(message.html_body, subtype="html")
    return email


def _claim(message_id: int, now: datetime) -> bool:
    """Take a message for this sender: only one concurrent UPDATE finds it still queued."""
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.id == message_id, OutboxMessage.status == "queued", OutboxMessage.next_try_at <= now
        )
        .values(status="sending", claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    return cast(CursorResult[Any], result).rowcount == 1


def _try_later(message: OutboxMessage, now: datetime, error: str, config: Config, report: SendReport) -> None:
    message.last_error = error[:2000]
    if message.attempts >= int(config["MAIL_MAX_ATTEMPTS"]):
        message.status = "failed"
        report.failed += 1
    else:
        message.status = "queued"
        message.next_try_at = now + timedelta(minutes=2 ** (message.attempts - 1))
        report.retried += 1


def _mark_abandoned(now: datetime) -> None:
    db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.status == "sending", OutboxMessage.claimed_at < now - ABANDONED_AFTER)
        .values(
            status="failed", last_error="The sender stopped while sending it: it may or may not have arrived."
        )
        .execution_options(synchronize_session=False)
    )


def send_due_in_steps(
    now: datetime | None = None, limit: int = 500, ids: Sequence[int] | None = None
) -> Generator[None, None, SendReport]:
    """Send the messages that are due, as a job (app/jobs.py runs it): each `yield` ends a unit
    of work the job boundary commits, so each message's claim is committed before it leaves and
    its outcome right after. Returns a SendReport. Stops at the first sign the server is down:
    the rest wait for the next run, their attempts untouched. `ids` narrows it to those
    messages (the ones a request has just queued)."""
    config = current_app.config
    if not config.get("MAIL_SERVER"):
        raise MailNotConfigured("MAIL_SERVER is not set: messages stay in the outbox.")
    now = now or utcnow()
    _mark_abandoned(now)
    yield  # the abandoned ones marked
    due = select(OutboxMessage.id).where(OutboxMessage.status == "queued", OutboxMessage.next_try_at <= now)
    if ids is not None:
        due = due.where(OutboxMessage.id.in_(ids))
    ids = db.session.scalars(due.order_by(OutboxMessage.id).limit(limit)).all()
    yield  # the read ends here: each claim below is a unit of its own
    report, postman = SendReport(), _Postman(config)
    try:
        for message_id in ids:
            claimed = _claim(message_id, now)
            # Committed before the message leaves: a second sender skips it, and a sender that
            # dies while sending leaves it "sending", marked abandoned by a later run.
            yield
            message = db.session.get(OutboxMessage, message_id) if claimed else None
            if message is None:  # another sender has it, or it was deleted since (outbox cleared)
                continue
            server_up = _deliver(message, postman, now, config, report)
            yield  # its outcome
            if not server_up:
                break
    finally:
        postman.close()
    return report


def _deliver(
    message: OutboxMessage, postman: _Postman, now: datetime, config: Config, report: SendReport
) -> bool:
    """Send one claimed message and write its outcome; False when the server is down."""
    recipient = db.session.get(User, message.recipient_id)
    if recipient is None or not recipient.active:
        message.status, message.last_error = "cancelled", "Not sent: the account was deactivated."
        report.cancelled += 1
        return True
    try:
        postman.deliver(_email(message, recipient, config))
    except _ServerDown as error:
        _try_later(message, now, str(error), config, report)
        report.errors.append(str(error))
        return False
    except (ValueError, smtplib.SMTPException) as error:  # this message, for good
        message.status, message.last_error = "failed", f"{type(error).__name__}: {error}"[:2000]
        report.failed += 1
        report.errors.append(message.last_error)
    else:
        message.status, message.sent_at, message.last_error = "sent", utcnow(), None
        report.sent += 1
    return True


# --- the admin's Outbox page ----------------------------------------------------------------------


def outbox_page(
    status: str | None = None, limit: int = 200
) -> tuple[Sequence[OutboxMessage], dict[str, int]]:
    """The latest messages (with their recipients), newest first, and the count per status."""
    stmt = select(OutboxMessage).options(db.joinedload(OutboxMessage.recipient))
    if status in STATUSES:
        stmt = stmt.where(OutboxMessage.status == status)
    messages = db.session.scalars(stmt.order_by(OutboxMessage.id.desc()).limit(limit)).all()
    counts: dict[str, int] = {
        status: n
        for status, n in db.session.execute(
            select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
        )
    }
    return messages, counts


_LINK = re.compile(r"https?://[^\s<>\"']+")


def links_in(text: str | None) -> list[str]:
    """The links of a message's text, for the Outbox page (a newcomer follows a reset link there)."""
    return [link for link in dict.fromkeys(_LINK.findall(text or "")) if "/mail/unsubscribe/" not in link]
