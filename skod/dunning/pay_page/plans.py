"""Payment plans: the client asks on the pay page to pay a debt in 2-6 monthly instalments, the
provider accepts or refuses, and an accepted plan charges the saved card on schedule (or debits
the bank account of the SEPA mandate signed on the plan page: plan_sepa.py).

`propose` fixes the schedule both sides read before deciding (rules/plan_split.schedule: the
first due a week after the request, then monthly on the same day of the client's calendar, the
amounts adding up exactly to the balance), pauses the case (reason "plan") and tells the
provider; it is refused while the saved card is the one whose charge failed (the client gives
another card or a SEPA mandate first). `refuse` resumes the ladder; `accept` keeps the dates
(the amounts follow the balance, should a transfer have paid part meanwhile) and charges
nothing before the first date: only an instalment already due is charged at once; the tick
charges the others (plan_charges.py). A case closed (paid, written off) closes its plan with
it (debts/plan_closing.py). Everyone is told through notices.provider_told: the provider of a
proposal, both sides of a decision.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.core.errors import Conflict, Invalid, NotFound
from skod.dunning.debts import cases, notices, retries
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import (
    CLOSED,
    PLAN_STATES,
    Instalment,
    PaymentPlan,
    Receivable,
)
from skod.dunning.pay_page import plan_charges
from skod.dunning.rules import plan_split as plan_rules
from skod.extensions import db
from skod.payments.models import Payment

#: a plan in these states owns the case's pause: no second plan, promise or client dispute
ACTIVE = ("proposed", "accepted")


# Reading ------------------------------------------------------------------------------------
def active_plan(receivable_id: int) -> PaymentPlan | None:
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable_id, PaymentPlan.status.in_(ACTIVE))
        .order_by(PaymentPlan.id.desc()).limit(1))


def latest_plan(receivable_id: int) -> PaymentPlan | None:
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable_id).order_by(PaymentPlan.id.desc()).limit(1))


def card_ready(receivable: Receivable, now: datetime) -> bool:
    """Whether the saved card (or mandate) may carry instalments: there is one, the networks'
    limits allow it, and it is not the card whose charge failed: a plan charged on the card
    that was just refused would only fail again (a lapsed hold is no refusal of the card)."""
    card = receivable.stripe_payment_method_id
    if not card or retries.card_blocked(card, now):
        return False
    failed = db.session.get(Payment, receivable.payment_id) if receivable.payment_id else None
    if failed is None or failed.stripe_payment_method_id != card:
        return True  # a card or a mandate saved since the failure
    return receivable.failure_code == "hold_expired"


def proposed_id(receivable_id: int, provider_id: int) -> int:
    """The plan of this provider's receivable that waits for a decision (404 / 409 else)."""
    receivable = db.session.get(Receivable, receivable_id)
    if receivable is None or receivable.provider_id != provider_id:
        raise NotFound("receivable not found")
    plan = active_plan(receivable_id)
    if plan is None or plan.status != "proposed":
        raise Conflict("no payment plan waits for a decision", code="no_plan_proposed")
    return plan.id


# The client asks, the provider decides ------------------------------------------------------
def propose(receivable_id: int, n: int, now: datetime) -> PaymentPlan:
    """The client's request: a `proposed` plan, the case paused (reason "plan")."""
    receivable = cases.locked(receivable_id)
    try:
        _may_propose(receivable, now)
        steps = proposed_schedule(receivable, n, now)
    except (Conflict, Invalid):
        db.session.rollback()
        raise
    plan = PaymentPlan(receivable_id=receivable.id, instalments=n, status="proposed",
                       created_at=now)
    db.session.add(plan)
    db.session.flush()
    for seq, (due, amount) in enumerate(steps, start=1):
        db.session.add(Instalment(plan_id=plan.id, seq=seq, due_at=due, amount_minor=amount,
                                  status="scheduled"))
    recv.record(receivable, "plan_proposed", now, plan_id=plan.id, instalments=n)
    plan_id = plan.id
    receivable = cases.pause(receivable_id, now, "plan", plan_id=plan_id)  # commits all
    notices.provider_told(receivable, "plan_proposed", plan_id=plan_id, instalments=n)
    return db.session.get(PaymentPlan, plan_id)


