"""Making a debt's transfer intent at Stripe: the row first (its key committed before Stripe
hears of it), then the PaymentIntent, read back onto the row. No settling here (closing.py
re-offers through it from below settling.py); services.offer counts what Stripe applied at once.

The amount is what the debt still owes, plus what a replaced intent held (`carried`): an intent
cancelled because the balance changed hands its funds back to the client's cash balance, and
Stripe applies them to the new intent at once (automatic reconciliation at confirmation). That
money was counted to the debt already, so the new row starts with it as `funded_minor`.
"""

from __future__ import annotations

import logging

from sqlalchemy import func, select

from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.store import lock
from skod.dunning.transfers.models import TransferIntent
from skod.dunning.transfers.store import current
from skod.extensions import db
from skod.payments import cards, connect
from skod.stripe_gateway import GatewayError, gateway
from skod.stripe_transfers import TransferIntent as Intent

log = logging.getLogger(__name__)
#: the metadata that tells our transfer intents from the other intents of an account
PURPOSE = "transfer"


def make(receivable_id: int) -> tuple[TransferIntent | None, Intent | None]:
    """The debt's open transfer, made at Stripe when it needs one: (row, the intent as Stripe
    answered, when it was made now). (None, None) when the debt needs none or Stripe failed
    (logged: the pages and letters then show the provider's own bank details alone)."""
    receivable = lock(receivable_id)
    row = current(receivable_id) if receivable is not None else None
    if not to_make(receivable, row):
        db.session.commit()
        return (row if row is not None and row.status == "open" else None), None
    try:
        if row is None or row.status != "created":
            row = _new_row(receivable, row)
            db.session.commit()  # the key is stored before the call
            receivable = lock(receivable_id)
            row = db.session.get(TransferIntent, row.id)
        intent = gateway().on(row.stripe_account_id).create_transfer_intent(
            amount=row.amount_minor, currency=row.currency, customer=row.stripe_customer_id,
            key=row.create_key, metadata={"purpose": PURPOSE,
                                          "skod_receivable_id": str(receivable_id),
                                          "skod_transfer_id": str(row.id)})
    except GatewayError:
        db.session.rollback()
        log.exception("receivable %s: no transfer intent offered", receivable_id)
        return None, None
    read(row, intent)
    db.session.commit()
    return row, intent


def carried(row: TransferIntent | None) -> int:
    """What a replaced intent held, counted already, that the next one takes back."""
    return row.funded_minor if row is not None and row.status == "replaced" else 0


def to_make(receivable: Receivable | None, row: TransferIntent | None) -> bool:
    """Whether the debt needs its transfer made (or its lost create sent again): unpaid, or
    holding funds of a replaced intent; none open or paid yet; an account taking payments."""
    if receivable is None or (row is not None and row.status in ("open", "succeeded")):
        return False
    unpaid = receivable.status not in CLOSED and receivable.balance_minor > 0
    lost = row is not None and row.status == "created" and row.funded_minor > 0
    if not (unpaid or carried(row) or lost):
        return False
    return connect.can_take_payments(receivable.provider)


def _new_row(receivable: Receivable, last: TransferIntent | None) -> TransferIntent:
    account = connect.account_of(receivable.provider)
    # the client's customer on the provider's account: one virtual IBAN for all their debts
    customer = cards.ensure_customer(receivable.client, account)
    tries = db.session.scalar(select(func.count(TransferIntent.id)).where(
        TransferIntent.receivable_id == receivable.id))
    held = carried(last)
    owed = receivable.balance_minor if receivable.status not in CLOSED else 0
    row = TransferIntent(receivable_id=receivable.id, stripe_account_id=account,
                         stripe_customer_id=customer, amount_minor=held + owed,
                         funded_minor=held, currency=receivable.currency, status="created",
                         create_key=f"transfer:receivable:{receivable.id}:{tries + 1}")
    if last is not None and held:
        last.status = "canceled"  # its funds now belong to the new row: carried once
    db.session.add(row)
    return row


def read(row: TransferIntent, intent: Intent) -> None:
    row.stripe_payment_intent_id = intent.id
    if row.status in ("created", "open"):
        row.status = intent.status if intent.status in ("succeeded", "canceled") else "open"
    if intent.reference:
        row.reference = intent.reference
    if intent.account is not None:
        row.iban, row.bic, row.holder = (intent.account.iban, intent.account.bic or None,
                                         intent.account.holder or None)
