"""A debt's transfer intent follows its balance: it never asks a stale amount.

Stripe lets a `customer_balance` PaymentIntent be cancelled in `requires_action`, and what was
applied to it then goes back to the customer's cash balance (an `unapplied_from_payment` cash
balance transaction); a new intent confirmed with the customer's cash balance takes it at once
(automatic reconciliation). Whether its amount may be changed in place while it waits for money
is not what we rely on: when the balance changes another way (a card payment, an instalment, a
bank statement line, the provider's "paid", a waiver), the open intent is cancelled and offered
again for what it should ask (making.py):

- `follow()` (after settle counted money, or closed the case): an intent asking something else
  than what it holds plus what is still owed is cancelled. Unfunded, it is simply offered again
  for the new balance (none once paid). Partly funded, its funds were counted to the debt: it is
  `replaced`, and the next intent, for those funds plus what is still owed, takes them back from
  the cash balance at once, so the provider receives them (the debt paid in full: an intent of
  exactly those funds, which succeeds) and nothing stays stuck on a cancelled intent.
- `withdraw()` (the invoice paid in full by another path, the debt's payments overridden): the
  intent is cancelled, funded or not; what it held goes back to the client's cash balance, their
  credit, which the case page shows with its refund (services.cash_moved, refund_credit).

Below settling.py (it calls these): imports only the rows, making.py and the gateway.
"""

from __future__ import annotations

import logging

from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.transfers import making
from skod.dunning.transfers.models import TransferIntent
from skod.dunning.transfers.store import current
from skod.extensions import db
from skod.stripe_gateway import GatewayError, gateway

log = logging.getLogger(__name__)


def follow(receivable_id: int) -> None:
    """Bring the debt's open transfer to its new balance (cancel, then offer again)."""
    row = current(receivable_id)
    if row is None or row.status != "open" or not row.stripe_payment_intent_id:
        return
    receivable = db.session.get(Receivable, receivable_id)
    owed = receivable.balance_minor if receivable.status not in CLOSED else 0
    if row.amount_minor == row.funded_minor + owed:
        return
    held = row.funded_minor
    if not _cancel(receivable_id, "replaced" if held else "canceled"):
        return
    if held or owed:
        try:
            making.make(receivable_id)
        except Exception:  # noqa: BLE001 - the next page or letter offers it again
            db.session.rollback()
            log.exception("receivable %s: its transfer was not offered again", receivable_id)


def withdraw(receivable_id: int) -> None:
    """Cancel the debt's open transfer intent; what it held becomes the client's credit."""
    row = current(receivable_id)
    if row is not None and row.status == "open" and row.stripe_payment_intent_id:
        _cancel(receivable_id, "canceled")


def _cancel(receivable_id: int, status: str) -> bool:
    """Cancel the open intent at Stripe (its own transaction; a failure is logged, the intent
    left as it is: a funding then counts what the debt can still take, the rest stays visible).
    The key names the row: a retry after a lost answer is the same cancel."""
    row = current(receivable_id)
    row = db.session.get(TransferIntent, row.id, with_for_update=True, populate_existing=True)
    if row.status != "open":
        db.session.commit()
        return False
    try:
        gateway().on(row.stripe_account_id).cancel(row.stripe_payment_intent_id,
                                                   key=f"cancel:transfer:{row.id}")
    except GatewayError:
        db.session.rollback()
        log.exception("receivable %s: its transfer intent could not be cancelled",
                      receivable_id)
        return False
    row.status = status
    db.session.commit()
    return True
