"""Refunds of captured payments, asked by the provider or seen from the Stripe dashboard."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.clock import utcnow
from skod.core.errors import Conflict, Invalid, NotFound
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments import hooks
from skod.payments import services as pay
from skod.payments.models import PAYMENT_STATES, Payment
from skod.stripe_gateway import GatewayError, gateway


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500))
    #: "pending" (sent, no answer yet), "succeeded", "failed"
    status: Mapped[str] = mapped_column(String(16), default="pending")
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def refundable(payment: Payment) -> int:
    """What can still be refunded: captured minus refunded and refunds in flight."""
    pending = db.session.scalar(select(db.func.coalesce(db.func.sum(Refund.amount_minor), 0))
                                .where(Refund.payment_id == payment.id,
                                       Refund.status == "pending")) or 0
    return payment.amount_captured_minor - payment.amount_refunded_minor - pending


def refund(payment_id: int, provider_id: int, amount: int | None, reason: str | None,
           now: datetime) -> Refund:
    """Refund `amount` (all that is left when None) of a captured payment of this provider."""
    payment = pay.lock(payment_id)
    if payment is None or payment.provider_id != provider_id:
        raise NotFound("payment not found")
    if payment.status not in ("captured", "refunded"):
        raise Conflict(f"a {payment.status} payment cannot be refunded", code="not_captured")
    left = refundable(payment)
    if left <= 0:
        raise Conflict("this payment is already fully refunded", code="fully_refunded")
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        raise Invalid(f"at most {left} can be refunded", {"amount_minor": [f"1..{left}"]})
    count = db.session.scalar(select(db.func.count()).where(Refund.payment_id == payment.id))
    row = Refund(payment_id=payment.id, amount_minor=amount, reason=reason, created_at=now,
                 idempotency_key=f"refund:payment:{payment.id}:{count + 1}")
    db.session.add(row)
    db.session.commit()  # key stored before the call; the pending amount blocks a double refund
    row = _send(row.id)
    hooks.refunded(row.id, now)
    return row


def _send(refund_id: int) -> Refund:
    row = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    payment = pay.lock(row.payment_id)
    try:
        stripe_id = gateway().create_refund(payment.stripe_payment_intent_id or "",
                                            amount=row.amount_minor, key=row.idempotency_key)
    except GatewayError as err:
        if err.kind != "retryable":
            row.status = "failed"
        db.session.commit()
        if err.kind == "retryable":
            raise Conflict("the refund is sent again later", code="refund_pending") from err
        raise Invalid(err.message, {"amount_minor": [err.code or err.kind]}) from err
    row.status, row.stripe_refund_id = "succeeded", stripe_id
    payment.amount_refunded_minor += row.amount_minor
    if payment.amount_refunded_minor >= payment.amount_captured_minor:
        PAYMENT_STATES.move_if(payment, "refunded")
    db.session.commit()
    return row


def apply_refunded_total(payment: Payment, refunded_total: int, now: datetime) -> int | None:
    """`charge.refunded`: Stripe's total refunded (dashboard refunds included) wins upward.

    What Stripe refunded beyond our refunds (sent or in flight) is recorded as a refund made at
    Stripe, so that it gets its credit note; returns that refund's id (the caller commits)."""
    pending = db.session.scalar(select(db.func.coalesce(db.func.sum(Refund.amount_minor), 0))
                                .where(Refund.payment_id == payment.id,
                                       Refund.status == "pending")) or 0
    outside = min(refunded_total, payment.amount_captured_minor) - (
        payment.amount_refunded_minor + pending)
    if outside <= 0:
        return None  # ours already counted, in flight, or a late event
    row = Refund(payment_id=payment.id, amount_minor=outside, reason="refunded at Stripe",
                 status="succeeded", created_at=now,
                 idempotency_key=f"refund:payment:{payment.id}:stripe-total:{refunded_total}")
    db.session.add(row)
    payment.amount_refunded_minor += outside
    if payment.amount_refunded_minor >= payment.amount_captured_minor:
        PAYMENT_STATES.move_if(payment, "refunded")
    db.session.flush()
    return row.id
