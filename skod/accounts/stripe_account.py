"""A provider's connected Stripe account: created on first need, onboarded through an Account
Link (or connected by OAuth when the provider already has one), and kept current by
account.updated, capability.updated and account.application.deauthorized.

The row mirrors what Stripe says (charges_enabled...); payments.connect decides from it whether
new payments may be taken.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app, url_for
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.accounts.models import Provider
from skod.core.errors import Conflict, Invalid
from skod.core.signing import make_token, read_token
from skod.core.urls import public_url
from skod.extensions import db
from skod.payments import connect
from skod.payments.cards import StripeUnavailable
from skod.stripe_connect import AccountState
from skod.stripe_gateway import GatewayError, gateway

OAUTH_STATE = "stripe-oauth"


def _no_connect_in_direct_mode() -> None:
    if connect.direct_mode():
        raise Conflict("this installation takes payments on its own Stripe account "
                       "(STRIPE_MODE=direct): there is nothing to connect", code="direct_mode")


def ensure_account(provider: Provider) -> str:
    """The provider's connected account, created (once: the key is the provider's id) and
    stored on first need."""
    _no_connect_in_direct_mode()
    if not provider.stripe_account_id:
        state = gateway().create_account(
            email=provider.email, country=current_app.config["STRIPE_ACCOUNT_COUNTRY"],
            key=f"account:provider:{provider.id}",
            metadata={"skod_provider_id": str(provider.id)},
            business_name=provider.company_name or provider.name)
        apply_state(provider, state)
        db.session.commit()
    return provider.stripe_account_id or ""


def _external(endpoint: str) -> str:
    return public_url(url_for(endpoint))


def onboarding_url(provider: Provider) -> str:
    """A fresh Account Link (single use, short-lived): made on every click."""
    try:
        account = ensure_account(provider)
        return gateway().account_link(account, refresh_url=_external("web.stripe_refresh"),
                                      return_url=_external("web.stripe_return"))
    except GatewayError as err:
        db.session.rollback()
        raise StripeUnavailable("Stripe could not be reached: try again") from err


def apply_state(provider: Provider, state: AccountState) -> None:
    provider.stripe_account_id = state.id
    provider.charges_enabled = state.charges_enabled
    provider.payouts_enabled = state.payouts_enabled
    provider.details_submitted = state.details_submitted
    provider.requirements_due = ",".join(state.requirements_due) or None
    provider.stripe_disabled_reason = state.disabled_reason


def sync(provider: Provider) -> Provider:
    """Read the account back from Stripe and store where the provider stands (commits)."""
    if provider.stripe_account_id and provider.deauthorized_at is None and \
            not connect.direct_mode():
        apply_state(provider, gateway().retrieve_account(provider.stripe_account_id))
    db.session.commit()
    return provider


def status(provider: Provider) -> dict | None:
    """`stripe_account` of GET /me (None before any account exists)."""
    if not provider.stripe_account_id:
        return None
    return {"id": provider.stripe_account_id, "charges_enabled": provider.charges_enabled,
            "payouts_enabled": provider.payouts_enabled,
            "details_submitted": provider.details_submitted,
            "requirements_due": (provider.requirements_due or "").split(",")
            if provider.requirements_due else [],
            "deauthorized": provider.deauthorized_at is not None}


# OAuth: a provider who already has a Stripe account connects it --------------------------------
def oauth_url(provider: Provider) -> str:
    _no_connect_in_direct_mode()
    client_id = current_app.config["STRIPE_CONNECT_CLIENT_ID"]
    if not client_id:
        raise Conflict("connecting an existing Stripe account is not configured "
                       "(STRIPE_CONNECT_CLIENT_ID)", code="oauth_not_configured")
    return gateway().authorize_url(client_id=client_id,
                                   redirect_uri=_external("web.stripe_oauth_return"),
                                   state=make_token(OAUTH_STATE, provider.id),
                                   base=current_app.config["STRIPE_API_BASE"])


def oauth_finish(provider: Provider, code: str, state: str) -> Provider:
    """The account the provider granted us, once the state proves the request was theirs."""
    _no_connect_in_direct_mode()
    if not code or read_token(OAUTH_STATE, state) != provider.id:
        raise Invalid("the Stripe connection could not be verified: try again",
                      {"state": ["invalid"]})
    account = gateway().oauth_token(code)
    taken = db.session.scalar(select(Provider.id).where(Provider.stripe_account_id == account,
                                                        Provider.id != provider.id))
    if taken:
        raise Conflict("this Stripe account is already connected to another provider",
                       code="stripe_account_taken")
    provider.stripe_account_id, provider.deauthorized_at = account, None
    try:
        return sync(provider)
    except IntegrityError as err:
        db.session.rollback()
        raise Conflict("this Stripe account is already connected", code="stripe_account_taken"
                       ) from err


# Webhooks -------------------------------------------------------------------------------------
def _provider_of(account: str | None) -> Provider | None:
    if not account:
        return None
    return db.session.scalar(select(Provider).where(Provider.stripe_account_id == account)
                             .with_for_update())


def account_changed(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """account.updated / capability.updated: the account read back from Stripe (never the
    event body); a restricted account stops new bookings, an enabled one opens them."""
    provider = _provider_of(account or (obj.get("id") if obj.get("object") == "account"
                                        else None))
    if provider is None or provider.deauthorized_at is not None:
        db.session.commit()
        return "ignored"
    apply_state(provider, gateway().retrieve_account(provider.stripe_account_id or ""))
    db.session.commit()
    return None


def deauthorized(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """account.application.deauthorized: we may no longer act on that account (Stripe refuses
    any read now, so the signed event is the proof); new bookings stop at once."""
    provider = _provider_of(account)
    if provider is None:
        db.session.commit()
        return "ignored"
    provider.deauthorized_at = provider.deauthorized_at or now
    provider.charges_enabled = False
    db.session.commit()
    return None
