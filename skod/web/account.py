"""Provider accounts: sign up, log in, log out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from werkzeug.exceptions import TooManyRequests

from skod.accounts import services as accounts
from skod.accounts.login_guard import login_limits
from skod.core.errors import DomainError, http_error
from skod.extensions import db
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm, LoginForm, PasswordForm, SignupForm


def _safe_next(target: str | None) -> str:
    """Only a local path (no scheme, no host) is followed after login."""
    if target and target.startswith("/") and not target.startswith("//") \
            and not urlsplit(target).netloc:
        return target
    return url_for("web.dashboard")


@bp.route("/signup", methods=["GET", "POST"])
def signup() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = SignupForm()
    if form.validate_on_submit():
        data = form.to_data() | {"locale": current_locale()}
        try:
            provider = accounts.sign_up(data)
        except DomainError as err:
            db.session.rollback()
            _signup_errors(form, err)
        else:
            login_user(provider)
            flash(_("Welcome! Create your first offer and your opening hours."), "success")
            return redirect(url_for("web.offers"))
    return render_template("web/signup.html", form=form)


def _signup_errors(form: SignupForm, err: DomainError) -> None:
    fields = err.fields or {}
    if err.code == "single_provider":
        form.form_errors.append(_("This Skod takes payments on one Stripe account and already "
                                  "has its provider: another provider cannot sign up here."))
    elif "password" in fields:
        form.password.errors = list(fields["password"])
    elif "email" in fields or err.code == "email_taken":
        form.email.errors = [_("An account with this e-mail already exists.")]
    elif "slug" in fields or err.code == "slug_taken":
        form.slug.errors = [_("This address is already taken.")]
    else:
        form.form_errors.append(_("The account could not be created. Please try again."))


@bp.route("/login", methods=["GET", "POST"])
@login_limits
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("web.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            provider = accounts.authenticate(form.email.data, form.password.data)
        except DomainError:
            form.form_errors.append(_("Wrong e-mail or password."))
        else:
            login_user(provider)
            return redirect(_safe_next(request.args.get("next")))
    return render_template("web/login.html", form=form)


@bp.app_errorhandler(429)
def too_many_logins(err: TooManyRequests) -> ResponseReturnValue:
    """Past the login limit the page says so on its form (still 429, with Retry-After); the
    API keeps its JSON answer."""
    if request.path.startswith("/api/") or request.endpoint != "web.login":
        return http_error(err)
    form = LoginForm()
    form.form_errors.append(_("Too many failed attempts: wait a few minutes, then try again."))
    response = make_response(render_template("web/login.html", form=form), 429)
    response.headers.update({k: v for k, v in (err.get_headers() or [])
                             if k.lower() in ("retry-after", "x-ratelimit-reset")})
    return response


@bp.route("/dashboard/password", methods=["GET", "POST"])
@login_required
def change_password() -> ResponseReturnValue:
    """A new password ends every session of the provider; this browser logs in again."""
    form = PasswordForm()
    if form.validate_on_submit():
        provider = current_user._get_current_object()
        try:
            accounts.change_password(provider, form.current_password.data,
                                     form.new_password.data,
                                     revoke_tokens=form.revoke_tokens.data)
        except DomainError as err:
            fields = err.fields or {}
            form.current_password.errors = list(fields.get("current_password", []))
            form.new_password.errors = list(fields.get("new_password", []))
        else:
            login_user(provider)  # the new session version: other sessions stay ended
            flash(_("Your password is changed; your other sessions are logged out."),
                  "success")
            return redirect(url_for("web.profile"))
    page = render_template("web/password.html", form=form)
    return page, 422 if form.errors else 200


@bp.post("/logout")
@login_required
def logout() -> ResponseReturnValue:
    if ActionForm().validate_on_submit():
        # ends this session and any copy of its cookie, and the provider's other sessions
        accounts.end_sessions(current_user._get_current_object())
        logout_user()
        flash(_("You are logged out."), "success")
    return redirect(url_for("web.landing"))
