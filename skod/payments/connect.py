"""Which Stripe account holds a provider's money, and whether it may take new payments.

STRIPE_MODE=platform (Connect): direct charges on the provider's connected account, taken only
while Stripe says charges_enabled and the provider has not revoked our access.
STRIPE_MODE=direct: the operator's own keys are the one provider's account (no header).
Pure reads of the rows and the config; the gateway alone sends the `Stripe-Account` header.
"""

from __future__ import annotations

from flask import current_app

from skod.core.errors import Conflict
from skod.stripe_gateway import Gateway, gateway

CANNOT_TAKE_PAYMENTS = "provider_cannot_take_payments"


def direct_mode() -> bool:
    return current_app.config.get("STRIPE_MODE", "platform") == "direct"


def account_of(provider) -> str | None:  # noqa: ANN001
    """The account new objects of this provider are made on (None: the platform's)."""
    return None if direct_mode() else (provider.stripe_account_id or None)


def can_take_payments(provider) -> bool:  # noqa: ANN001
    if direct_mode():
        return True
    return bool(provider.stripe_account_id and provider.charges_enabled
                and provider.deauthorized_at is None)


def require_payments(provider) -> None:  # noqa: ANN001
    """409 before anything is recorded: the offers are shown, but no money can be taken yet."""
    if not can_take_payments(provider):
        raise Conflict("this provider cannot take payments yet (their Stripe account is not "
                       "ready)", code=CANNOT_TAKE_PAYMENTS)


def for_provider(provider) -> Gateway:  # noqa: ANN001
    return gateway().on(account_of(provider))


def for_payment(payment) -> Gateway:  # noqa: ANN001
    """Where the payment's intent lives, whatever the provider's account is today."""
    return gateway().on(payment.stripe_account_id)


def for_client(client) -> Gateway:  # noqa: ANN001
    return gateway().on(client.stripe_account_id)


def fee_for(amount_minor: int) -> int:
    """PLATFORM_FEE_BP of an amount, rounded half up (30.00 at 500 bp: 1.50); 0 in direct mode
    (a charge on the platform's own account has no application fee)."""
    bp = int(current_app.config.get("PLATFORM_FEE_BP") or 0)
    if direct_mode() or bp <= 0 or amount_minor <= 0:
        return 0
    return (amount_minor * bp + 5000) // 10000
