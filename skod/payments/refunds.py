"""Refunds of captured payments, asked by the provider or made in the Stripe dashboard.

A Refund row follows Stripe's own status (pending, requires_action, succeeded, failed,
canceled). Only succeeded refunds count as paid back, and only they get a credit note (through
`hooks.refunded`, called once per refund when it first succeeds). Refunds in flight block what
they would take, so two refunds can never add up to more than was captured.
"""

from __future__ import annotations

from contextlib import suppress
from datetime import datetime, timedelta

from flask_babel import get_locale
from flask_babel import gettext as _
from sqlalchemy import CheckConstraint, ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from skod.core import formats
from skod.core.clock import utcnow
from skod.core.errors import Conflict, Invalid, NotFound
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments import connect, hooks
from skod.payments import services as pay
from skod.payments.models import PAYMENT_STATES, Payment
from skod.payments.stripe_objects import Refund as StripeRefund
from skod.stripe_gateway import GatewayError

IN_FLIGHT = ("pending", "requires_action")


class Refund(db.Model):
    __tablename__ = "refunds"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(500))
    #: Stripe's status of the refund ("pending" also while our request has no answer yet)
    status: Mapped[str] = mapped_column(String(16), default="pending")
    failure_reason: Mapped[str | None] = mapped_column(String(64))
    stripe_refund_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    idempotency_key: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def as_dict(self) -> dict:
        return {"id": self.id, "amount": self.amount_minor, "status": self.status,
                "failure_reason": self.failure_reason, "reason": self.reason}


def _sum(payment_id: int, statuses: tuple[str, ...]) -> int:
    return db.session.scalar(select(db.func.coalesce(db.func.sum(Refund.amount_minor), 0))
                             .where(Refund.payment_id == payment_id,
                                    Refund.status.in_(statuses))) or 0


def refundable(payment: Payment) -> int:
    """What can still be refunded: captured minus refunded and refunds in flight."""
    return payment.amount_captured_minor - _sum(payment.id, ("succeeded", *IN_FLIGHT))


def at_most_words(left: int, currency: str) -> str:
    """"At most 32,50 € can be refunded.": an amount in money, never in cents."""
    locale = get_locale()
    amount = formats.money(left, currency, locale.language if locale else "fr")
    return _("At most %(amount)s can be refunded.", amount=amount)


def refund(payment_id: int, provider_id: int, amount: int | None, reason: str | None,
           now: datetime, key: str | None = None) -> Refund:
    """Refund `amount` (all that is left when None) of a captured payment of this provider.
    `key`: a refund made at most once (an excess of the dunning), whoever asks for it again."""
    payment = pay.lock(payment_id)
    if payment is None or payment.provider_id != provider_id:
        raise NotFound("payment not found")
    made = db.session.scalar(select(Refund).where(Refund.idempotency_key == key)) if key \
        else None
    if made is not None:  # under the payment's lock: asked before, never made twice
        db.session.commit()
        return made
    if payment.status not in ("captured", "refunded"):
        raise Conflict(f"a {payment.status} payment cannot be refunded", code="not_captured")
    left = refundable(payment)
    if left <= 0:
        raise Conflict("this payment is already fully refunded", code="fully_refunded")
    amount = left if amount is None else amount
    if amount <= 0 or amount > left:
        words = at_most_words(left, payment.currency)
        raise Invalid(words, {"amount_minor": [words]})
    count = db.session.scalar(select(db.func.count()).where(Refund.payment_id == payment.id))
    row = Refund(payment_id=payment.id, amount_minor=amount, reason=reason, created_at=now,
                 status="pending",
                 idempotency_key=key or f"refund:payment:{payment.id}:{count + 1}")
    db.session.add(row)
    db.session.commit()  # key stored before the call; the pending amount blocks a double refund
    return _send(row.id, now)


def of_payment(payment_id: int) -> list[Refund]:
    return list(db.session.scalars(select(Refund).where(Refund.payment_id == payment_id)
                                   .order_by(Refund.id)))


