"""Projects' side of Stripe's truth: a deposit or milestone payment changed by a webhook or by
reconciliation moves its project or milestone as the page's own call would have.
Registered in skod.payments.hooks."""

from __future__ import annotations

from datetime import datetime

from skod.core.formats import moment
from skod.extensions import db
from skod.payments import hooks
from skod.payments.models import Payment


def payment_changed(payment: Payment, now: datetime) -> None:
    from skod.projects import settlement, setup
    from skod.projects.models import Milestone, Project

    payment_id, milestone_id, project_id = payment.id, payment.milestone_id, payment.project_id
    db.session.commit()
    if milestone_id is not None:
        milestone = db.session.get(Milestone, milestone_id)
        settlement.after_payment(milestone_id, payment_id, now,
                                 settling=milestone.completed_at is not None)
    elif project_id is not None:
        project = settlement.lock_project(project_id)
        if project.status == "deposit_pending":
            setup._deposit_outcome(project, db.session.get(Payment, payment_id), now)
        db.session.commit()
        deposit = db.session.get(Payment, payment_id)
        if deposit.method == "sepa_debit" and deposit.status in ("captured", "failed"):
            from skod.projects import sepa_notify

            sepa_notify.deposit_answered(db.session.get(Project, project_id), deposit)


def evidence(payment: Payment) -> list[tuple[str, str]]:
    """What shows the work was delivered: the project's acceptance and the milestone's
    delivery (date, note, the client's approval)."""
    from flask_babel import gettext as _

    from skod.projects.models import Milestone, Project

    project = db.session.get(Project, payment.project_id)
    tz, locale = project.provider.timezone, project.provider.locale
    lines = [(_("Project"), project.title),
             (_("Accepted by the client"), moment(project.accepted_at, tz, locale)),
             (_("Client"), f"{project.client.name} <{project.client.email}>")]
    if payment.milestone_id is not None:
        milestone = db.session.get(Milestone, payment.milestone_id)
        lines += [(_("Milestone"), milestone.title),
                  (_("Delivered"), moment(milestone.completed_at, tz, locale)),
                  (_("Delivery note"), (milestone.delivery_note or "-")[:500]),
                  (_("Approved"), moment(milestone.approved_at, tz, locale))]
    return lines


def recovered(milestone_id: int, now: datetime) -> None:
    """The debt of a delivered milestone was paid: it is paid, and the project goes on."""
    from skod.projects.models import MILESTONE_STATES
    from skod.projects.settlement import lock_milestone, paid

    milestone = lock_milestone(milestone_id)
    moved = MILESTONE_STATES.move_if(milestone, "paid")
    db.session.commit()
    if moved:
        paid(milestone_id, now)


def debit_disputed(dispute_id: int, change: str, now: datetime) -> None:
    """A SEPA debit of a delivered milestone taken back by the client's bank (the refund
    right: 8 weeks, 13 months if unauthorised): the money is gone at once, so the client owes
    it again from the dispute's opening, as after a lost card dispute, with the delivery as
    evidence (projects' `evidence`)."""
    from skod.dunning.debts.sync import open_for_lost
    from skod.payments.disputes import Dispute
    from skod.projects.models import Milestone

    dispute = db.session.get(Dispute, dispute_id)
    payment = db.session.get(Payment, dispute.payment_id) if dispute else None
    if change != "opened" or payment is None or payment.method != "sepa_debit":
        return
    milestone = db.session.get(Milestone, payment.milestone_id) if payment.milestone_id else None
    delivered = milestone is not None and milestone.completed_at is not None
    if milestone is not None and not delivered:
        _unpaid_again(milestone.id, payment.id)
    elif delivered or payment.project_id is not None:
        open_for_lost(dispute, payment, now)  # the deposit is owed from the acceptance


def _unpaid_again(milestone_id: int, payment_id: int) -> None:
    """Taken back before delivery: the milestone is not paid any more; as after a returned
    debit, the client is asked to pay another way and the provider warned (nothing owed)."""
    from skod.projects import sepa_notify
    from skod.projects.models import MILESTONE_STATES
    from skod.projects.settlement import lock_milestone

    milestone = lock_milestone(milestone_id)
    moved = milestone.status == "in_progress" and MILESTONE_STATES.move_if(
        milestone, "action_required")
    db.session.commit()
    if moved:
        sepa_notify.debit_failed(milestone, db.session.get(Payment, payment_id))


def register() -> None:
    from skod.dunning.debts.recovery import on_recovered

    on_recovered("milestone", recovered)
    hooks.on_change("project_id", payment_changed)
    hooks.on_evidence("project_id", evidence)
    hooks.on_dispute(debit_disputed)
