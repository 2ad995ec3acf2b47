"""A milestone's life: start, done, approve / contest / resolve, edit, cancel.

complete, approve and resolve take the milestone's row lock and record the step
(completed_at, approved_at) before any money moves: a second call finds it and returns the
milestone as it is, so a double "complete" captures once.
"""

from __future__ import annotations

from datetime import datetime

from skod.core.clock import local_date
from skod.core.errors import Conflict, Invalid
from skod.extensions import db
from skod.projects import notify
from skod.projects import policy as pp
from skod.projects import sepa_debits as sepa
from skod.projects.deposit import refund_deposit_share
from skod.projects.models import MILESTONE_STATES, STARTED, Milestone, Project

# a milestone starts with its hold and a paid one starts the next: one recursion, kept in
# settlement (its `start` is called from there)
from skod.projects.settlement import (
    lock_milestone,
    project_policy,
    release_hold,
    settle,
    start_next,
)
from skod.projects.setup import split_deposit


def complete(milestone_id: int, note: str | None, now: datetime) -> Milestone:
    """Marked done: capture (approval "none"), or wait for the client's approval."""
    milestone = lock_milestone(milestone_id)
    if milestone.completed_at is not None:
        db.session.commit()
        return milestone  # a second "complete": nothing moves twice
    if milestone.status not in STARTED:
        raise Conflict(f"a {milestone.status} milestone cannot be marked done",
                       code="invalid_state")
    milestone.completed_at, milestone.delivery_note = now, note
    if milestone.project.approval == "client":
        hold = milestone.live_hold()
        milestone.approval_deadline = pp.approval_deadline(
            project_policy(), now, hold.capture_before if hold else None)
        MILESTONE_STATES.move(milestone, "awaiting_approval")
        db.session.commit()
        notify.milestone_delivered(milestone)
        return milestone
    db.session.commit()
    notify.milestone_delivered(milestone)
    return settle(milestone_id, now)


def approve(milestone_id: int, now: datetime, auto: bool = False) -> Milestone:
    """The client approves (or the deadline passed in silence): capture."""
    milestone = lock_milestone(milestone_id)
    if milestone.approved_at is not None:
        db.session.commit()
        return milestone
    if milestone.status != "awaiting_approval":
        raise Conflict(f"a {milestone.status} milestone cannot be approved", code="invalid_state")
    if auto and (milestone.approval_deadline is None or milestone.approval_deadline > now):
        db.session.commit()
        return milestone
    milestone.approved_at = now
    db.session.commit()
    return settle(milestone_id, now)


def contest(milestone_id: int, reason: str, now: datetime) -> Milestone:
    """Capture suspended; both are told; the provider resolves or cancels."""
    milestone = lock_milestone(milestone_id)
    if milestone.status != "awaiting_approval" or milestone.approved_at is not None:
        raise Conflict(f"a {milestone.status} milestone cannot be contested",
                       code="invalid_state")
    MILESTONE_STATES.move(milestone, "contested")
    milestone.contest_reason, milestone.contested_at = reason, now
    db.session.commit()
    notify.milestone_contested(milestone)
    return milestone


def resolve(milestone_id: int, now: datetime) -> Milestone:
    """The provider settled the dispute (amount edited or not): capture."""
    milestone = lock_milestone(milestone_id)
    if milestone.approved_at is not None and milestone.status != "contested":
        db.session.commit()
        return milestone
    if milestone.status != "contested":
        raise Conflict(f"a {milestone.status} milestone is not contested", code="invalid_state")
    milestone.approved_at = now  # resolved: approved on the provider's terms
    db.session.commit()
    return settle(milestone_id, now)


def edit(milestone_id: int, changes: dict, now: datetime) -> Milestone:
    """Before start: anything. Contested: only a lower amount (the way to settle it)."""
    milestone = lock_milestone(milestone_id)
    if milestone.status == "contested":
        amount = changes.get("amount_minor")
        if set(changes) - {"amount_minor"} or amount is None:
            raise Invalid("only the amount can change on a contested milestone",
                          {"amount_minor": ["required"]})
        if amount > milestone.amount_minor:
            raise Invalid("the amount can only be lowered",
                          {"amount_minor": [f"at most {milestone.amount_minor}"]})
        milestone.amount_minor = amount
        db.session.commit()
        return milestone
    if milestone.status != "pending":
        raise Conflict("a started milestone cannot be edited", code="invalid_state")
    if "expected_on" in changes and changes["expected_on"] < local_date(
            now, milestone.project.provider.timezone):
        raise Invalid("the expected date is in the past",
                      {"expected_on": ["must not be in the past"]})
    for name in ("title", "description", "amount_minor", "expected_on"):
        if name in changes:
            setattr(milestone, name, changes[name])
    _resplit(milestone.project)
    db.session.commit()
    return milestone


def _resplit(project: Project) -> None:
    if project.status in ("sent", "deposit_pending"):
        split_deposit(project)


def cancel(milestone_id: int, now: datetime) -> Milestone:
    """The provider cancels it: its hold is released; the client is told."""
    milestone = lock_milestone(milestone_id)
    if milestone.status == "cancelled":
        db.session.commit()
        return milestone
    if milestone.status == "paid" or (milestone.last_payment() is not None and (
            milestone.last_payment().status == "capture_pending")):
        raise Conflict("a paid milestone cannot be cancelled", code="invalid_state")
    sepa.refuse_cancel_in_flight(milestone.payments)
    MILESTONE_STATES.move(milestone, "cancelled")
    milestone.cancelled_at = now
    _resplit(milestone.project)
    unused = _pass_on_credit(milestone)
    project_id = milestone.project_id
    db.session.commit()
    release_hold(milestone_id)
    sepa.refund_paid_debits(milestone_id, now)  # debited when it started (SEPA)
    if unused:
        refund_deposit_share(project_id, unused, now)
    notify.milestone_cancelled(db.session.get(Milestone, milestone_id))
    start_next(project_id, now)
    return db.session.get(Milestone, milestone_id)


#: milestones whose price is still to be charged, so that a deposit credit lowers it
_TO_CHARGE = ("pending", "in_progress", "action_required", "awaiting_approval", "contested")


def _pass_on_credit(cancelled: Milestone) -> int:
    """After acceptance the deposit is charged: the cancelled milestone's share of it goes to
    the milestones still to charge; returns what none could take (caller refunds it)."""
    credit, cancelled.deposit_credit_minor = cancelled.deposit_credit_minor, 0
    if not credit:
        return 0
    open_ones = sorted((m for m in cancelled.project.milestones if m.status in _TO_CHARGE),
                       key=lambda m: m.position)
    takes, left = pp.reassign_credit(
        credit, [m.amount_minor - m.deposit_credit_minor for m in open_ones])
    for milestone, take in zip(open_ones, takes, strict=True):
        milestone.deposit_credit_minor += take
    return left
