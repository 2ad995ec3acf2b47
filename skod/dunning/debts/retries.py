"""Smart retries: the saved card charged again off-session after a soft decline, at J+1, J+3,
J+5 of the failure by default, inside the card networks' limits.

Never after a hard decline, an authentication request, an expired card, or a "do not try
again" answer on that card (from any of our charges); never while one of the provider's holds
is still live on that card, nor on a card detached since (the pay page only), nor on a bank
account whose SEPA mandate the client signed for a payment plan (pay_page/plan_sepa.py: the
plan debits it; a card retry cannot); never more than
DUNNING_CARD_ATTEMPTS_30D attempts on one card in 30 days, all our charges together. Each
attempt is a `recovery` Payment whose key is built from the receivable and the attempt number,
stored before the call: a crashed worker's retry sends the same key, never a second charge.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select

from skod.dunning.debts import settling
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.rules import ladder as rules
from skod.extensions import db
from skod.payments import cards
from skod.payments import services as pay
from skod.payments.decline_labels import retry_allowed
from skod.payments.models import RECOVERY, Payment


def plan_first(receivable: Receivable) -> None:
    """At opening: plan J+1 when the failure allows a retry at all (the caller flushes)."""
    # a hold that lapsed is no refusal: the saved card may be charged like after a soft one
    allowed = receivable.stripe_payment_method_id and (
        receivable.failure_code == "hold_expired" or retry_allowed(
            receivable.failure_kind, receivable.failure_code, _advice_of(receivable.payment_id)))
    ladder = recv.ladder_for(receivable.provider_id)
    receivable.next_retry_at = (rules.next_retry(receivable.opened_at, 0, ladder)
                                if allowed else None)


def _advice_of(payment_id: int | None) -> str | None:
    payment = db.session.get(Payment, payment_id) if payment_id else None
    return payment.last_error_advice if payment else None


def card_blocked(payment_method: str, now: datetime) -> bool:
    """True when the networks' rules forbid another attempt on this card now."""
    since = now - timedelta(days=30)
    card = Payment.stripe_payment_method_id == payment_method
    attempts, refused = db.session.execute(select(
        func.count(Payment.id).filter(Payment.created_at >= since),
        func.count(Payment.id).filter(Payment.last_error_advice == "do_not_try_again"),
    ).where(card)).one()
    return bool(refused) or attempts >= current_app.config["DUNNING_CARD_ATTEMPTS_30D"]


#: a payment in these states still holds funds on the card (an authorization not captured)
LIVE_HOLD = ("held", "capture_pending")


def live_hold(payment_method: str | None, provider_id: int) -> bool:
    """True while one of this provider's holds is live on the card: charging it again would
    block the client's funds twice for one service (the hold is captured or cancelled first)."""
    if not payment_method:
        return False
    return db.session.scalar(select(func.count(Payment.id)).where(
        Payment.stripe_payment_method_id == payment_method, Payment.provider_id == provider_id,
        Payment.status.in_(LIVE_HOLD), Payment.amount_held_minor > 0)) > 0


def claim(receivable: Receivable, now: datetime, ladder: rules.Ladder) -> int | None:
    """Under the sweep's lock: take the retry that is due (its number moves the plan on, so
    no other sweep takes it) and return its number, or None when none may be made now."""
    if receivable.next_retry_at is None or receivable.next_retry_at > now:
        return None
    if not receivable.stripe_payment_method_id:  # the card is gone: the pay page only
        receivable.next_retry_at = None
        recv.record(receivable, "retry_skipped", now, why="no_card")
        return None
    if _bank_account(receivable):
        receivable.next_retry_at = None
        recv.record(receivable, "retry_skipped", now, why="bank_account")
        return None
    if live_hold(receivable.stripe_payment_method_id, receivable.provider_id):
        receivable.next_retry_at = now + timedelta(days=1)  # once the hold is settled
        recv.record(receivable, "retry_skipped", now, why="live_hold")
        return None
    number = receivable.retries_done + 1
    receivable.retries_done = number
    planned = rules.next_retry(receivable.opened_at, number, ladder)
    # after downtime the missed retries are not made in a burst: one a day at most
    receivable.next_retry_at = planned and max(planned, now + timedelta(days=1))
    if receivable.balance_minor <= 0 or card_blocked(receivable.stripe_payment_method_id, now):
        receivable.next_retry_at = None
        recv.record(receivable, "retry_skipped", now, attempt=number, why="card_limits")
        return None
    return number


def _bank_account(receivable: Receivable) -> bool:
    """The payment method is the bank account of a mandate signed for a plan (sepa_saved)."""
    saved = db.session.scalars(select(DunningEvent.data).where(
        DunningEvent.receivable_id == receivable.id, DunningEvent.kind == "sepa_saved"))
    return any((data or {}).get("payment_method") == receivable.stripe_payment_method_id
               for data in saved)


def send(receivable_id: int, number: int, now: datetime) -> str:
    """Charge the saved card for the balance: retry `number` of this receivable, with its
    key stored before the call (a crashed sweep's next try sends the same key)."""
    receivable = recv.lock(receivable_id)
    if receivable is None or receivable.status != "open" or receivable.balance_minor <= 0:
        db.session.commit()  # paid or paused since the claim
        return "nothing"
    payment = pay.new_payment(
        provider_id=receivable.provider_id, client_id=receivable.client_id, purpose=RECOVERY,
        amount=receivable.balance_minor, currency=receivable.currency, off_session=True,
        key=f"retry:receivable:{receivable.id}:{number}",
        payment_method=receivable.stripe_payment_method_id)
    payment.receivable_id = receivable.id
    recv.record(receivable, "retry", now, attempt=number, payment_id=payment.id)
    payment_id, customer = payment.id, cards.customer_of(receivable, receivable.client)
    db.session.commit()  # the attempt and its key exist before Stripe hears of it
    payment = pay.lock(payment_id)
    if payment.status == "created":
        pay.send_create(payment, customer=customer, manual=False, now=now)
    db.session.commit()
    return after_attempt(payment_id, now)


def after_attempt(payment_id: int, now: datetime) -> str:
    """Record a recovery payment's outcome on its case (sync answer, webhook, reconcile)."""
    payment = db.session.get(Payment, payment_id, populate_existing=True)
    if payment is None or payment.receivable_id is None:
        return "nothing"
    if payment.status == "captured":
        settling.settle_captured(payment, now)
        return "paid"
    if payment.status != "failed":
        if payment.status == "processing":  # only a bank debit waits days at the bank (the
            payment.method = "sepa_debit"  # pay page's intent allows card or SEPA)
        db.session.commit()
        return payment.status
    receivable = recv.lock(payment.receivable_id)
    if not recv.on_timeline(payment.receivable_id, payment.id, "attempt"):
        recv.record(receivable, "attempt", now, payment_id=payment.id, ok=False,
                    code=payment.last_error_code, kind=payment.last_error_kind,
                    advice=payment.last_error_advice)
        if not retry_allowed(payment.last_error_kind, payment.last_error_code,
                             payment.last_error_advice):
            receivable.next_retry_at = None
        receivable.failure_code = payment.last_error_code
        receivable.failure_kind = payment.last_error_kind
        recv.schedule(receivable, now)
    db.session.commit()
    return "failed"
