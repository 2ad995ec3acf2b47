"""Transfers that match themselves: the transfer offered for a debt, and what arrives.

`offer()` gives an unpaid receivable its transfer PaymentIntent on the provider's Stripe account
(amount: the balance; the key stored and committed before Stripe hears of it), with the client's
virtual IBAN and the reference Stripe gave; the pay page, the reminders and the documents read
that row. Stripe applies each transfer by itself to the open intent: `funded()` (webhooks
`payment_intent.partially_funded` and `.succeeded`) reads the intent back and settles only what
was funded beyond what the row already counted, in the same transaction as the count, so an
event seen twice or late counts nothing more (settling.settle: interest on the real history, the
case closed and the provider told once all is paid). An excess stays in the client's cash
balance at Stripe: `cash_moved()` keeps it on the rows, the case page shows it with a refund.

The transfer intent is no page intent (payments table): settle() withdrawing the card page's
intents when the owed amount changes leaves it usable for the rest.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import select

from skod.core.errors import Conflict, NotFound
from skod.dunning.debts import settling
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.store import lock, record
from skod.dunning.transfers import making
from skod.dunning.transfers.making import PURPOSE
from skod.dunning.transfers.models import TransferIntent
from skod.dunning.transfers.store import current
from skod.extensions import db
from skod.stripe_gateway import GatewayError, gateway
from skod.stripe_transfers import TransferIntent as Intent

log = logging.getLogger(__name__)


def offer(receivable_id: int, now: datetime) -> TransferIntent | None:
    """The open transfer of an unpaid debt, made at Stripe if it has none yet; None when the
    debt is paid or the provider's account cannot take payments now (making.make)."""
    row, intent = making.make(receivable_id)
    if row is None:
        return None
    row_id = row.id
    if intent is not None and intent.status == "succeeded":  # the client's credit paid it
        _count(row_id, intent, now)
    return db.session.get(TransferIntent, row_id)


def offer_all(receivable_ids: list[int], now: datetime) -> None:
    """Before a reminder: each debt's transfer offered (a failure is logged and the letter goes
    with the provider's own bank details alone)."""
    for receivable_id in receivable_ids:
        try:
            offer(receivable_id, now)
        except Exception:  # noqa: BLE001 - never a reason to hold a reminder back
            db.session.rollback()
            log.exception("receivable %s: the transfer offer failed", receivable_id)


def funded(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """payment_intent.partially_funded / .succeeded of one of our transfer intents: the
    intent read back from its account, its new funding settled once."""
    row = db.session.scalar(select(TransferIntent).where(
        TransferIntent.stripe_payment_intent_id == obj.get("id")))
    if row is None or (row.stripe_account_id or None) != (account or None):
        db.session.commit()
        return "ignored"
    intent = gateway().on(account).retrieve_transfer_intent(row.stripe_payment_intent_id)
    row_id = row.id
    db.session.commit()
    _count(row_id, intent, now)
    return None


def _count(row_id: int, intent: Intent, now: datetime) -> None:
    """Settle what the intent says was funded beyond what the row counted: the row's count and
    the debt's payment commit together (settle's commit). Locks the debt, then the row (as
    offer() does). What the debt could not take (paid another way meanwhile) is put on the
    case's timeline: the money is in the provider's Stripe balance."""
    receivable = lock(db.session.get(TransferIntent, row_id).receivable_id)
    row = db.session.get(TransferIntent, row_id, with_for_update=True, populate_existing=True)
    total = intent.amount if intent.status == "succeeded" else (
        intent.amount - intent.amount_remaining)
    delta = min(total, row.amount_minor) - row.funded_minor
    making.read(row, intent)
    if delta <= 0:
        db.session.commit()
        return
    row.funded_minor += delta
    before = receivable.paid_minor + receivable.penalties_paid_minor
    after = settling.settle(receivable.id, delta, now, via="transfer")
    counted = after.paid_minor + after.penalties_paid_minor - before if after else 0
    if counted < delta:
        record(after or receivable, "transfer_after_paid", now, amount=delta - counted,
               currency=row.currency)
        db.session.commit()


def is_ours(obj: dict) -> bool:
    return str((obj.get("metadata") or {}).get("purpose", "")) == PURPOSE


def cash_moved(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """customer_cash_balance_transaction.created: the client's credit at Stripe, read back,
    kept on their transfer rows (the case pages show it)."""
    rows = list(db.session.scalars(select(TransferIntent).where(
        TransferIntent.stripe_customer_id == str(obj.get("customer") or ""))))
    rows = [r for r in rows if (r.stripe_account_id or None) == (account or None)]
    if not rows:
        db.session.commit()
        return "ignored"
    balance = gateway().on(account).cash_balance(rows[0].stripe_customer_id, rows[0].currency)
    for row in rows:
        row.credit_minor = balance
    db.session.commit()
    return None


def refund_credit(receivable_id: int, provider_id: int, now: datetime) -> int:
    """Send the client's credit back to their bank (the provider's click on the case page);
    the amount refunded. The key names the row and what it refunded before: a retry after a
    lost answer is the same refund, a later credit a new one."""
    receivable = db.session.get(Receivable, receivable_id)
    row = current(receivable_id)
    if receivable is None or receivable.provider_id != provider_id or row is None:
        raise NotFound("receivable not found")
    row = db.session.get(TransferIntent, row.id, with_for_update=True, populate_existing=True)
    amount = row.credit_minor
    if amount <= 0:
        db.session.rollback()
        raise Conflict("the client has no credit to refund", code="no_credit")
    try:
        gateway().on(row.stripe_account_id).refund_cash_balance(
            row.stripe_customer_id, amount=amount, currency=row.currency,
            key=f"credit-refund:transfer:{row.id}:{row.credit_refunded_minor}",
            metadata={"skod_receivable_id": str(receivable_id)})
    except GatewayError as err:
        db.session.rollback()
        raise Conflict(f"Stripe refused the refund: {err}", code="refund_refused") from err
    row.credit_refunded_minor += amount
    for other in db.session.scalars(select(TransferIntent).where(
            TransferIntent.stripe_customer_id == row.stripe_customer_id)):
        other.credit_minor = max(0, other.credit_minor - amount)
    record(receivable, "credit_refunded", now, amount=amount, currency=row.currency)
    db.session.commit()
    return amount
