"""SEPA Direct Debit for projects: the client's mandate and the debits made under it.

SEPA has no hold. Where a card project holds each milestone on the card when it starts, a SEPA
project DEBITS each milestone when it starts: the debit is `processing` at the client's bank
for up to five business days, then paid (`payment_intent.succeeded`) or returned unpaid
(`payment_intent.payment_failed`). The provider is told not to deliver before it is paid.

The mandate: the page asks for a SetupIntent (`mandate_setup`), confirms it with Stripe.js's
IBAN Element beside the mandate text, and the acceptance reads it back (`signed_mandate`).
Same two halves as payments.services around each Stripe call: the key is stored and committed
first, the answer recorded under the payment's lock. This module never moves a milestone:
settlement does, from what the payment became.
"""

from __future__ import annotations

import logging
from datetime import datetime

from skod.core.errors import Conflict, DomainError, Invalid, NotFound
from skod.extensions import db
from skod.payments import cards, connect, refunds
from skod.payments import services as pay
from skod.payments.cards import StripeUnavailable
from skod.payments.models import Payment
from skod.payments.retry_rules import fee_of
from skod.payments.stripe_objects import below_minimum
from skod.projects.models import Milestone, Project
from skod.stripe_gateway import PAYMENT_ID_KEY, GatewayError, SepaSetup, gateway

log = logging.getLogger(__name__)

SEPA = "sepa_debit"
#: a debit that is sent and not answered for good yet: nobody sends a second one
IN_FLIGHT = ("created", "processing")
#: what a setup that the page has not confirmed yet looks like
_OPEN_SETUP = ("requires_payment_method", "requires_confirmation")


def is_sepa(project: Project) -> bool:
    return project.payment_method_kind == SEPA


def _lock(project_id: int) -> Project:
    project = db.session.get(Project, project_id, with_for_update=True, populate_existing=True)
    if project is None:
        raise NotFound("project not found")
    return project


def mandate_setup(project_id: int) -> dict:
    """The SetupIntent secret the page confirms with the IBAN Element (the open one, or new)."""
    project = _lock(project_id)
    if project.status != "sent":
        raise Conflict(f"the project is {project.status}", code="invalid_state")
    if project.currency.upper() != "EUR":
        raise Conflict("SEPA Direct Debit takes euros only", code="currency_not_supported")
    connect.require_payments(project.provider)
    account = connect.account_of(project.provider)
    gw = gateway().on(account)
    try:
        customer = cards.ensure_customer(project.client, account)
        if project.sepa_setup_intent_id:
            setup = gw.retrieve_sepa_setup(project.sepa_setup_intent_id)
            if setup.status in _OPEN_SETUP:
                db.session.commit()
                return {"client_secret": setup.client_secret, "intent": "setup"}
        setup = gw.create_sepa_setup(
            customer=customer, metadata={"skod_project_id": str(project.id)},
            key=f"sepa-setup:project:{project.id}:after:{project.sepa_setup_intent_id or '-'}")
    except GatewayError as err:
        db.session.rollback()
        raise StripeUnavailable("the payment provider could not be reached") from err
    project.stripe_customer_id = project.stripe_customer_id or customer
    project.sepa_setup_intent_id = setup.id
    project.sepa_setup_client_secret = setup.client_secret
    db.session.commit()
    return {"client_secret": setup.client_secret, "intent": "setup"}


def signed_mandate(project: Project) -> SepaSetup:
    """The page's SetupIntent read back: succeeded with a mandate, it becomes the project's
    way to pay (under the caller's lock, no commit); else Invalid, nothing changed."""
    if not project.sepa_setup_intent_id:
        raise Invalid("no bank account was given", {"iban": ["missing"]})
    try:
        setup = connect.for_client(project.client).retrieve_sepa_setup(
            project.sepa_setup_intent_id)
    except GatewayError as err:
        db.session.rollback()
        raise StripeUnavailable("the payment provider could not be reached") from err
    if setup.status != "succeeded" or not setup.mandate or not setup.payment_method:
        db.session.rollback()
        raise Invalid("the direct debit mandate is not signed", {"iban": [setup.status]})
    project.payment_method_kind = SEPA
    project.stripe_payment_method_id = setup.payment_method
    project.sepa_mandate_id = setup.mandate
    project.stripe_customer_id = setup.customer or project.stripe_customer_id
    return setup


def new_debit(payment: Payment) -> Payment:
    """Mark a fresh `created` payment row as a SEPA debit (the caller made it, keyed)."""
    payment.method = SEPA
    return payment


def send_debit(payment_id: int, now: datetime) -> None:
    """Send the debit of a `created` SEPA payment whose key is committed; records Stripe's
    answer (processing, or failed at once) under the payment's lock, and commits."""
    payment = pay.lock(payment_id)
    if payment.status != "created":
        db.session.commit()
        return  # sent already (a retried job, a second click)
    if below_minimum(payment.amount_requested_minor, payment.currency):
        pay.waive(payment)
        db.session.commit()
        return
    project = db.session.get(Project, payment.project_id)
    try:
        intent = connect.for_payment(payment).debit(
            amount=payment.amount_requested_minor, currency=payment.currency,
            customer=cards.customer_of(project, project.client),
            payment_method=payment.stripe_payment_method_id or "",
            mandate=project.sepa_mandate_id, key=payment.create_key,
            fee=fee_of(payment, payment.amount_requested_minor),
            metadata={PAYMENT_ID_KEY: str(payment.id), "purpose": payment.purpose})
    except GatewayError as err:
        pay.apply_error(payment, err)
    else:
        pay.apply_intent(payment, intent, now)
    db.session.commit()


def paid_debit(payments: list[Payment], due: int) -> Payment | None:
    """The SEPA debit that paid what is due (captured, enough, not taken back by the client's
    bank: any dispute of a debit withdraws its money at once), if any."""
    for payment in reversed(payments):
        if payment.method == SEPA and payment.status == "captured" and (
                payment.amount_captured_minor >= due) and not payment.dispute_status:
            return payment
    return None


def debit_in_flight(payments: list[Payment]) -> bool:
    return any(p.method == SEPA and p.status in IN_FLIGHT for p in payments)


def refuse_cancel_in_flight(payments: list[Payment]) -> None:
    """A debit at the bank cannot be called back: the milestone is cancelled once it is
    answered (then a paid one is refunded)."""
    if debit_in_flight(payments):
        raise Conflict("its direct debit is still at the bank: cancel it once the bank has "
                       "answered", code="debit_in_progress")


def refund_paid_debits(milestone_id: int, now: datetime) -> int:
    """A cancelled milestone debited when it started: what its debits took goes back to the
    client (a refund, with its credit note); the amount refunded. A refund Stripe refuses is
    logged: the provider can still refund it by hand."""
    milestone = db.session.get(Milestone, milestone_id)
    paid = [(p.id, refunds.refundable(p)) for p in milestone.payments
            if p.method == SEPA and p.status == "captured"]
    provider_id = milestone.project.provider_id
    db.session.commit()
    done = 0
    for payment_id, amount in paid:
        if amount <= 0:
            continue
        try:
            refunds.refund(payment_id, provider_id, amount, "cancelled milestone", now)
        except DomainError:
            db.session.rollback()
            log.exception("milestone %s: its debit %s could not be refunded", milestone_id,
                          payment_id)
            continue
        done += amount
    return done
