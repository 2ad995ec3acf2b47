"""The part of a charged deposit that no milestone can use any more goes back to the client.

A milestone cancelled after acceptance passes its share of the deposit to the milestones still
to charge (milestones.cancel); what is left over, when none remains to absorb it, is refunded
from the deposit payment, which issues its credit note like any refund.
"""

from __future__ import annotations

import logging
from datetime import datetime

from skod.core.errors import DomainError
from skod.extensions import db
from skod.payments import refunds
from skod.projects.models import Project

log = logging.getLogger(__name__)


def refund_deposit_share(project_id: int, amount: int, now: datetime) -> int:
    """Refund `amount` of the project's deposit (capped at what is refundable); the amount
    refunded. A refund Stripe refuses is logged: the provider can still refund it by hand."""
    project = db.session.get(Project, project_id)
    deposit = project.deposit_payment()
    if deposit is None or deposit.status not in ("captured", "refunded"):
        db.session.commit()
        return 0
    amount = min(amount, refunds.refundable(deposit))
    payment_id, provider_id = deposit.id, project.provider_id
    db.session.commit()
    if amount <= 0:
        return 0
    try:
        refunds.refund(payment_id, provider_id, amount, "deposit share of a cancelled milestone",
                       now)
    except DomainError:
        db.session.rollback()
        log.exception("project %s: the unused deposit (%s) could not be refunded", project_id,
                      amount)
        return 0
    return amount
