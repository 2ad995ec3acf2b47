"""A milestone's money: place (or renew) its off-session hold, settle it (capture the hold, or
charge the saved card off-session); a SEPA project debits it instead when it starts (no hold:
sepa_debits.py). The client's on-session authorization after a failure is client_pay.py's.
A milestone's start lives here too: starting places its hold (or debit), and a paid milestone
starts the next one, so the two call each other (milestones re-exports `start`).

Same two halves as payments.services: under the milestone's row lock the state is checked and
the idempotency key stored, the commit comes before the Stripe call, and the answer is recorded
under the lock again. A hold in capture_pending or a charge still `created` means another
worker is on it: nobody sends a second one.
"""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from skod.core.errors import Conflict, NotFound
from skod.dunning.debts.opening import open_for_payment
from skod.extensions import db
from skod.payments import cards
from skod.payments import services as pay
from skod.payments.models import MILESTONE, Payment
from skod.projects import notify, sepa_notify
from skod.projects import policy as pp
from skod.projects import sepa_debits as sepa
from skod.projects.models import (
    FINAL,
    MILESTONE_STATES,
    OPEN,
    PROJECT_STATES,
    STARTED,
    Milestone,
    Project,
)


def lock_milestone(milestone_id: int) -> Milestone:
    milestone = db.session.get(Milestone, milestone_id, with_for_update=True,
                               populate_existing=True)
    if milestone is None:
        raise NotFound("milestone not found")
    return milestone


def project_policy() -> pp.ProjectPolicy:
    return pp.ProjectPolicy.from_config(current_app.config)


def lock_project(project_id: int) -> Project:
    project = db.session.get(Project, project_id, with_for_update=True, populate_existing=True)
    if project is None:
        raise NotFound("project not found")
    return project


def _new(milestone: Milestone, *, key: str, off_session: bool) -> Payment:
    project = milestone.project
    return pay.new_payment(
        provider_id=project.provider_id, client_id=project.client_id, project_id=project.id,
        milestone_id=milestone.id, purpose=MILESTONE, amount=milestone.due_minor,
        currency=project.currency, off_session=off_session, key=key,
        payment_method=project.stripe_payment_method_id)


def _send(milestone_id: int, payment_id: int, *, manual: bool, now: datetime,
          settling: bool) -> Milestone:
    """Commit (key stored), send the create under the payment's lock, apply the outcome."""
    db.session.commit()
    payment = pay.lock(payment_id)
    if payment.status == "created":
        project = db.session.get(Milestone, milestone_id).project
        pay.send_create(payment, customer=cards.customer_of(project, project.client),
                        manual=manual, now=now)
    db.session.commit()
    return after_payment(milestone_id, payment_id, now, settling=settling)


def place_hold(milestone_id: int, now: datetime, renew: bool = False) -> Milestone:
    """Hold what the milestone still costs, off-session; `renew` cancels the old hold first."""
    milestone = lock_milestone(milestone_id)
    current = milestone.live_hold()
    busy = current is not None and (not renew or current.status != "held")
    if milestone.status not in OPEN or milestone.due_minor == 0 or busy:
        db.session.commit()
        return milestone
    if current is not None:  # renewal: the old hold goes first, then a fresh one
        if pay.begin_release(current):
            db.session.commit()
            pay.send_release(pay.lock(current.id))
        db.session.commit()
        milestone = lock_milestone(milestone_id)
    milestone.hold_attempts += 1
    payment = _new(milestone, key=f"hold:milestone:{milestone.id}:{milestone.hold_attempts}",
                   off_session=True)
    return _send(milestone_id, payment.id, manual=True, now=now, settling=False)


