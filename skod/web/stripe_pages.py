"""The provider's Stripe page: where their connected account stands, what Stripe still needs,
the onboarding button (a fresh Account Link each time), the OAuth connection of an existing
account, and the return/refresh addresses Stripe sends the provider back to.
"""

from __future__ import annotations

from flask import current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from skod.accounts import stripe_account
from skod.core import formats
from skod.core.errors import DomainError
from skod.extensions import db
from skod.payments import connect
from skod.payments.models import Payment
from skod.stripe_gateway import GatewayError
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm

#: a payment still to be captured (or being captured) on an account
_HELD = ("held", "requires_action", "capture_pending")


def still_held(provider) -> list[str]:  # noqa: ANN001
    """What is still held on the provider's account: captured at the calls' end even after
    the account is restricted (a deauthorized account refuses it: the provider sees it)."""
    if not provider.stripe_account_id:
        return []
    rows = db.session.scalars(select(Payment).where(
        Payment.provider_id == provider.id, Payment.status.in_(_HELD),
        Payment.stripe_account_id == provider.stripe_account_id).order_by(Payment.id))
    return [formats.money(p.amount_held_minor or p.amount_requested_minor, p.currency,
                          current_locale()) for p in rows]


@bp.get("/dashboard/stripe")
@login_required
def stripe_status() -> ResponseReturnValue:
    return render_template("web/stripe.html", form=ActionForm(), direct=connect.direct_mode(),
                           account=stripe_account.status(current_user),
                           ready=connect.can_take_payments(current_user),
                           held=still_held(current_user),
                           oauth=not connect.direct_mode() and bool(
                               current_app.config.get("STRIPE_CONNECT_CLIENT_ID")))


def _go(make_url) -> ResponseReturnValue:  # noqa: ANN001
    try:
        return redirect(make_url(current_user), 303)
    except DomainError as err:
        flash(err.message, "error")
    return redirect(url_for("web.stripe_status"), 303)


@bp.post("/dashboard/stripe/onboarding")
@login_required
def stripe_onboarding() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("web.stripe_status"), 303)
    return _go(stripe_account.onboarding_url)


@bp.get("/dashboard/stripe/refresh")
@login_required
def stripe_refresh() -> ResponseReturnValue:
    """Stripe's refresh_url: the link expired or was used; a fresh one is made at once."""
    return _go(stripe_account.onboarding_url)


@bp.get("/dashboard/stripe/return")
@login_required
def stripe_return() -> ResponseReturnValue:
    """Stripe's return_url: the account is read back (returning says nothing of its state)."""
    _sync_and_say()
    return redirect(url_for("web.stripe_status"), 303)


def _sync_and_say() -> None:
    try:
        stripe_account.sync(current_user)
    except GatewayError:
        db.session.rollback()
        flash(_("Stripe could not be reached: your account's state is updated later."), "error")
        return
    if connect.can_take_payments(current_user):
        flash(_("Your Stripe account can take payments."), "success")
    else:
        flash(_("Stripe still needs some information before you can take payments."), "error")


@bp.post("/dashboard/stripe/oauth")
@login_required
def stripe_oauth() -> ResponseReturnValue:
    if not ActionForm().validate_on_submit():
        return redirect(url_for("web.stripe_status"), 303)
    return _go(stripe_account.oauth_url)


@bp.get("/dashboard/stripe/oauth/return")
@login_required
def stripe_oauth_return() -> ResponseReturnValue:
    if request.args.get("error"):
        flash(_("The Stripe account was not connected."), "error")
        return redirect(url_for("web.stripe_status"), 303)
    try:
        stripe_account.oauth_finish(current_user, request.args.get("code", ""),
                                    request.args.get("state", ""))
    except DomainError as err:
        flash(err.message, "error")
    except GatewayError:
        db.session.rollback()
        flash(_("The Stripe account was not connected."), "error")
    else:
        flash(_("Your Stripe account is connected."), "success")
    return redirect(url_for("web.stripe_status"), 303)
