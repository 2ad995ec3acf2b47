"""Payment operations: create, capture, release, each in two halves around the Stripe call.

The first half runs under the caller's row lock: it checks state, stores the idempotency key and
moves to a pending state, and the caller commits. The Stripe call then runs without a lock held,
and the second half records Stripe's answer. A second caller finds the pending state and stops, so
a capture or release is sent at most once even where Stripe would not replay the key.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.extensions import db
from skod.payments import capture_policy as cp
from skod.payments import connect
from skod.payments import retry_rules as rr
from skod.payments.models import PAYMENT_STATES, Payment
from skod.payments.retry_rules import fee_of
from skod.payments.stripe_objects import below_minimum, minimum_charge
from skod.stripe_gateway import GatewayError, Intent

_STATUS_FROM_STRIPE = {
    "requires_capture": "held",
    "succeeded": "captured",
    "requires_action": "requires_action",
    "canceled": "released",
    "requires_payment_method": "failed",
    "processing": "processing",  # a SEPA debit, at the client's bank for a few days
}


def policy() -> cp.Policy:
    return cp.Policy.from_config(current_app.config)


def new_payment(*, provider_id: int, client_id: int, purpose: str, amount: int, currency: str,
                off_session: bool, key: str, payment_method: str | None,
                booking_id: int | None = None, message_id: int | None = None,
                project_id: int | None = None, milestone_id: int | None = None) -> Payment:
    """A `created` payment row with its idempotency key; the caller commits before calling
    Stripe. Exactly one of booking_id / message_id / project_id (+ milestone_id) says what for."""
    payment = Payment(
        provider_id=provider_id, client_id=client_id, purpose=purpose,
        status="created", amount_requested_minor=amount, currency=currency,
        off_session=off_session, create_key=key, stripe_payment_method_id=payment_method,
        booking_id=booking_id, message_id=message_id, project_id=project_id,
        milestone_id=milestone_id,
        stripe_account_id=payment_account(provider_id, client_id, payment_method),
    )
    db.session.add(payment)
    db.session.flush()
    return payment


def payment_account(provider_id: int, client_id: int, payment_method: str | None) -> str | None:
    """The account the intent is made on: a saved card is charged where the client's customer
    lives (a card saved before the provider moved to Connect stays on the platform); anything
    else goes to the provider's account of today."""
    client = db.session.get(Client, client_id)
    if payment_method and client is not None and client.stripe_customer_id:
        return client.stripe_account_id
    return connect.account_of(db.session.get(Provider, provider_id))


def apply_intent(payment: Payment, intent: Intent, now: datetime | None = None) -> None:
    """Record what Stripe says of the intent; only forward moves are applied."""
    now = now or utcnow()
    payment.stripe_payment_intent_id = intent.id
    if intent.payment_method and not payment.stripe_payment_method_id:
        # a page intent gets its card from the page: keep it (the holder saves it)
        payment.stripe_payment_method_id = intent.payment_method
    target = _STATUS_FROM_STRIPE.get(intent.status)
    if target is None or target == payment.status:
        _copy_amounts(payment, intent, now)
        return
    if PAYMENT_STATES.move_if(payment, target):
        _copy_amounts(payment, intent, now)
        if target == "failed":
            # the decline code (insufficient_funds...), not Stripe's generic card_declined
            payment.last_error_code = intent.last_error_code or "requires_payment_method"
            payment.last_error_advice = intent.last_error_advice
        elif intent.lapsed:  # not our release: the domains ask for a new hold
            _mark_lapsed(payment)


def _mark_lapsed(payment: Payment) -> None:
    """Stripe let the hold lapse at the bank: told apart from our own release."""
    payment.last_error_code, payment.last_error_kind = "hold_expired", "expired"


def _copy_amounts(payment: Payment, intent: Intent, now: datetime) -> None:
    if payment.status == "held":
        payment.amount_held_minor = intent.amount_capturable or intent.amount
        payment.capture_before = intent.capture_before or payment.capture_before or (
            cp.default_capture_before(policy(), now, payment.off_session))
    elif payment.status == "captured":
        payment.amount_held_minor = 0
        payment.application_fee_minor = intent.application_fee or payment.application_fee_minor
        payment.amount_captured_minor = intent.amount_received or (
            payment.capture_amount_minor or intent.amount)
    elif payment.status in ("released", "failed"):
        payment.amount_held_minor = 0


def record_error(payment: Payment, err: GatewayError) -> None:
    """What Stripe refused, on the row: the decline code, its kind and the network's advice
    (the dunning module decides its retries from these)."""
    payment.last_error_code = (err.code or err.kind)[:64]
    payment.last_error_kind = err.kind
    payment.last_error_advice = err.advice
    payment.last_error_message = err.message[:500]


def apply_error(payment: Payment, err: GatewayError) -> None:
    record_error(payment, err)
    if err.intent is not None:
        apply_intent(payment, err.intent)
    if err.kind == "retryable":
        return  # keep the state: the same key is sent again later
    if payment.status == "created":
        PAYMENT_STATES.move(payment, "failed")