def settle(milestone_id: int, now: datetime) -> Milestone:
    """Take what the milestone costs: capture its hold, or charge the saved card off-session;
    nothing when the deposit covers it. Called once the milestone is done (and approved)."""
    milestone = lock_milestone(milestone_id)
    last = milestone.last_payment()
    pending = last is not None and last.status in ("capture_pending", "created", "processing")
    if milestone.status in FINAL or pending:
        db.session.commit()
        return milestone  # a SEPA debit still at the bank: its webhook settles it
    if milestone.due_minor == 0 or sepa.paid_debit(milestone.payments, milestone.due_minor):
        MILESTONE_STATES.move(milestone, "paid")
        db.session.commit()
        return paid(milestone_id, now)
    hold = milestone.live_hold()
    if hold is not None:
        hold = pay.lock(hold.id)
        pay.begin_capture(hold, min(milestone.due_minor, hold.amount_held_minor))
        db.session.commit()  # the capture is marked as sent: nobody sends it again
        hold = pay.lock(hold.id)
        if hold.status == "capture_pending":
            pay.send_capture(hold)
        db.session.commit()
        return after_payment(milestone_id, hold.id, now, settling=True)
    if sepa.is_sepa(milestone.project):
        db.session.commit()
        return debit(milestone_id, now)  # its debit failed before: the mandate once more
    attempt = len(milestone.payments) + 1
    payment = _new(milestone, key=f"charge:milestone:{milestone.id}:{attempt}", off_session=True)
    return _send(milestone_id, payment.id, manual=False, now=now, settling=True)


def after_payment(milestone_id: int, payment_id: int, now: datetime,
                  settling: bool) -> Milestone:
    """Move the milestone from what its payment became; whoever must know is told once, on
    the move (a second call for the same payment, a webhook or a retried job, finds the
    milestone moved already and tells nobody again)."""
    milestone = lock_milestone(milestone_id)
    payment = db.session.get(Payment, payment_id)
    before = milestone.status
    if payment.status == "captured" and payment.method == sepa.SEPA and not settling:
        db.session.commit()  # debited when it started: paid once delivered (settle)
        sepa_notify.debit_paid(milestone)
        return milestone
    if payment.status == "captured":
        if milestone.status not in FINAL:
            MILESTONE_STATES.move(milestone, "paid")
            db.session.commit()
            return paid(milestone_id, now)
    elif payment.status == "held":
        if before in ("action_required", "payment_failed") and not settling:
            MILESTONE_STATES.move(milestone, "in_progress")
    elif settling or before in STARTED:
        target = problem_state(milestone, payment)
        if target is not None and target != before:
            MILESTONE_STATES.move_if(milestone, target)
    # delivered work left unpaid is a debt, opened in this same transaction; its notice and
    # reminders are the dunning ladder's, not a second e-mail from here
    debt = payment.status == "failed" and milestone.completed_at is not None and (
        open_for_payment(payment, f"milestone:{milestone.id}", milestone.due_minor, now)
        is not None)
    moved = milestone.status != before
    db.session.commit()
    if moved and not debt:
        _tell(milestone, payment)
    return milestone


def problem_state(milestone: Milestone, payment: Payment) -> str | None:
    """Where a payment that did not go through leaves its milestone. Before delivery nothing
    is owed: a declined hold, like one the bank wants authenticated, waits for the client to
    authorize on-session (action_required), never payment_failed, which is a debt for
    delivered work (invoiced, then dunned)."""
    if payment.status == "requires_action" or payment.last_error_kind == (
            "authentication_required"):
        return "action_required"
    if payment.status == "failed":
        return "action_required" if milestone.completed_at is None else "payment_failed"
    return None


def _tell(milestone: Milestone, payment: Payment) -> None:
    """After a move: the provider hears the hold is back; a problem found off-session goes to
    the client (on-session, the client is on the page already) and, before delivery, to the
    provider as a warning not to work unpaid."""
    if milestone.status == "in_progress":
        notify.payment_secured(milestone)
    elif not payment.off_session:
        return
    elif milestone.completed_at is None and payment.method == sepa.SEPA:
        sepa_notify.debit_failed(milestone, payment)
    elif milestone.completed_at is None:
        notify.hold_not_secured(milestone, payment)
    else:
        outcome = "authorize" if milestone.status == "action_required" else "failed"
        notify.payment_problem(milestone, payment, outcome)


