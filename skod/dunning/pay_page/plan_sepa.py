"""SEPA Direct Debit for the instalments of a payment plan: the mandate signed on the plan page,
and each instalment debited under it.

When no saved card can carry the instalments, the plan page offers a card (paying.setup_step) or
SEPA Direct Debit for a debt in euros: a SetupIntent for `sepa_debit` on the debt's customer, that
the page confirms with Stripe.js's IBAN Element beside the mandate text. Its key
`plan-sepa:receivable:{id}:{n}` (n: the mandates saved so far, plus one) gives the same
SetupIntent back to a page that comes back, until a mandate is saved; the server never takes a
SetupIntent id from the page: it reads back the one of that key. The bank account it saved becomes
the debt's payment method, and the timeline says a mandate was signed (`sepa_saved`, with its
mandate id): that is how an instalment knows it is a debit.

An instalment debited (plan_charges.charge_one) is `processing` for days: the next ticks find
it so and wait; `payment_intent.succeeded` makes it paid at the next tick,
`payment_intent.payment_failed` fails it and the plan, as a refused card instalment does.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from skod.core.errors import Conflict
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.pay_page import paying
from skod.extensions import db
from skod.payments import cards, connect
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.payments.retry_rules import fee_of
from skod.payments.stripe_objects import below_minimum
from skod.stripe_gateway import PAYMENT_ID_KEY, GatewayError, SepaSetup, gateway

SEPA = "sepa_debit"
SAVED = "sepa_saved"


def _saved(receivable_id: int) -> list[DunningEvent]:
    return list(db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id, DunningEvent.kind == SAVED)
        .order_by(DunningEvent.id)))


def mandate_of(receivable: Receivable) -> str | None:
    """The mandate the debt's payment method is debited under; None: it is a card."""
    pm = receivable.stripe_payment_method_id
    for event in reversed(_saved(receivable.id)):
        if pm and (event.data or {}).get("payment_method") == pm:
            return (event.data or {}).get("mandate")
    return None


def _setup(receivable: Receivable) -> SepaSetup:
    """The SetupIntent of the current key (the same one until a mandate is saved)."""
    account = connect.account_of(receivable.provider)
    customer = receivable.stripe_customer_id or cards.ensure_customer(receivable.client,
                                                                      account)
    receivable.stripe_customer_id = customer
    count = db.session.scalar(select(func.count(DunningEvent.id)).where(
        DunningEvent.receivable_id == receivable.id, DunningEvent.kind == SAVED))
    gw = gateway().on(account)
    made = gw.create_sepa_setup(customer=customer,
                                key=f"plan-sepa:receivable:{receivable.id}:{count + 1}",
                                metadata={"skod_receivable_id": str(receivable.id)})
    return gw.retrieve_sepa_setup(made.id)  # its state now (a replayed create is the first)


def mandate_step(receivable_id: int, now: datetime) -> dict:
    """The SetupIntent secret the plan page confirms with the IBAN Element; `card_saved` when
    the page confirmed it but never came back to say so (the mandate is saved now)."""
    receivable = paying.owed(receivable_id)
    if receivable.currency.upper() != "EUR":
        db.session.rollback()
        raise Conflict("SEPA Direct Debit takes euros only", code="currency_not_supported")
    try:
        setup = _setup(receivable)
    except GatewayError as err:
        db.session.rollback()
        raise cards.card_problem(err) from err
    if setup.status == "succeeded":
        return _keep(receivable, setup, now)
    db.session.commit()
    return {"status": "open", "intent": "setup", "client_secret": setup.client_secret}


def save_mandate(receivable_id: int, now: datetime) -> dict:
    """After confirmSepaDebitSetup: the bank account of the key's SetupIntent, once it
    succeeded with a mandate, becomes the one the instalments debit."""
    receivable = paying.owed(receivable_id)
    try:
        setup = _setup(receivable)
    except GatewayError as err:
        db.session.rollback()
        raise cards.card_problem(err) from err
    if setup.status != "succeeded" or not setup.mandate:
        db.session.rollback()
        raise Conflict("the mandate is not signed yet", code="mandate_not_signed")
    return _keep(receivable, setup, now)


def _keep(receivable: Receivable, setup: SepaSetup, now: datetime) -> dict:
    receivable.stripe_payment_method_id = setup.payment_method
    recv.record(receivable, SAVED, now, payment_method=setup.payment_method,
                mandate=setup.mandate, setup_intent=setup.id)
    db.session.commit()
    return {"status": "card_saved"}


def send_debit(payment_id: int, receivable: Receivable, now: datetime) -> None:
    """Debit a `created` instalment under the debt's mandate (its key committed before);
    Stripe's answer (processing, or failed at once) recorded under the payment's lock."""
    payment = pay.lock(payment_id)
    if payment.status != "created":
        return
    if below_minimum(payment.amount_requested_minor, payment.currency):
        pay.waive(payment)
        return
    try:
        intent = connect.for_payment(payment).debit(
            amount=payment.amount_requested_minor, currency=payment.currency,
            customer=cards.customer_of(receivable, receivable.client),
            payment_method=payment.stripe_payment_method_id or "",
            mandate=mandate_of(receivable), key=payment.create_key,
            fee=fee_of(payment, payment.amount_requested_minor),
            metadata={PAYMENT_ID_KEY: str(payment.id), "purpose": payment.purpose,
                      "skod_receivable_id": str(receivable.id)})
    except GatewayError as err:
        pay.apply_error(payment, err)
    else:
        pay.apply_intent(payment, intent, now)


def mark_debit(payment: Payment, receivable: Receivable) -> None:
    """A new instalment payment on a mandate is a debit (no hold; processing for days)."""
    if mandate_of(receivable) is not None:
        payment.method = SEPA