def proposed_schedule(receivable: Receivable, n: int,
                      now: datetime) -> list[tuple[datetime, int]]:
    """The (due, amount) pairs of an n-instalment plan asked at `now`: what the client reads
    before sending and what the request fixes (Invalid: n out of range, too small)."""
    return plan_rules.schedule(receivable.balance_minor, n, receivable.currency,
                               plan_rules.first_due(now), receivable.client.timezone)


def _may_propose(receivable: Receivable, now: datetime) -> None:
    if receivable.status in CLOSED:
        raise Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                       code="receivable_closed")
    if receivable.status == "paused" and receivable.pause_reason == "stripe_dispute":
        raise Conflict("the case is paused for stripe_dispute", code="paused_stripe_dispute")
    if active_plan(receivable.id) is not None:
        raise Conflict("a payment plan is already under way", code="plan_exists")
    if not card_ready(receivable, now):
        raise Conflict("a card is needed for the instalments", code="card_needed")


def _decide(plan_id: int, provider_id: int) -> tuple[PaymentPlan, Receivable]:
    """The proposed plan and its receivable, both locked; 404 for another provider's."""
    plan = db.session.get(PaymentPlan, plan_id)
    if plan is None:
        raise NotFound("plan not found")
    receivable = cases.locked(plan.receivable_id, provider_id)
    plan = db.session.get(PaymentPlan, plan_id, with_for_update=True, populate_existing=True)
    if plan.status != "proposed":
        db.session.rollback()
        raise Conflict(f"the plan is {plan.status}", code="plan_decided")
    if receivable.status in CLOSED:
        db.session.rollback()
        raise Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                       code="receivable_closed")
    return plan, receivable


def accept(plan_id: int, provider_id: int, now: datetime) -> PaymentPlan:
    """The provider agrees to the schedule read on the case page: its dates stay, and the
    first instalment is charged on its date by the tick (at once only when already due)."""
    plan, receivable = _decide(plan_id, provider_id)
    try:
        amounts = plan_rules.check_instalments(receivable.balance_minor, plan.instalments,
                                               receivable.currency)
    except Invalid:
        db.session.rollback()
        raise
    PLAN_STATES.move(plan, "accepted")
    plan.decided_at = now
    if not plan.schedule:  # a request made before requests fixed their schedule
        dates = plan_rules.monthly(plan_rules.first_due(plan.created_at), plan.instalments,
                                   receivable.client.timezone)
        plan.schedule.extend(Instalment(seq=seq, due_at=due, amount_minor=0,
                                        status="scheduled")
                             for seq, due in enumerate(dates, start=1))
    # the amounts follow the balance (a transfer may have paid part since the request)
    for instalment, amount in zip(plan.schedule, amounts, strict=True):
        instalment.amount_minor = amount
    recv.record(receivable, "plan_accepted", now, plan_id=plan.id, amounts=amounts)
    db.session.commit()
    notices.provider_told(receivable, "plan_accepted", plan_id=plan_id)  # and the client
    first = db.session.scalars(select(Instalment).where(
        Instalment.plan_id == plan_id, Instalment.seq == 1)).one()
    if first.due_at <= now:
        plan_charges.charge_one(first.id, now)
    return db.session.get(PaymentPlan, plan_id, populate_existing=True)


def refuse(plan_id: int, provider_id: int, now: datetime) -> PaymentPlan:
    """The provider says no: the ladder resumes where it was."""
    plan, receivable = _decide(plan_id, provider_id)
    PLAN_STATES.move(plan, "refused")
    plan.decided_at = now
    plan_charges.cancel_rest(plan)
    recv.record(receivable, "plan_refused", now, plan_id=plan.id)
    db.session.commit()
    if receivable.status == "paused" and receivable.pause_reason == "plan":
        cases.resume(receivable.id, now, why="plan_refused")
    notices.provider_told(db.session.get(Receivable, receivable.id), "plan_refused",
                         plan_id=plan_id)  # and the client
    return db.session.get(PaymentPlan, plan_id)
