"""The pay page's card services: pay the balance of a debt on-session, and save a card for the
instalments of a payment plan.

Paying: one PaymentIntent for the amount owed today (owed/amounts.py: the balance, plus the
penalties the case claims; purpose RECOVERY, `payments.receivable_id` set, key
`pay:receivable:{id}:{n}` stored and committed before Stripe hears of it), which the page confirms
with Stripe's Payment Element (Stripe.js confirmPayment): a card (3-D Secure when the bank asks),
captured at once, or, for a debt in euros, a SEPA Direct Debit under the mandate the element
collects; either is saved for later (setup_future_usage off_session). The page then posts back;
the server reads the intent from Stripe and hands the payment to retries.after_attempt, the one
path of every recovery payment (the webhook takes it too): captured -> settling.settle closes the
case. A debit stays `processing` at the client's bank for days: the page says it is on its way and
opens no second payment; payment_intent.succeeded settles the debt, payment_intent.payment_failed
leaves it owed with the bank's reason. A page that comes back gets the same open intent, never a
second one for the same balance.

Saving a card: a SetupIntent on the receivable (a card holder), confirmed by the page with
confirmCardSetup; the card it saved becomes the one the instalments charge.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import func, select

from skod.core.errors import Conflict, NotFound
from skod.dunning.debts import retries
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.overpay import key_prefix
from skod.dunning.owed import amounts as owing
from skod.extensions import db
from skod.payments import cards, connect
from skod.payments import services as pay
from skod.payments.models import RECOVERY, Payment
from skod.payments.stripe_objects import below_minimum
from skod.stripe_gateway import GatewayError


def last_page_payment(receivable_id: int) -> Payment | None:
    """The latest payment the pay page opened for this debt."""
    return db.session.scalar(select(Payment).where(
        Payment.receivable_id == receivable_id,
        Payment.create_key.startswith(key_prefix(receivable_id), autoescape=True))
        .order_by(Payment.id.desc()).limit(1))


def _owed(receivable_id: int) -> Receivable:
    """The receivable, locked, still owed (409 once paid or written off), of a provider whose
    Stripe account takes card payments (409 in words when restricted or deauthorized: before
    anything is opened at Stripe, which would refuse it with a card-like error)."""
    receivable = recv.lock(receivable_id)
    if receivable is None:
        db.session.rollback()
        raise NotFound("receivable not found")
    if receivable.status in CLOSED:
        db.session.rollback()
        raise Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                       code="receivable_closed")
    if not connect.can_take_payments(receivable.provider):
        name = receivable.provider.name
        db.session.rollback()
        raise Conflict(cannot_pay_words(name), code=connect.CANNOT_TAKE_PAYMENTS)
    return receivable


def owed(receivable_id: int) -> Receivable:
    """The receivable, locked, still owed, of a provider who takes payments (409 else)."""
    return _owed(receivable_id)


def cannot_pay_words(provider_name: str) -> str:
    """The client's sentence when the provider's account takes no card payment now."""
    return _("%(name)s cannot take card payments at the moment: please come back later, or "
             "pay by bank transfer if the provider's bank details are shown.", name=provider_name)


def page_methods(currency: str) -> tuple[str, ...]:
    """The payment method types the pay page's form offers: SEPA Direct Debit debits euros only
    (the wallets Stripe shows, Apple Pay and Google Pay, are cards)."""
    return ("card", "sepa_debit") if currency.upper() == "EUR" else ("card",)


def debit_on_its_way(receivable_id: int) -> bool:
    """The page's last payment is a SEPA debit still at the client's bank."""
    last = last_page_payment(receivable_id)
    return last is not None and last.status == "processing"


def card_step(receivable_id: int, now: datetime) -> dict:
    """What the page confirms: {"intent": "payment", "client_secret"} of the intent for the
    balance (the open one, or a new one); {"status": "paid"} when it is paid meanwhile."""
    receivable = _owed(receivable_id)
    # the amount owed today (owed/amounts.py): the balance, plus the penalties the case claims
    amount = owing.owed_now(receivable, now).total_minor
    last = last_page_payment(receivable_id)
    if last is not None and last.status == "processing":
        db.session.rollback()  # a second payment would take the money twice
        raise Conflict(_("Your direct debit is on its way: wait for your bank's answer before "
                         "paying again."), code="debit_processing")
    try:
        reused = _reuse(receivable, last, amount, now)
    except GatewayError as err:
        db.session.rollback()
        raise cards.card_problem(err) from err
    if reused is not None:
        return reused
    if below_minimum(amount, receivable.currency):
        db.session.rollback()
        raise Conflict("the balance is below the smallest card payment: pay it by transfer",
                       code="below_minimum")
    if last is None or last.status != "created" or last.stripe_payment_intent_id or (
            last.amount_requested_minor != amount):
        last = _new_payment(receivable, receivable_id, amount)
    payment_id = last.id
    db.session.commit()  # the key is stored before the call
    return _create_intent(receivable_id, payment_id)


def _reuse(receivable: Receivable, last: Payment | None, amount: int,
           now: datetime) -> dict | None:
    """The open intent's secret when it is for `amount` (owed today); an open intent for another
    amount is cancelled (its secret must never pay a stale amount); None: make a new one."""
    if not cards.is_page_intent(last):
        return None
    last = pay.lock(last.id)
    secret = cards.page_secret(last, now)
    if secret and last.amount_requested_minor == amount:
        db.session.commit()
        return {"status": "open", "intent": "payment", "client_secret": secret}
    if secret:
        intent = connect.for_payment(last).cancel(last.stripe_payment_intent_id,
                                  key=f"cancel:page:{last.stripe_payment_intent_id}")
        pay.apply_intent(last, intent, now)
        return None
    if last.status == "captured":  # the page (or the webhook) got there first
        payment_id = last.id
        db.session.commit()
        retries.after_attempt(payment_id, now)
        return {"status": db.session.get(Receivable, receivable.id).status}
    return None


def _new_payment(receivable: Receivable, receivable_id: int, amount: int) -> Payment:
    tries = db.session.scalar(select(func.count(Payment.id)).where(
        Payment.receivable_id == receivable_id,
        Payment.create_key.startswith(key_prefix(receivable_id), autoescape=True)))
    payment = pay.new_payment(
        provider_id=receivable.provider_id, client_id=receivable.client_id, purpose=RECOVERY,
        amount=amount, currency=receivable.currency, off_session=False,
        key=f"{key_prefix(receivable_id)}{tries + 1}", payment_method=None)
    payment.receivable_id = receivable_id
    return payment


def _create_intent(receivable_id: int, payment_id: int) -> dict:
    """Create the page intent of a `created` payment (a create that got no answer is sent
    again with the same key, and Stripe answers with the same intent)."""
    receivable = _owed(receivable_id)
    payment = pay.lock(payment_id)
    try:
        intent = connect.for_payment(payment).create_page_intent(
            amount=payment.amount_requested_minor, currency=payment.currency,
            # the debt's customer when it has one (reconcile looks for the intent there),
            # else the client's on the account the payment is made on
            customer=receivable.stripe_customer_id or cards.ensure_customer(
                receivable.client, payment.stripe_account_id),
            key=payment.create_key,
            metadata={"skod_payment_id": str(payment.id), "purpose": RECOVERY,
                      "skod_receivable_id": str(receivable_id)}, manual=False,
            fee=pay.fee_of(payment, payment.amount_requested_minor),
            methods=page_methods(payment.currency))
    except GatewayError as err:
        db.session.rollback()
        raise cards.card_problem(err) from err
    payment.stripe_payment_intent_id = intent.id
    db.session.commit()
    return {"status": "open", "intent": "payment", "client_secret": intent.client_secret}


def confirm(receivable_id: int, now: datetime) -> Receivable:
    """After the page's confirmPayment: what Stripe says of the intent is applied, and a
    capture settles the debt (the webhook may have done it first: same outcome); a SEPA debit
    stays `processing` until the bank answers."""
    if db.session.get(Receivable, receivable_id) is None:
        raise NotFound("receivable not found")
    last = last_page_payment(receivable_id)
    if last is not None and cards.is_page_intent(last):
        payment = pay.lock(last.id)
        try:
            cards.read_page_intent(payment, now)
        except GatewayError as err:
            db.session.rollback()
            raise cards.card_problem(err) from err
    db.session.commit()
    if last is not None:
        retries.after_attempt(last.id, now)
    receivable = db.session.get(Receivable, receivable_id, populate_existing=True)
    paid_here = last is not None and last.status in ("captured", "refunded")
    if receivable.status in CLOSED and not paid_here:
        # the page's intent was cancelled when the debt was settled another way
        raise Conflict("this debt is already settled", code="already_settled")
    return receivable


# A card for the instalments -------------------------------------------------------------------
def _ref(receivable_id: int) -> str:
    return f"receivable:{receivable_id}"


def setup_step(receivable_id: int) -> dict:
    """The SetupIntent the page confirms to save a card for a payment plan."""
    receivable = _owed(receivable_id)
    if not receivable.stripe_setup_intent_id:
        cards.guarded(lambda: cards.open_setup(receivable, receivable.client,
                                               _ref(receivable_id)))
        db.session.commit()
        return {"status": "open", "intent": "setup",
                "client_secret": receivable.setup_client_secret}
    result = cards.fresh_setup(receivable, receivable.client, _ref(receivable_id))
    return dict(result, status="open")


def save_card(receivable_id: int, payment_method: str, now: datetime) -> dict:
    """The card the page's SetupIntent saved becomes the receivable's card."""
    receivable = _owed(receivable_id)
    card = cards.confirmed_card(receivable, receivable.client, _ref(receivable_id),
                                payment_method)
    if card is None:  # 3-D Secure still to do on the page
        return {"status": "requires_action", "intent": "setup",
                "client_secret": receivable.setup_client_secret}
    recv.record(receivable, "card_saved", now, payment_method=card)
    db.session.commit()
    return {"status": "card_saved"}
