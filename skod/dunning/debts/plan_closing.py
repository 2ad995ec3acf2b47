"""A payment plan ends with its case: a closed debt (paid, written off) leaves no request
"waiting for your answer" and no instalment still to charge.

Called by settling.close inside the closing transaction; the plan services themselves live in
pay_page/plans.py (which imports the debts package, not the other way round).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.dunning.debts.models import PLAN_STATES, PaymentPlan, Receivable
from skod.dunning.debts.store import record
from skod.extensions import db

#: the plans a closing ends: a request not decided yet, a plan still charging
OPEN_PLANS = ("proposed", "accepted")


def on_closed(receivable: Receivable, now: datetime) -> None:
    """The case's open plan is closed with it; its instalments not charged yet never will be.
    A running plan of a debt paid by another path counts as completed."""
    plans = db.session.scalars(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable.id,
        PaymentPlan.status.in_(OPEN_PLANS)).with_for_update()).all()
    for plan in plans:
        ended = "completed" if plan.status == "accepted" and receivable.status == "paid" \
            else "closed"
        PLAN_STATES.move(plan, ended)
        record(receivable, f"plan_{ended}", now, plan_id=plan.id)  # on the timeline
        for instalment in plan.schedule:
            if instalment.status == "scheduled":
                instalment.status = "canceled"
