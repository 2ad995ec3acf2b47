"""Projects' side of Stripe's truth: a deposit or milestone payment changed by a webhook or by
reconciliation moves its project or milestone as the page's own call would have.
Registered in skod.payments.hooks."""

from __future__ import annotations

from datetime import datetime

from skod.extensions import db
from skod.payments import hooks
from skod.payments.models import Payment


def payment_changed(payment: Payment, now: datetime) -> None:
    from skod.projects import settlement, setup
    from skod.projects.models import Milestone

    payment_id, milestone_id, project_id = payment.id, payment.milestone_id, payment.project_id
    db.session.commit()
    if milestone_id is not None:
        milestone = db.session.get(Milestone, milestone_id)
        settlement.after_payment(milestone_id, payment_id, now,
                                 settling=milestone.completed_at is not None)
    elif project_id is not None:
        project = setup.lock_project(project_id)
        if project.status == "deposit_pending":
            setup._deposit_outcome(project, db.session.get(Payment, payment_id), now)
        db.session.commit()


def register() -> None:
    hooks.on_change("project_id", payment_changed)