def paid(milestone_id: int, now: datetime) -> Milestone:
    """A paid milestone: both are told, the next one starts, a finished project completes."""
    milestone = db.session.get(Milestone, milestone_id)
    notify.milestone_paid(milestone)
    start_next(milestone.project_id, now)
    return db.session.get(Milestone, milestone_id)


def start(milestone_id: int, now: datetime) -> Milestone:
    """Work begins: the hold is placed now when the due date fits in a merchant-initiated
    hold, else at HOLD_LEAD before the due date (jobs.place_due_holds)."""
    milestone = lock_milestone(milestone_id)
    if milestone.status != "pending":
        if milestone.started_at is not None:
            db.session.commit()
            return milestone  # started already
        raise Conflict(f"the milestone is {milestone.status}", code="invalid_state")
    project = milestone.project
    if project.status != "accepted":
        raise Conflict("the client has not accepted the project yet", code="not_accepted")
    MILESTONE_STATES.move(milestone, "in_progress")
    milestone.started_at = now
    if milestone.due_minor > 0 and sepa.is_sepa(project):
        db.session.commit()
        return debit(milestone_id, now)  # no hold with SEPA: debited when it starts
    if milestone.due_minor > 0:
        due = pp.due_at(milestone.expected_on, project.provider.timezone)
        milestone.hold_due_at = pp.hold_at(project_policy(), now, due)
    hold_now = milestone.hold_due_at is not None and milestone.hold_due_at <= now
    db.session.commit()
    return place_hold(milestone_id, now) if hold_now else milestone


def debit(milestone_id: int, now: datetime) -> Milestone:
    """A SEPA milestone is debited when it starts (once: a debit in flight or paid stops a
    second); the client gets the pre-notification, the provider "not before it is paid"."""
    milestone = lock_milestone(milestone_id)
    taken_back = any(p.method == sepa.SEPA and p.dispute_status for p in milestone.payments)
    if milestone.status not in OPEN or milestone.due_minor == 0 or taken_back or (
            sepa.debit_in_flight(milestone.payments)) or sepa.paid_debit(milestone.payments,
                                                                          milestone.due_minor):
        # a debit the client's bank took back is never sent again: the client pays by card
        db.session.commit()
        return milestone
    payment = sepa.new_debit(_new(milestone, key=f"debit:milestone:{milestone.id}:"
                                  f"{len(milestone.payments) + 1}", off_session=True))
    payment_id = payment.id
    db.session.commit()  # the key is stored before the call
    sepa.send_debit(payment_id, now)
    payment, milestone = db.session.get(Payment, payment_id), db.session.get(Milestone,
                                                                             milestone_id)
    if payment.status == "processing":
        sepa_notify.debit_started(milestone, payment)
    return after_payment(milestone_id, payment_id, now,
                         settling=milestone.completed_at is not None)


def start_next(project_id: int, now: datetime) -> None:
    """After a milestone is paid or cancelled: the next pending one starts, or the project
    is complete when every milestone is final."""
    project = lock_project(project_id)
    if project.status != "accepted":
        db.session.commit()
        return
    pending = sorted((m for m in project.milestones if m.status == "pending"),
                     key=lambda m: m.position)
    running = [m for m in project.milestones if m.status not in FINAL and m.status != "pending"]
    if not pending and not running:
        PROJECT_STATES.move(project, "completed")
        db.session.commit()
        return
    db.session.commit()
    if pending and not running:
        start(pending[0].id, now)


def release_hold(milestone_id: int) -> None:
    """Release the milestone's live hold (the milestone is locked and final already)."""
    milestone = lock_milestone(milestone_id)
    hold = milestone.live_hold()
    if hold is not None and hold.status == "held" and pay.begin_release(pay.lock(hold.id)):
        db.session.commit()
        pay.send_release(pay.lock(hold.id))
    db.session.commit()
