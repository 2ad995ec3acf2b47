"""Webhook handlers of the payments domain. Each re-reads from Stripe (or compares states
monotonically), so a late, duplicated or out-of-order event changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.extensions import db
from skod.payments import hooks, refunds
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.stripe_gateway import gateway

IGNORED = "ignored"


def _payment_for(intent_id: object, account: str | None) -> Payment | None:
    """Our payment of that intent on the event's account, locked; None for another
    integration's (or a field that is not an id: only the object's own `id` is checked at
    intake)."""
    if not isinstance(intent_id, str) or not intent_id:
        return None
    payment_id = db.session.scalar(select(Payment.id).where(
        Payment.stripe_payment_intent_id == intent_id,
        Payment.stripe_account_id.is_(None) if not account
        else Payment.stripe_account_id == account))
    return pay.lock(payment_id) if payment_id else None


def intent_changed(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """payment_intent.* and charge.captured: read the intent back and apply it forward."""
    intent_id = obj.get("payment_intent") if obj.get("object") == "charge" else obj.get("id")
    payment = _payment_for(intent_id, account)
    if payment is None:
        db.session.commit()
        return IGNORED  # not one of ours (another integration on the same account)
    before = (payment.status, payment.amount_captured_minor)
    if payment.status != "capture_pending":  # a capture in flight is reconciliation's job
        # read back from the event's account (the payment's: _payment_for matched both)
        pay.apply_intent(payment, gateway().on(account).retrieve_intent(intent_id), now)
    moved = (payment.status, payment.amount_captured_minor) != before
    payment_id = payment.id
    db.session.commit()
    if moved:
        hooks.changed(db.session.get(Payment, payment_id), now)
    return None


def refunds_changed(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """charge.refunded, charge.refund.updated, refund.created|updated|failed: every refund of
    the payment read back from Stripe; a refund that succeeded just now gets its credit note."""
    payment = _payment_for(obj.get("payment_intent"), account)
    if payment is None:
        db.session.commit()
        return IGNORED
    refunds.sync_from_stripe(payment, now)
    return None


def nothing_to_do(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """Events we take note of without acting: the page or our own call already did the work."""
    return None
