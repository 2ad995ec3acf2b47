"""Settling a debt: a payment counted to the invoice's balance first, then to the penalties;
the case closed when nothing is left, and what follows a closing (the invoice marked paid, the
service released, the provider told, the mise en demeure and the recourse file closed).

Every function here is a service that owns its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.dunning.bank_statements import surplus
from skod.dunning.debts import notices, overpay, plan_closing, recovery
from skod.dunning.debts.models import CLOSED, RECEIVABLE_STATES, Receivable
from skod.dunning.debts.store import lock, record
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.owed import penalties_alone
from skod.dunning.recourse import services as recourse
from skod.dunning.transfers import closing as transfer_closing
from skod.extensions import db
from skod.invoicing import ledger
from skod.payments import services as pay
from skod.payments.models import Payment


def settle(receivable_id: int, amount: int, now: datetime, via: str,
           payment_id: int | None = None, bank_line_id: int | None = None) -> Receivable | None:
    """A payment of `amount` reached the provider (card, transfer, instalment): counted to the
    invoice's balance first (what a client paying an invoice means), then to the penalties the
    case claims (owed/amounts.py); the case closes in this transaction when nothing is left. The
    invoice is marked paid once its balance is 0, even when penalties remain. A line of the
    provider's bank statement (`bank_line_id`) bringing more keeps the rest as the client's
    credit on the case (bank_statements/surplus.py), in the same transaction."""
    receivable = lock(receivable_id)
    if receivable is None or (payment_id and overpay.counted_twice(receivable_id, payment_id)):
        db.session.commit()  # this payment is counted already (webhook and answer)
        return receivable
    # never above what is owed: a card payment racing a transfer, an instalment or a retry
    # brings an excess, recorded once here (under the lock) and refunded after the commit.
    # A written-off debt is still owed in law (writing off is the provider's bookkeeping, not
    # a remission): money landing on it later is recovered, counted, and closes it as paid.
    to_balance, to_penalties, left = penalties_alone.split(receivable, amount, now,
                                                           _asked(payment_id))
    if to_balance:
        receivable.paid_minor += to_balance
        # the principal's payment history (penalties.py reads it): never penalty money
        record(receivable, "payment", now, amount=to_balance, via=via, payment_id=payment_id,
               **({"after_write_off": True} if receivable.status == "written_off" else {}))
    if to_penalties:
        receivable.penalties_paid_minor += to_penalties
        record(receivable, "penalty_payment", now, amount=to_penalties, via=via,
               payment_id=payment_id)
    counted = to_balance + to_penalties
    excess = _rest(receivable, amount - counted, now, via, payment_id, bank_line_id)
    closed = counted > 0 and receivable.balance_minor == 0 and left == 0
    if closed:
        close(receivable, "paid", now, via=via)
    db.session.commit()
    if closed:
        after_paid(receivable.id, now, via)
    elif to_balance and receivable.balance_minor == 0:  # the invoice is paid, penalties not
        penalties_alone.invoice_settled(receivable.id, now, via)
    if counted:  # the amount owed changed: an open page intent must not charge the old one
        withdraw_page_intents(receivable_id, now, keep=payment_id)
        if not closed:  # nor the transfer ask the old balance (closed: after_paid did)
            transfer_closing.follow(receivable_id)
    if excess:
        overpay.refund_excess(receivable_id, payment_id, excess, now)
    return db.session.get(Receivable, receivable_id)


def _rest(receivable: Receivable, rest: int, now: datetime, via: str, payment_id: int | None,
          bank_line_id: int | None) -> int:
    """What the payment brought beyond what is owed, recorded once: a card's excess is
    refunded through Stripe after the commit (its amount returned), a bank line's stays the
    client's credit for the provider to give back (never `overpaid`: that is Stripe's)."""
    if rest <= 0:
        return 0
    if payment_id:
        record(receivable, overpay.OVERPAID, now, amount=rest, via=via, payment_id=payment_id)
        return rest
    if bank_line_id is not None:
        record(receivable, surplus.SURPLUS, now, amount=rest, currency=receivable.currency,
               bank_line_id=bank_line_id)
    return 0


def settle_captured(payment: Payment, now: datetime) -> Receivable | None:
    """A recovery payment captured on the card (page, retry, instalment) counts to its debt."""
    return settle(payment.receivable_id, payment.amount_captured_minor, now, "card",
                  payment_id=payment.id)


def _asked(payment_id: int | None) -> int | None:
    """What the pay page asked for this payment (None: not a payment made on the page)."""
    payment = db.session.get(Payment, payment_id) if payment_id else None
    on_page = payment is not None and not payment.off_session and payment.receivable_id
    return payment.amount_requested_minor if on_page else None


def close(receivable: Receivable, status: str, now: datetime, **data: object) -> None:
    RECEIVABLE_STATES.move(receivable, status)
    receivable.closed_at, receivable.next_action_at = now, None
    receivable.next_retry_at = receivable.paused_until = receivable.pause_reason = None
    record(receivable, status, now, **data)
    # a mise en demeure's draft cancelled and its mail task closed; the recourse file closed
    # with its last debt
    mise_en_demeure.on_closed(receivable)
    recourse.debt_closed(receivable)
    plan_closing.on_closed(receivable, now)  # no request left waiting, nothing left to charge


def after_paid(receivable_id: int, now: datetime, via: str) -> None:
    """Once the case is closed as paid: the invoice says so, the service is released (a held
    reply, a milestone), the provider is told. Each part commits on its own."""
    receivable = db.session.get(Receivable, receivable_id)
    if receivable.invoice_id is not None and not receivable.source.startswith("dispute:"):
        ledger.mark_paid(receivable.invoice_id, now, method=via)
    recovery.recovered(receivable, now)
    notices.provider_paid(receivable)
    transfer_closing.follow(receivable_id)  # no transfer asked for any more; what one held
    # (counted to this debt) is taken back by an intent of its own, which pays the provider


def invoice_paid(invoice_id: int, now: datetime) -> None:
    """The invoice was paid by another path (the service's own pay link, reconciliation):
    its case closes, and a step already claimed will not be sent."""
    rows = db.session.scalars(select(Receivable.id).where(
        Receivable.invoice_id == invoice_id, Receivable.status.not_in(CLOSED),
        ~Receivable.source.startswith("dispute:"))).all()
    for receivable_id in rows:
        receivable = lock(receivable_id)
        if receivable.status in CLOSED or receivable.balance_minor == 0:
            db.session.commit()  # closed, or settle() left it open for its penalties alone
            continue
        if penalties_alone.keep_open_for_penalties(receivable, now):
            db.session.commit()
            penalties_alone.invoice_settled(receivable_id, now, "invoice", mark=False)
        else:
            receivable.paid_minor = receivable.principal_minor
            close(receivable, "paid", now, via="invoice")
            db.session.commit()
            # paid in full elsewhere: what the transfer held goes back to the client's credit
            transfer_closing.withdraw(receivable_id)
        withdraw_page_intents(receivable_id, now)


def withdraw_page_intents(receivable_id: int, now: datetime, keep: int | None = None) -> int:
    """Cancel the debt's open page intents (but `keep`); one confirmed meanwhile is read back
    and counted (its excess refunded). How many were cancelled. Each has its own transaction."""
    cancelled = 0
    for payment_id in overpay.open_page_payments(receivable_id, keep):
        payment = pay.lock(payment_id)
        if payment.status not in ("created", "requires_action") or not pay.begin_release(payment):
            db.session.commit()
            continue
        db.session.commit()  # the cancel key is stored before Stripe hears of it
        payment = pay.lock(payment_id)
        pay.send_release(payment)
        status = payment.status
        db.session.commit()
        if status == "captured":  # the client confirmed before the cancel: it counts
            settle_captured(db.session.get(Payment, payment_id), now)
        else:
            cancelled += status == "released"
    return cancelled
