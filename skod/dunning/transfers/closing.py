"""A debt paid another way (card, instalments, the invoice's own link): its transfer intent is
cancelled, so that money sent later stays the client's credit at Stripe instead of paying a
closed debt. Only an intent nothing was applied to yet: cancelling one partly funded would hand
what it holds back to the client's cash balance, while the debt counted it as paid.

Below settling.py (it calls this after a paid closing): imports only the rows and the gateway.
"""

from __future__ import annotations

import logging

from skod.dunning.transfers.models import TransferIntent
from skod.dunning.transfers.store import current
from skod.extensions import db
from skod.stripe_gateway import GatewayError, gateway

log = logging.getLogger(__name__)


def withdraw(receivable_id: int) -> None:
    """Cancel the debt's open, unfunded transfer intent (its own transaction; a failure is
    logged: the next funding of a closed debt then counts nothing and stays visible)."""
    row = current(receivable_id)
    if row is None or row.status != "open" or row.funded_minor or not (
            row.stripe_payment_intent_id):
        return
    row = db.session.get(TransferIntent, row.id, with_for_update=True, populate_existing=True)
    if row.status != "open" or row.funded_minor:
        db.session.commit()
        return
    try:
        gateway().on(row.stripe_account_id).cancel(row.stripe_payment_intent_id,
                                                   key=f"cancel:transfer:{row.id}")
    except GatewayError:
        db.session.rollback()
        log.exception("receivable %s: its transfer intent could not be cancelled",
                      receivable_id)
        return
    row.status = "canceled"
    db.session.commit()
