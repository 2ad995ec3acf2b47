"""Payment: our mirror of one Stripe PaymentIntent, with its explicit state machine."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.clock import utcnow
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db

# What a payment is for.
HOLD = "hold"  # the call's hold, captured (partly) at the end
OVERRUN = "overrun"  # second off-session charge for minutes beyond the hold
FEE = "late_cancel_fee"  # off-session charge of the fee when no hold exists
CALL_CHARGE = "call_charge"  # off-session charge of an ended call whose hold lapsed
ANSWER = "answer"  # a paid message's hold (or its pay-link charge after a failed capture)
DEPOSIT = "deposit"  # a project's deposit, charged at acceptance
MILESTONE = "milestone"  # a milestone's hold, or its off-session charge
RECOVERY = "recovery"  # a dunning charge: smart retry, pay page or payment-plan instalment

PAYMENT_STATES = StateMachine(
    "payment",
    {
        # intent created at Stripe, not confirmed yet (or the call failed before an answer)
        "created": {"held", "requires_action", "processing", "captured", "failed", "released",
                    "waived"},
        # a SEPA debit sent to the client's bank: succeeds or fails days later (webhook)
        "processing": {"captured", "failed"},
        # 3-D Secure asked: the client must come back on-session
        "requires_action": {"held", "captured", "failed", "released"},
        # authorised, waiting for capture (capture_method=manual)
        "held": {"capture_pending", "captured", "released", "failed"},
        # capture sent; the answer is not recorded yet (timeout, crash): reconciliation decides
        "capture_pending": {"captured", "held", "failed", "released"},
        "captured": {"refunded"},
        "released": set(),
        "failed": set(),
        # a refund that fails after it succeeded gives the money back to the provider
        "refunded": {"captured"},
        # below Stripe's minimum charge: never sent, recorded with the reason
        "waived": set(),
    },
)
FINAL = {"captured", "released", "failed", "refunded", "waived"}


class Payment(db.Model):
    __tablename__ = "payments"
    __table_args__ = (
        CheckConstraint("amount_held_minor >= 0", name="held_non_negative"),
        CheckConstraint("amount_captured_minor >= 0", name="captured_non_negative"),
        CheckConstraint("amount_requested_minor > 0", name="requested_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    # What the payment is for: exactly one of these is set.
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), index=True)
    #: a payment the dunning module asks for (smart retry, pay page, instalment): it pays the
    #: receivable, never the service's own payment rows
    receivable_id: Mapped[int | None] = mapped_column(
        ForeignKey("receivables.id", use_alter=True), index=True)
    purpose: Mapped[str] = mapped_column(String(24))
    status: Mapped[str] = mapped_column(String(24), default="created")
    currency: Mapped[str] = mapped_column(String(3))
    #: amount asked of Stripe when the intent was created
    amount_requested_minor: Mapped[int] = mapped_column(Integer)
    #: amount authorised and still capturable (0 once captured or released)
    amount_held_minor: Mapped[int] = mapped_column(Integer, default=0)
    amount_captured_minor: Mapped[int] = mapped_column(Integer, default=0)
    amount_refunded_minor: Mapped[int] = mapped_column(Integer, default=0)
    off_session: Mapped[bool] = mapped_column(default=False)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    #: None (a card), or "sepa_debit": a debit under the client's mandate (no hold; processing
    #: for days; a dispute is the SEPA refund right, the money already taken back)
    method: Mapped[str | None] = mapped_column(String(16))
    #: the connected account the intent lives on (None: the platform's own, e.g. an intent
    #: made before the provider moved to Connect): captures and refunds go there
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    #: the platform's application fee taken on the capture/charge, and the part refunded
    application_fee_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    application_fee_refunded_minor: Mapped[int] = mapped_column(Integer, default=0,
                                                                server_default="0")
    #: when the hold lapses at the bank; planning uses this, never a guess when Stripe gives it
    capture_before: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: idempotency keys, stored before the Stripe call so that a retry sends the same key
    create_key: Mapped[str] = mapped_column(String(255), unique=True)
    capture_key: Mapped[str | None] = mapped_column(String(255))
    cancel_key: Mapped[str | None] = mapped_column(String(255))
    #: amount the capture asked for (set with capture_pending)
    capture_amount_minor: Mapped[int | None] = mapped_column(Integer)
    #: None, or the Stripe dispute's status ("needs_response", "won", "lost"...)
    dispute_status: Mapped[str | None] = mapped_column(String(32))
    last_error_code: Mapped[str | None] = mapped_column(String(64))
    last_error_kind: Mapped[str | None] = mapped_column(String(32))
    last_error_message: Mapped[str | None] = mapped_column(String(500))
    #: the card network's advice with a decline (Stripe's advice_code): "do_not_try_again"
    #: forbids any new attempt on that card
    last_error_advice: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    def as_dict(self) -> dict:
        return {
            "id": self.id,
            "purpose": self.purpose,
            "status": self.status,
            "amount_held": self.amount_held_minor,
            "amount_captured": self.amount_captured_minor,
            "amount_refunded": self.amount_refunded_minor,
            "currency": self.currency,
            "capture_before": self.capture_before.isoformat() if self.capture_before else None,
            "stripe_payment_intent_id": self.stripe_payment_intent_id,
            "stripe_account_id": self.stripe_account_id,
            "application_fee": self.application_fee_minor,
            "last_error_code": self.last_error_code,
        }
