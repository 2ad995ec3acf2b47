"""Payment plans: the client asks on the pay page to pay a debt in 2-6 monthly instalments, the
provider accepts or refuses, and an accepted plan charges the saved card on schedule (or debits
the bank account of the SEPA mandate signed on the plan page: plan_sepa.py).

`propose` pauses the case (reason "plan") and tells the provider; `refuse` resumes the ladder;
`accept` schedules the instalments (they add up exactly to the balance, the remainder on the
first; the first due at once, then monthly on the same day of the client's calendar) and charges
the first. `charge_due` (every tick, before the sweep) charges each due instalment off-session
at most once: the instalment's row lock and status, and its key `instalment:{plan}:{seq}`
stored before the call. A paid instalment settles its share of the debt (the last one closes
the case); a failed one fails the plan and the ladder resumes. Everyone is told through
notices.provider_told: the provider of a proposal, both sides of a decision and of a failure.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.core.errors import Conflict, Invalid, NotFound
from skod.core.isolation import isolated
from skod.dunning.debts import cases, notices, retries
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import (
    CLOSED,
    PLAN_STATES,
    Instalment,
    PaymentPlan,
    Receivable,
)
from skod.dunning.pay_page import plan_sepa
from skod.dunning.rules.plan_split import check_instalments, monthly
from skod.extensions import db
from skod.payments import cards
from skod.payments import services as pay
from skod.payments.decline_labels import retry_allowed
from skod.payments.models import RECOVERY, Payment

#: a plan in these states owns the case's pause: no second plan, promise or client dispute
ACTIVE = ("proposed", "accepted")
#: instalments charged per tick; the next tick takes the rest
BATCH = 200


# Reading ------------------------------------------------------------------------------------
def active_plan(receivable_id: int) -> PaymentPlan | None:
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable_id, PaymentPlan.status.in_(ACTIVE))
        .order_by(PaymentPlan.id.desc()).limit(1))


def latest_plan(receivable_id: int) -> PaymentPlan | None:
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable_id).order_by(PaymentPlan.id.desc()).limit(1))


def card_ready(receivable: Receivable, now: datetime) -> bool:
    """Whether the saved card may carry instalments: there is one, its last failure allows
    another charge (a soft decline, a lapsed hold), and the networks' limits allow it."""
    card = receivable.stripe_payment_method_id
    if not card or retries.card_blocked(card, now):
        return False
    failed = db.session.get(Payment, receivable.payment_id) if receivable.payment_id else None
    if failed is None or failed.stripe_payment_method_id != card:
        return True  # a card saved since the failure
    return receivable.failure_code == "hold_expired" or retry_allowed(
        receivable.failure_kind, receivable.failure_code, failed.last_error_advice)


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
        check_instalments(receivable.balance_minor, n, receivable.currency)
    except (Conflict, Invalid):
        db.session.rollback()
        raise
    plan = PaymentPlan(receivable_id=receivable.id, instalments=n, status="proposed",
                       created_at=now)
    db.session.add(plan)
    db.session.flush()
    recv.record(receivable, "plan_proposed", now, plan_id=plan.id, instalments=n)
    plan_id = plan.id
    receivable = cases.pause(receivable_id, now, "plan", plan_id=plan_id)  # commits all
    notices.provider_told(receivable, "plan_proposed", plan_id=plan_id, instalments=n)
    return db.session.get(PaymentPlan, plan_id)


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
    """The provider agrees: the instalments are scheduled and the first is charged now."""
    plan, receivable = _decide(plan_id, provider_id)
    try:
        amounts = check_instalments(receivable.balance_minor, plan.instalments,
                                    receivable.currency)
    except Invalid:
        db.session.rollback()
        raise
    PLAN_STATES.move(plan, "accepted")
    plan.decided_at = now
    dates = monthly(now, plan.instalments, receivable.client.timezone)
    for seq, (amount, due) in enumerate(zip(amounts, dates, strict=True), start=1):
        db.session.add(Instalment(plan_id=plan.id, seq=seq, due_at=due, amount_minor=amount,
                                  status="scheduled"))
    recv.record(receivable, "plan_accepted", now, plan_id=plan.id, amounts=amounts)
    db.session.commit()
    notices.provider_told(receivable, "plan_accepted", plan_id=plan_id)  # and the client
    first = db.session.scalar(select(Instalment.id).where(
        Instalment.plan_id == plan_id, Instalment.seq == 1))
    charge_one(first, now)
    return db.session.get(PaymentPlan, plan_id, populate_existing=True)


def refuse(plan_id: int, provider_id: int, now: datetime) -> PaymentPlan:
    """The provider says no: the ladder resumes where it was."""
    plan, receivable = _decide(plan_id, provider_id)
    PLAN_STATES.move(plan, "refused")
    plan.decided_at = now
    recv.record(receivable, "plan_refused", now, plan_id=plan.id)
    db.session.commit()
    if receivable.status == "paused" and receivable.pause_reason == "plan":
        cases.resume(receivable.id, now, why="plan_refused")
    notices.provider_told(db.session.get(Receivable, receivable.id), "plan_refused",
                         plan_id=plan_id)  # and the client
    return db.session.get(PaymentPlan, plan_id)


# Charging -----------------------------------------------------------------------------------
def charge_due(now: datetime) -> int:
    """Every instalment due at `now` of an accepted plan is charged (a charge that got no
    answer is sent again with the same key); how many were looked at."""
    ids = db.session.scalars(
        select(Instalment.id).join(PaymentPlan, PaymentPlan.id == Instalment.plan_id)
        .where(PaymentPlan.status == "accepted", Instalment.due_at <= now,
               Instalment.status.in_(("scheduled", "charging")))
        .order_by(Instalment.due_at).limit(BATCH)).all()
    db.session.commit()
    for instalment_id in ids:
        with isolated("charge_due", instalment_id):
            charge_one(instalment_id, now)
    return len(ids)


