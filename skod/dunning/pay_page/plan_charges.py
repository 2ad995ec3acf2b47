"""Charging the instalments of an accepted payment plan (plans.py asks and decides).

`charge_due` (every tick, before the sweep) charges each due instalment off-session at most
once: the instalment's row lock and status, and its key `instalment:{plan}:{seq}` stored before
the call; a SEPA plan's instalment is debited under its mandate (plan_sepa.py). A paid
instalment settles its share of the debt (the last one closes the case); a failed one fails
the plan, the ladder resumes, and both sides are told.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.core.isolation import isolated
from skod.dunning.debts import cases, notices, retries
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, PLAN_STATES, Instalment, PaymentPlan, Receivable
from skod.dunning.pay_page import plan_sepa
from skod.extensions import db
from skod.payments import cards
from skod.payments import services as pay
from skod.payments.models import RECOVERY, Payment

#: instalments charged per tick; the next tick takes the rest
BATCH = 200


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
    cancel_rest(plan)


def cancel_rest(plan: PaymentPlan) -> None:
    for instalment in plan.schedule:
        if instalment.status == "scheduled":
            instalment.status = "canceled"
