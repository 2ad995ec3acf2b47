"""Forgotten password: a page to ask for a link by e-mail, a page to set the new password."""

from __future__ import annotations

from flask import flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, logout_user
from wtforms import BooleanField, EmailField, PasswordField
from wtforms.validators import DataRequired, Length

from skod.accounts import password_reset
from skod.accounts.login_guard import reset_limits
from skod.accounts.passwords import MESSAGES as PASSWORD_MESSAGES
from skod.accounts.passwords import MIN_LENGTH
from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.core.forms import Form
from skod.web.blueprint import bp
from skod.web.forms import REQUIRED, email_address


class ResetRequestForm(Form):
    email = EmailField(_l("E-mail"), validators=[DataRequired(REQUIRED), email_address])


class ResetForm(Form):
    new_password = PasswordField(_l("New password"), validators=[
        DataRequired(REQUIRED),
        Length(min=MIN_LENGTH, message=PASSWORD_MESSAGES["too_short"])])
    revoke_tokens = BooleanField(_l("Also revoke every API token"))


@bp.route("/password-reset", methods=["GET", "POST"])
@reset_limits
def ask_password_reset() -> ResponseReturnValue:
    form = ResetRequestForm()
    if form.validate_on_submit():
        password_reset.request_reset(form.email.data, utcnow())
        # the same words whether the e-mail has an account or not
        flash(_("If an account uses this e-mail, a link to choose a new password is on its "
                "way. It works once, within one hour."), "success")
        return redirect(url_for("web.ask_password_reset"))
    page = render_template("web/password_reset_ask.html", form=form)
    return page, 422 if form.errors else 200


@bp.route("/password-reset/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    if password_reset.read(token, utcnow()) is None:
        return render_template("web/password_reset.html", form=None), 410
    form = ResetForm()
    if form.validate_on_submit():
        try:
            password_reset.complete(token, form.new_password.data, utcnow(),
                                    revoke_tokens=form.revoke_tokens.data)
        except DomainError as err:
            if err.code == "reset_link_invalid":  # used meanwhile, in another tab
                return render_template("web/password_reset.html", form=None), 410
            form.new_password.errors = list((err.fields or {}).get("new_password", []))
        else:
            if current_user.is_authenticated:
                logout_user()  # every session ended: this one too
            flash(_("Your password is changed and every session is logged out. Log in with "
                    "the new password."), "success")
            return redirect(url_for("web.login"))
    page = render_template("web/password_reset.html", form=form)
    return page, 422 if form.errors else 200
