from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.extensions import csrf, db
from app.forms import ActionForm
from app.notifications import bp
from app.security import is_safe_next, roles_required
from app.services import mail, notifications


@bp.route("/notifications")
@login_required
def index():
    return render_template(
        "notifications/index.html", notes=notifications.recent(current_user), form=ActionForm()
    )


@bp.route("/notifications/<int:notification_id>")
@login_required
def open_one(notification_id):
    """Opening a notification marks it read and goes straight to what it is about."""
    link = notifications.open_one(current_user, notification_id)
    if link is None:
        abort(404)
    return redirect(link if is_safe_next(link) else url_for("notifications.index"))


@bp.route("/notifications/read", methods=["POST"])
@login_required
def mark_all_read():
    if ActionForm().validate_on_submit():
        notifications.mark_all_read(current_user)
        flash(_("Every notification is marked read."), "success")
    return redirect(url_for("notifications.index"))


@bp.route("/notifications/preferences", methods=["GET", "POST"])
@login_required
def preferences():
    form = ActionForm()
    if form.validate_on_submit():
        notifications.save_preferences(current_user, set(request.form.getlist("mail")))
        flash(_("Your mail preferences are saved."), "success")
        return redirect(url_for("notifications.preferences"))
    return render_template(
        "notifications/preferences.html", form=form, kinds=notifications.preferences(current_user)
    )


@bp.route("/mail/unsubscribe/<token>", methods=["GET", "POST"])
@csrf.exempt  # the signed token is the proof; mail programs post here with no form (RFC 8058)
def unsubscribe(token):
    target = notifications.unsubscribe_target(token)
    if target is None:
        abort(404)
    user, kind = target
    if request.method == "POST":
        notifications.set_mail(user, kind, False)
        return render_template("notifications/unsubscribed.html", kind=notifications.KINDS[kind], done=True)
    return render_template(
        "notifications/unsubscribed.html", kind=notifications.KINDS[kind], done=False, token=token
    )


@bp.route("/admin/outbox")
@roles_required("admin")
def outbox():
    status = request.args.get("status")
    messages, counts = mail.outbox_page(status)
    return render_template(
        "notifications/outbox.html",
        messages=messages,
        counts=counts,
        status=status,
        statuses=mail.STATUSES,
        configured=bool(current_app.config.get("MAIL_SERVER")),
    )


@bp.route("/admin/outbox/<int:message_id>")
@roles_required("admin")
def outbox_message(message_id):
    message = db.get_or_404(mail.OutboxMessage, message_id)
    # With a mail server, a reset link is the recipient's alone: an admin reading it could take the
    # account over. Without one (development), the Outbox is how a newcomer follows it.
    hidden = message.kind == notifications.PASSWORD_RESET and bool(current_app.config.get("MAIL_SERVER"))
    return render_template(
        "notifications/outbox_message.html",
        message=message,
        hidden=hidden,
        links=[] if hidden else mail.links_in(message.text_body),
    )