def _lock(instalment_id: int) -> Instalment:
    return db.session.get(Instalment, instalment_id, with_for_update=True,
                          populate_existing=True)


def charge_one(instalment_id: int, now: datetime) -> str:
    """Charge one instalment on the saved card, at most once; its outcome."""
    instalment = _lock(instalment_id)
    plan = instalment.plan
    receivable = db.session.get(Receivable, plan.receivable_id, populate_existing=True)
    if plan.status != "accepted" or instalment.status not in ("scheduled", "charging"):
        db.session.commit()
        return "nothing"
    if instalment.status == "charging" and db.session.get(
            Payment, instalment.payment_id).status in ("captured", "failed", "waived"):
        db.session.commit()  # answered meanwhile (webhook, reconciliation): record it
        return after_charge(instalment_id, now)
    if receivable.status in CLOSED:  # paid by another path (pay page, transfer)
        _end(plan, "completed")
        db.session.commit()
        return "nothing"
    if instalment.status == "scheduled":
        if retries.live_hold(receivable.stripe_payment_method_id, receivable.provider_id):
            db.session.commit()  # a hold of the provider is live on the card: next sweep
            return "waiting"
        if retries.card_blocked(receivable.stripe_payment_method_id or "", now):
            db.session.commit()
            return _failed(instalment_id, None, now)
        _new_charge(instalment, plan, receivable)
        db.session.commit()  # the charge and its key exist before Stripe hears of it
    payment = pay.lock(_lock(instalment_id).payment_id)
    if payment.status == "created" and payment.method == plan_sepa.SEPA:
        plan_sepa.send_debit(payment.id, receivable, now)  # processing for days
    elif payment.status == "created":
        pay.send_create(payment, customer=cards.customer_of(receivable, receivable.client),
                        manual=False, now=now)
    db.session.commit()
    return after_charge(instalment_id, now)


def _new_charge(instalment: Instalment, plan: PaymentPlan, receivable: Receivable) -> None:
    """The instalment's payment row; the last instalment takes whatever is left, and none
    takes more than is owed (a transfer may have paid part of the debt meanwhile)."""
    last = instalment.seq == plan.instalments
    amount = receivable.balance_minor if last else min(instalment.amount_minor,
                                                       receivable.balance_minor)
    payment = pay.new_payment(
        provider_id=receivable.provider_id, client_id=receivable.client_id, purpose=RECOVERY,
        amount=amount, currency=receivable.currency, off_session=True,
        key=f"instalment:{plan.id}:{instalment.seq}",
        payment_method=receivable.stripe_payment_method_id)
    payment.receivable_id = receivable.id
    plan_sepa.mark_debit(payment, receivable)
    instalment.amount_minor, instalment.payment_id = amount, payment.id
    instalment.status = "charging"


def after_charge(instalment_id: int, now: datetime) -> str:
    """Record the charge's outcome on the instalment, the plan and the case."""
    instalment = _lock(instalment_id)
    payment = db.session.get(Payment, instalment.payment_id)
    if payment.status == "captured":
        instalment.status = "paid"
        plan = instalment.plan
        recv.record(plan.receivable, "instalment", now, plan_id=plan.id, seq=instalment.seq,
                    ok=True, payment_id=payment.id)
        if all(i.status == "paid" for i in plan.schedule):
            _end(plan, "completed")
        plan_id, receivable_id = plan.id, plan.receivable_id
        db.session.commit()
        retries.after_attempt(payment.id, now)  # settles its share; the last one closes
        receivable = db.session.get(Receivable, receivable_id, populate_existing=True)
        if receivable.status not in CLOSED:  # closed: the closing e-mails say it all
            notices.instalment_paid(receivable, db.session.get(PaymentPlan, plan_id))
        return "paid"
    if payment.status in ("failed", "waived"):
        db.session.commit()
        return _failed(instalment_id, payment.id, now)
    db.session.commit()  # no answer yet: the next tick sends the same key again
    return payment.status


def _failed(instalment_id: int, payment_id: int | None, now: datetime) -> str:
    """A refused instalment ends the plan: the ladder resumes, both sides are told."""
    instalment = _lock(instalment_id)
    plan = instalment.plan
    plan_id, receivable_id, amount = plan.id, plan.receivable_id, instalment.amount_minor
    receivable = recv.lock(receivable_id)
    instalment.status = "failed"
    _end(plan, "failed")
    # the card was just refused again: the retries planned after the first failure are
    # stale, and the ladder goes on by e-mail
    receivable.next_retry_at = None
    recv.record(receivable, "plan_failed", now, plan_id=plan_id, seq=instalment.seq,
                payment_id=payment_id)
    db.session.commit()
    if payment_id is not None:
        retries.after_attempt(payment_id, now)  # the attempt on the timeline, its decline
    receivable = db.session.get(Receivable, receivable_id, populate_existing=True)
    if receivable.status == "paused" and receivable.pause_reason == "plan":
        receivable = cases.resume(receivable_id, now, why="plan_failed")
    notices.provider_told(receivable, "plan_failed", plan_id=plan_id,
                         amount_minor=amount)  # and the client
    return "failed"


def _end(plan: PaymentPlan, status: str) -> None:
    """The plan is over: instalments not charged yet will not be."""
    PLAN_STATES.move(plan, status)
    for instalment in plan.schedule:
        if instalment.status == "scheduled":
            instalment.status = "canceled"