def send_create(payment: Payment, *, customer: str, manual: bool,
                now: datetime | None = None) -> None:
    """Create and confirm the intent of a `created` payment; records the answer (no commit).
    `now` dates a hold's default capture_before (a hold placed by `tick --at` lapses from then).
    An amount below Stripe's minimum charge is never sent: the payment is waived, with why.
    A payment without a card or a customer is never sent either (Stripe refuses an empty id):
    it fails as `no_saved_card`, and the caller asks the client for a card."""
    if below_minimum(payment.amount_requested_minor, payment.currency):
        waive(payment)
        return
    if not payment.stripe_payment_method_id or not customer:
        PAYMENT_STATES.move(payment, "failed")
        payment.last_error_code, payment.last_error_kind = "no_saved_card", "hard_decline"
        payment.last_error_message = "no saved card to charge: the client pays on the page"
        return
    try:
        intent = rr.create(payment, customer, manual, payment.create_key)
    except GatewayError as err:
        # a lost create was already looked up and sent again by the gateway (stripe_lookup)
        apply_error(payment, err)
        return
    apply_intent(payment, intent, now)


def read_intent(payment: Payment) -> Intent:
    """The payment's intent read back from the account it lives on."""
    return connect.for_payment(payment).retrieve_intent(payment.stripe_payment_intent_id or "")


def waive(payment: Payment) -> None:
    """Record that a `created` payment is not asked of the card: Stripe refuses charges below
    its minimum, and a charge sure to fail would only add a decline to the client's card."""
    PAYMENT_STATES.move(payment, "waived")
    payment.last_error_code, payment.last_error_kind = "below_minimum", "waived"
    payment.last_error_message = (
        f"{payment.amount_requested_minor} is below Stripe's minimum charge of "
        f"{minimum_charge(payment.currency)} {payment.currency}")


def begin_capture(payment: Payment, amount: int) -> None:
    """Under the caller's lock: mark the capture as sent, with its key and amount."""
    if amount <= 0:
        raise ValueError("a capture of 0 means 'everything' to Stripe: release instead")
    PAYMENT_STATES.move(payment, "capture_pending")
    payment.capture_key = f"capture:payment:{payment.id}"
    payment.capture_amount_minor = amount


def send_capture(payment: Payment) -> None:
    """Send the capture of a capture_pending payment and record the answer (no commit)."""
    assert payment.status == "capture_pending" and payment.stripe_payment_intent_id
    try:
        intent = connect.for_payment(payment).capture(
            payment.stripe_payment_intent_id, amount=payment.capture_amount_minor or 0,
            key=payment.capture_key or "", fee=fee_of(payment, payment.capture_amount_minor or 0))
    except GatewayError as err:
        _capture_failed(payment, err)
        return
    apply_intent(payment, intent)


def _capture_failed(payment: Payment, err: GatewayError) -> None:
    """Stripe refused the capture. A hold is never left live behind a failed payment (the
    client's funds would stay blocked while the domains ask for the money again): the intent is
    read back; captured after all -> recorded; still `requires_capture` -> captured once more
    under a new key when the refusal was transient (the first key replays its 5xx), else
    cancelled at Stripe, before the caller goes on (opens a debt, charges the card)."""
    record_error(payment, err)
    intent = _read_or_none(payment)
    if intent is None and err.kind == "retryable":
        return  # Stripe unreachable: stays capture_pending, reconciliation tries again
    if intent is not None and intent.status == "requires_capture" and rr.may_retry(payment, err):
        payment.capture_key = f"{payment.capture_key}{rr.RETRY_SUFFIX}"
        try:
            apply_intent(payment, connect.for_payment(payment).capture(
                payment.stripe_payment_intent_id or "", amount=payment.capture_amount_minor or 0,
                key=payment.capture_key, fee=fee_of(payment, payment.capture_amount_minor or 0)))
            return
        except GatewayError as again:
            record_error(payment, again)
            intent = _read_or_none(payment)
            if intent is None and again.kind == "retryable":
                return  # unreachable again: reconciliation resumes under the new key
    if intent is not None and intent.status == "succeeded":
        # e.g. payment_intent_unexpected_state after a capture that did go through
        apply_intent(payment, intent)
        return
    if (intent is None or intent.status == "requires_capture") and not rr.cancel_hold(payment):
        return  # the cancel got no answer: stays capture_pending, reconciliation ends it
    if intent is not None and intent.lapsed:  # the hold lapsed before the capture
        _mark_lapsed(payment)
    PAYMENT_STATES.move(payment, "failed")
    payment.amount_held_minor = 0


def _read_or_none(payment: Payment) -> Intent | None:
    try:
        return read_intent(payment)
    except GatewayError:
        return None


def begin_release(payment: Payment) -> bool:
    """Under the caller's lock: True when there is something to release at Stripe (a hold,
    or a page intent never confirmed: a stale page must not be able to place it later)."""
    if payment.status not in ("held", "requires_action", "created") or (
            not payment.stripe_payment_intent_id):
        if payment.status == "created":
            PAYMENT_STATES.move(payment, "released")
        return False
    payment.cancel_key = f"cancel:payment:{payment.id}"
    return True


def send_release(payment: Payment) -> None:
    try:
        intent = connect.for_payment(payment).cancel(payment.stripe_payment_intent_id or "",
                                  key=payment.cancel_key or "")
    except GatewayError as err:
        record_error(payment, err)
        if err.kind != "retryable":
            # Already canceled or expired at Stripe: read the truth back.
            apply_intent(payment, read_intent(payment))
        return
    apply_intent(payment, intent)


def lock(payment_id: int) -> Payment:
    return db.session.get(Payment, payment_id, with_for_update=True, populate_existing=True)


def policy_ttl():  # noqa: ANN201
    """How long an unpaid booking keeps its slot."""
    return current_app.config["PENDING_BOOKING_TTL"]


def client_secret_of(payment: Payment) -> str | None:
    """The intent's client_secret, for the page to finish 3-D Secure (None when unreachable)."""
    if not payment.stripe_payment_intent_id:
        return None
    try:
        return read_intent(payment).client_secret
    except GatewayError:
        return None
