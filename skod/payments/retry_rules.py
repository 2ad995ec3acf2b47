"""Stripe's retry rules for our payments, below services.py (which imports this, never the
reverse): a capture is retried once under a new key after a transient refusal only (Stripe
replays a stored 500 for its key for 24 hours), and a hold that cannot be captured is
cancelled. (A create lost in a 5xx or a timeout is looked up by the gateway: stripe_lookup.py.)
"""

from __future__ import annotations

from skod.payments import connect
from skod.payments.models import Payment
from skod.stripe_gateway import PAYMENT_ID_KEY, GatewayError, Intent

#: refusals of a capture that a new try may not meet (Stripe's transient answers)
TRANSIENT = frozenset({"api_error", "network", "rate_limit", "lock_timeout",
                       "idempotency_key_in_use"})
RETRY_SUFFIX = ":retry1"  # as stripe_lookup's: one derived key, the same after a crash


def fee_of(payment: Payment, amount: int) -> int:
    """The platform's fee on an amount taken on a connected account (none on the platform's)."""
    return connect.fee_for(amount) if payment.stripe_account_id else 0


def create(payment: Payment, customer: str, manual: bool, key: str) -> Intent:
    return connect.for_payment(payment).create_intent(
        amount=payment.amount_requested_minor, currency=payment.currency, customer=customer,
        payment_method=payment.stripe_payment_method_id or "", manual=manual,
        off_session=payment.off_session, key=key,
        fee=fee_of(payment, payment.amount_requested_minor),
        metadata={PAYMENT_ID_KEY: str(payment.id), "purpose": payment.purpose})


def may_retry(payment: Payment, err: GatewayError) -> bool:
    """Once, and only after a refusal that says nothing of the capture itself."""
    already = (payment.capture_key or "").endswith(RETRY_SUFFIX)
    return not already and (err.kind == "retryable" or err.code in TRANSIENT)


def cancel_hold(payment: Payment) -> bool:
    """Release the authorization at Stripe (key from the payment and its attempt).
    The payment then fails (the capture failed), the hold gone from the card. False when
    Stripe could not be reached (the hold may still be live: the caller keeps its state)."""
    payment.cancel_key = next_cancel_key(payment)
    try:
        connect.for_payment(payment).cancel(payment.stripe_payment_intent_id or "",
                                            key=payment.cancel_key)
    except GatewayError as err:
        # already canceled or expired (nothing held), or Stripe down: the error stays on the row
        payment.last_error_message = f"{payment.last_error_message or ''} | cancel: {err}"[:500]
        return err.kind != "retryable"
    return True


def next_cancel_key(payment: Payment) -> str:
    """`cancel:payment:<id>`, then `:1`, `:2`... after a cancel that got no answer: Stripe
    would replay its stored 500 under the same key, and a second cancel of a cancelled intent
    is refused anyway (so a new key never cancels twice)."""
    base = f"cancel:payment:{payment.id}"
    last = payment.cancel_key or ""
    if not last.startswith(base):
        return base
    tail = last[len(base):].lstrip(":")
    return f"{base}:{int(tail) + 1 if tail.isdigit() else 1}"
