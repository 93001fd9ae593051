"""A forgotten password: /forgot-password sends a link, /reset-password/<token> sets the new
password and logs in; an admin can send the link from a user's page. Every step is in the
security log."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import login_user, logout_user
from limits import parse

from app.auth import bp, session_limits
from app.auth.forms import ForgotPasswordForm, ResetPasswordForm
from app.extensions import db, limiter
from app.forms import ActionForm, show_error
from app.models import User
from app.models.users import normalise_email
from app.security import audit, client_address, roles_required
from app.services import accounts, password_reset, sessions


def _may_ask(email):
    """One unit of the per-email and per-address budgets (RESET_LIMIT): a reset form must not
    become a way to flood someone's mailbox or our SMTP server."""
    if not current_app.config["RATELIMIT_ENABLED"]:
        return True
    limit, prefix = (
        parse(current_app.config["RESET_LIMIT"]),
        current_app.config.get("RATELIMIT_KEY_PREFIX", ""),
    )
    held = [
        limiter.limiter.hit(limit, prefix + "reset-account", normalise_email(email)[:254]),
        limiter.limiter.hit(limit, prefix + "reset-address", client_address()),
    ]
    return all(held)


@bp.route("/forgot-password", methods=["GET", "POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        email = normalise_email(form.email.data)
        if not _may_ask(email):
            audit("password-reset-limited", email=email)
            form.email.errors.append(
                _("Too many links asked for in a short time. Wait a few minutes, then try again.")
            )
            return render_template("auth/forgot_password.html", form=form), 429
        user = password_reset.request_reset(email)
        # The same page whether or not the account exists: it must not tell who has one.
        audit("password-reset-asked" if user else "password-reset-asked-unknown", user=user, email=email)
        return redirect(url_for("auth.forgot_password", sent=1))
    return render_template("auth/forgot_password.html", form=form, sent=request.args.get("sent") == "1")


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token):
    try:
        user = password_reset.user_for_token(token)
    except password_reset.ResetLinkError as error:
        audit("password-reset-link-refused")
        return render_template("auth/reset_password.html", problem=str(error)), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        try:
            password_reset.reset(token, form.new_password.data)
        except accounts.AccountError as error:
            show_error(form, error, "new_password")
        else:
            audit("password-reset-done", user=user, email=user.email)
            logout_user()
            session.clear()  # a fresh session, as at login
            sessions.open_session(user, client_address(), request.user_agent.string, limits=session_limits())
            login_user(user)
            flash(
                _("Your password is changed and you are logged in. Every other session has ended."), "success"
            )
            from app.auth.routes import home_for

            return redirect(home_for(user))
    return render_template("auth/reset_password.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/password-reset", methods=["POST"])
@roles_required("admin")
def admin_send_reset(user_id):
    from flask_login import current_user

    user = db.get_or_404(User, user_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        password_reset.send_by_admin(current_user, user)
    except accounts.AccountError as error:
        flash(str(error), "error")
    else:
        audit("password-reset-sent-by-admin", user=user, email=user.email)
        flash(_("A password-reset link is on its way to %(email)s.", email=user.email), "success")
    return redirect(url_for("admin.edit_user", user_id=user.id))