def _send(refund_id: int, now: datetime) -> Refund:
    """Send a stored refund with its key and record Stripe's answer; a refund that succeeded
    gets its credit note (hooks.refunded) after the commit."""
    row = db.session.get(Refund, refund_id, with_for_update=True, populate_existing=True)
    payment = pay.lock(row.payment_id)
    try:
        answer = connect.for_payment(payment).create_refund(
            payment.stripe_payment_intent_id or "", amount=row.amount_minor,
            key=row.idempotency_key, refund_id=row.id)
    except GatewayError as err:
        if err.kind != "retryable":
            row.status, row.failure_reason, row.updated_at = "failed", err.code, now
        db.session.commit()
        if err.kind == "retryable":
            raise Conflict("the refund is sent again later", code="refund_pending") from err
        raise Invalid(err.message, {"amount_minor": [err.code or err.kind]}) from err
    row.stripe_refund_id = answer.id
    succeeded = _apply(row, answer, now)
    recount(payment)
    db.session.commit()
    if succeeded:
        hooks.refunded(row.id, now)
    return row


def _apply(row: Refund, answer: StripeRefund, now: datetime) -> bool:
    """Copy Stripe's status; True when the refund has just succeeded (credit note due)."""
    became = answer.status == "succeeded" and row.status != "succeeded"
    if answer.status != row.status:
        row.status, row.updated_at = answer.status[:16], now
        row.failure_reason = answer.failure_reason[:64] if answer.failure_reason else None
    return became


def recount(payment: Payment) -> None:
    """The payment's refunded amount is its succeeded refunds; a failed refund gives the money
    back to the provider (refunded -> captured)."""
    payment.amount_refunded_minor = min(_sum(payment.id, ("succeeded",)),
                                        payment.amount_captured_minor)
    # the platform's fee goes back in the refund's proportion (refund_application_fee)
    payment.application_fee_refunded_minor = (
        payment.application_fee_minor * payment.amount_refunded_minor
        // payment.amount_captured_minor) if payment.amount_captured_minor else 0
    if payment.amount_captured_minor and (
            payment.amount_refunded_minor >= payment.amount_captured_minor):
        PAYMENT_STATES.move_if(payment, "refunded")
    elif payment.status == "refunded":
        PAYMENT_STATES.move(payment, "captured")


def sync_from_stripe(payment: Payment, now: datetime) -> None:
    """Read every refund of the locked payment back from Stripe (never an event body) and
    mirror it: ours by id or by the metadata we sent, others as refunds made at Stripe. Commits;
    then a refund that succeeded just now gets its credit note (hooks.refunded)."""
    succeeded: list[int] = []
    for answer in connect.for_payment(payment).list_refunds(
            payment.stripe_payment_intent_id or ""):
        row = _row_for(payment, answer, now)
        if row is not None and _apply(row, answer, now):
            succeeded.append(row.id)
    db.session.flush()
    recount(payment)
    db.session.commit()
    for refund_id in succeeded:
        hooks.refunded(refund_id, now)


def _row_for(payment: Payment, answer: StripeRefund, now: datetime) -> Refund | None:
    row = db.session.scalar(select(Refund).where(Refund.stripe_refund_id == answer.id)
                            .with_for_update())
    if row is None and (answer.skod_refund_id or "").isdigit():
        row = db.session.get(Refund, int(answer.skod_refund_id or 0), with_for_update=True)
        if row is not None and row.payment_id == payment.id and not row.stripe_refund_id:
            row.stripe_refund_id = answer.id  # our request whose answer never came back
        else:
            row = None
    if row is None and answer.amount > 0:
        row = Refund(payment_id=payment.id, amount_minor=answer.amount,
                     reason="refunded at Stripe", status="created", created_at=now,
                     stripe_refund_id=answer.id, idempotency_key=f"stripe:{answer.id}")
        db.session.add(row)
        db.session.flush()
    return row


def reconcile(now: datetime, stale_after: timedelta) -> int:
    """Refunds still in flight after `stale_after`: read back from Stripe; one whose request
    never reached Stripe (no Stripe id, none found by its metadata) is sent again with its
    stored key, so it can neither stay pending forever nor be made twice."""
    ids = list(db.session.scalars(select(Refund.payment_id).distinct().where(
        Refund.status.in_(IN_FLIGHT), Refund.created_at <= now - stale_after)))
    db.session.commit()
    for payment_id in ids:
        sync_from_stripe(pay.lock(payment_id), now)
        lost = list(db.session.scalars(select(Refund.id).where(
            Refund.payment_id == payment_id, Refund.status.in_(IN_FLIGHT),
            Refund.stripe_refund_id.is_(None))))
        db.session.commit()
        for refund_id in lost:
            # a refusal is recorded on the row (failed); unreachable: the next run tries again
            with suppress(Conflict, Invalid):
                _send(refund_id, now)
    return len(ids)
