"""Reconciliation: re-read from Stripe every payment left in a non-final state too long, and
every hold near its capture_before, then repair our side. Never relies on events alone.

A capture that got no answer is sent again with its stored key, but only after reading the
intent back: if Stripe already captured it (a crash after the call, before our commit), the row
is marked captured and nothing is sent.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from skod.core.isolation import isolated
from skod.extensions import db
from skod.payments import connect, hooks, refunds
from skod.payments import services as pay
from skod.payments.models import PAYMENT_STATES, Payment
from skod.stripe_gateway import GatewayError, Intent

log = logging.getLogger(__name__)
OPEN = ("created", "requires_action", "held", "capture_pending", "processing")
NEVER_SENT_AFTER = timedelta(hours=1)


def candidates(now: datetime, since: datetime | None = None) -> list[int]:
    stale = now - current_app.config["RECONCILE_AFTER"]
    near_expiry = now + 2 * current_app.config["HOLD_SAFETY_MARGIN"]
    stmt = select(Payment.id).where(
        Payment.status.in_(OPEN),
        or_(Payment.updated_at <= stale,
            and_(Payment.status == "held", Payment.capture_before <= near_expiry)))
    if since is not None:
        stmt = stmt.where(Payment.created_at >= since)
    ids = list(db.session.scalars(stmt.order_by(Payment.id)))
    db.session.commit()
    return ids


def reconcile(now: datetime, since: datetime | None = None) -> dict[str, int]:
    """Every open payment checked against Stripe, then refunds left in flight, then each
    domain's forgotten holds."""
    report = {"checked": 0, "changed": 0, "errors": 0, "repaired": 0, "refunds": 0}
    for payment_id in candidates(now, since):
        with isolated("reconcile", payment_id):
            report["checked"] += 1
            try:
                report["changed"] += reconcile_payment(payment_id, now)
            except GatewayError as err:
                db.session.rollback()
                report["errors"] += 1
                log.warning("reconcile payment %s: %s", payment_id, err)
    try:
        report["refunds"] = refunds.reconcile(now, current_app.config["RECONCILE_AFTER"])
    except GatewayError as err:
        db.session.rollback()
        report["errors"] += 1
        log.warning("reconcile refunds: %s", err)
    for repair in hooks.repairs():
        with isolated(getattr(repair, "__name__", "repair"), "(all rows)"):
            report["repaired"] += repair(now)
    return report


def reconcile_payment(payment_id: int, now: datetime) -> bool:
    """True when our row moved. Holds the row lock while it talks to Stripe."""
    payment = pay.lock(payment_id)
    before = (payment.status, payment.amount_captured_minor)
    if payment.status not in OPEN:
        db.session.commit()
        return False
    intent = _read_back(payment, now)
    if intent is not None:
        if payment.status == "capture_pending" and intent.status == "requires_capture":
            pay.send_capture(payment)  # never reached Stripe: same key, sent once more
        else:
            pay.apply_intent(payment, intent, now)
    moved = (payment.status, payment.amount_captured_minor) != before
    db.session.commit()
    if moved:
        hooks.changed(db.session.get(Payment, payment_id), now)
    return moved


def _read_back(payment: Payment, now: datetime) -> Intent | None:
    if payment.stripe_payment_intent_id:
        return pay.read_intent(payment)
    from skod.payments.cards import payment_customer

    # the customer the intent was made for, on the payment's account
    intent = connect.for_payment(payment).find_intent(payment_customer(payment) or "",
                                                      payment.id)
    if intent is None and payment.created_at <= now - NEVER_SENT_AFTER:
        # Stripe never made it: the create was lost before reaching Stripe.
        PAYMENT_STATES.move(payment, "failed")
        payment.last_error_code = "never_created"
    return intent
