from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import bp, guessing, session_limits
from app.auth.forms import ChangePasswordForm, LanguageForm, LoginForm
from app.forms import ActionForm, show_error
from app.i18n import CHOSEN, LANGUAGE_NAMES, LANGUAGES
from app.models.users import normalise_email
from app.security import audit, client_address, is_safe_next
from app.services import accounts, sessions

HOME_BY_ROLE = {
    "trainee": "learn.dashboard",
    "manager": "manage.dashboard",
    "trainer": "author.index",
    "admin": "admin.index",
}


def home_for(user):
    return url_for(HOME_BY_ROLE.get(user.role, "learn.dashboard"))


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(home_for(current_user))
    return redirect(url_for("auth.login"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    next_url = request.args.get("next")
    if current_user.is_authenticated:
        return redirect(next_url if is_safe_next(next_url) else home_for(current_user))
    form = LoginForm()
    if form.validate_on_submit():
        if not guessing.reserve(form.email.data):
            guessing.refused("login-limited", form.email.data)
            abort(429)
        user = accounts.authenticate(form.email.data, form.password.data)
        if user is None:
            audit("login-failed", email=normalise_email(form.email.data))
            # One message whether or not the account exists.
            form.password.errors.append(_("That email and password do not match an active account."))
            return render_template("auth/login.html", form=form), 200
        guessing.give_back(form.email.data)
        chosen = session.get(CHOSEN)
        session.clear()  # a fresh session at login, against fixation
        if chosen:  # the language chosen on this page is the account's from now on
            accounts.set_language(user, chosen)
        accounts.note_browser_language(user, request.accept_languages.best_match(LANGUAGES))
        sessions.open_session(
            user, client_address(), request.user_agent.string, form.remember.data, limits=session_limits()
        )
        login_user(user, remember=form.remember.data)
        return redirect(next_url if is_safe_next(next_url) else home_for(user))
    return render_template("auth/login.html", form=form)


@bp.route("/language", methods=["POST"])
def choose_language():
    """The login page's switch: a visitor's language, kept in their session (and saved with the
    account at login); back to the login page, its `next` kept."""
    form = LanguageForm()
    next_url = request.args.get("next")
    if form.validate_on_submit():
        session[CHOSEN] = form.language.data
        if current_user.is_authenticated:
            accounts.set_language(current_user, form.language.data)
    else:
        flash(" ".join(map(str, form.language.errors)) or _("Choose English or Français."), "error")
    return redirect(url_for("auth.login", next=next_url) if is_safe_next(next_url) else url_for("auth.login"))


def _forget_user(language=None):
    """Log out here: a fresh session that keeps only the language, so the login page that
    follows still speaks it."""
    language = language or getattr(current_user, "language", None) or session.get(CHOSEN)
    logout_user()
    session.clear()
    if language:
        session[CHOSEN] = language


@bp.route("/logout", methods=["POST"])
def logout():
    language = getattr(current_user, "language", None)  # before its session ends
    sessions.end_by_token(session.get("_user_id"))
    _forget_user(language)
    flash(_("You are logged out."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/account", methods=["GET", "POST"])
@login_required
def account():
    form = ChangePasswordForm()
    everywhere = ActionForm(prefix="everywhere")
    language = LanguageForm(formdata=None, language=str(get_locale()))
    if form.validate_on_submit():
        # The current password is a password guess like a login's: same budgets, same audit.
        if not guessing.reserve(current_user.email):
            guessing.refused("password-limited", current_user.email, user=current_user)
            form.current_password.errors.append(
                _("Too many wrong passwords in a short time. Wait a few minutes, then try again.")
            )
            return _account_page(form, everywhere, language), 429
        try:
            accounts.change_password(current_user, form.current_password.data, form.new_password.data)
        except accounts.AccountError as error:
            if error.field == "current_password":
                audit("password-failed", user=current_user, email=current_user.email)
            else:
                guessing.give_back(current_user.email)
            show_error(form, error, "new_password")
        else:
            guessing.give_back(current_user.email)
            flash(_("Your password is changed. Other devices have been logged out."), "success")
            return redirect(url_for("auth.account"))
    return _account_page(form, everywhere, language)


@bp.route("/account/language", methods=["POST"])
@login_required
def account_language():
    """The language the site speaks to this user, on every device, and in their mails."""
    language = LanguageForm()
    if language.validate_on_submit():
        accounts.set_language(current_user, language.language.data)
        with force_locale(language.language.data):
            flash(
                _(
                    "From now on the site speaks %(language)s to you.",
                    language=LANGUAGE_NAMES[language.language.data],
                ),
                "success",
            )
        return redirect(url_for("auth.account"))
    return _account_page(ChangePasswordForm(formdata=None), ActionForm(prefix="everywhere"), language), 422


def _account_page(form, everywhere, language):
    devices = sessions.active_for(current_user, session_limits())
    return render_template(
        "auth/account.html", form=form, everywhere=everywhere, language=language, devices=devices
    )


@bp.route("/account/sessions/<int:session_id>/end", methods=["POST"])
@login_required
def end_session(session_id):
    """End one of your own sessions (a lost phone); ending this one logs you out here."""
    this_one = session_id == current_user.session_id
    if not sessions.end_one(current_user, session_id):
        abort(404)
    if this_one:
        _forget_user()
        flash(_("You are logged out."), "info")
        return redirect(url_for("auth.login"))
    flash(_("That session has ended: the device it was on is logged out."), "success")
    return redirect(url_for("auth.account"))


@bp.route("/account/logout-everywhere", methods=["POST"])
@login_required
def logout_everywhere():
    form = ActionForm(prefix="everywhere")
    if form.validate_on_submit():
        accounts.end_all_sessions(current_user, by=current_user)
        _forget_user()
        flash(_("You are logged out on every device."), "info")
    return redirect(url_for("auth.login"))
