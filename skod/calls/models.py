"""Booking: one paid call, the price terms copied from the offer at booking time."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.catalog.models import Offer
from skod.core.clock import utcnow
from skod.core.money import Money
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments.cards import CardHolderMixin
from skod.payments.models import Payment

BOOKING_STATES = StateMachine(
    "booking",
    {
        # waiting for the client's card; the slot is kept PENDING_BOOKING_TTL only
        "awaiting_card": {"card_saved", "held", "action_required", "cancelled", "expired"},
        # far call: card saved, the hold comes HOLD_LEAD before the start
        "card_saved": {"held", "action_required", "cancelled"},
        # the hold failed off-session or needs 3-D Secure: the client was sent a link
        "action_required": {"held", "card_saved", "cancelled", "expired"},
        # held -> action_required: the hold lapsed or was cancelled at Stripe before the call
        # held -> card_saved: moved to a time the hold no longer covers (calls/reschedule.py)
        "held": {"in_progress", "completed", "payment_failed", "cancelled", "action_required",
                 "card_saved"},
        "in_progress": {"completed", "payment_failed"},
        "completed": set(),
        "payment_failed": {"completed"},
        "cancelled": set(),
        "expired": set(),
    },
)
#: states that keep the slot taken
ACTIVE = ("awaiting_card", "card_saved", "action_required", "held", "in_progress")
_ACTIVE_SQL = "status IN ('awaiting_card','card_saved','action_required','held','in_progress')"


class Booking(CardHolderMixin, db.Model):
    __tablename__ = "bookings"
    __table_args__ = (
        # The database itself refuses two live bookings of one provider at the same start.
        Index("uq_bookings_live_slot", "provider_id", "start_at", unique=True,
              postgresql_where=text(_ACTIVE_SQL), sqlite_where=text(_ACTIVE_SQL)),
        # One booking per booking form shown: a form sent twice (double click, a page
        # restored by the back button) finds the booking it already made.
        UniqueConstraint("offer_id", "form_token", name="uq_bookings_form_token"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    status: Mapped[str] = mapped_column(String(24), default="awaiting_card")
    start_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    end_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: "hold" (held on-session at booking) or "save_card" (held off-session later)
    payment_mode: Mapped[str] = mapped_column(String(16))
    # Price terms as accepted by the client (the offer may change later).
    pricing: Mapped[str] = mapped_column(String(16))
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    minimum_minutes: Mapped[int] = mapped_column(Integer, default=0)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    late_cancel_fee_percent: Mapped[int] = mapped_column(Integer, default=0)
    # Card: stripe_setup_intent_id, setup_client_secret, stripe_payment_method_id (mixin)
    #: how many times a hold was tried (part of the idempotency key of each try)
    hold_attempts: Mapped[int] = mapped_column(Integer, default=0)
    authorize_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The call
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    minutes_billed: Mapped[int | None] = mapped_column(Integer)
    amount_due_minor: Mapped[int | None] = mapped_column(Integer)
    auto_captured: Mapped[bool] = mapped_column(default=False)
    # Cancellation
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by: Mapped[str | None] = mapped_column(String(16))
    cancel_reason: Mapped[str | None] = mapped_column(String(64))
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: the .ics SEQUENCE: raised each time the invitation changes (moved, cancelled), so a
    #: calendar replaces the event instead of adding a second one
    calendar_sequence: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: a new time the provider proposed, waiting for the client's yes (calls/reschedule.py)
    proposed_start_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the one-time token of the booking form that made it (None: an API client sent none)
    form_token: Mapped[str | None] = mapped_column(String(64))

    provider: Mapped[Provider] = relationship()
    offer: Mapped[Offer] = relationship()
    client: Mapped[Client] = relationship()
    payments: Mapped[list[Payment]] = relationship(order_by=Payment.id)

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)

    def hold_payment(self) -> Payment | None:
        """The live (or last) hold of this booking."""
        holds = [p for p in self.payments if p.purpose == "hold"]
        return holds[-1] if holds else None


class CallReminder(db.Model):
    """A reminder e-mail sent before a call (24 h, 1 h...): the unique pair is "at most once"
    even with two workers."""

    __tablename__ = "call_reminders"
    __table_args__ = (UniqueConstraint("booking_id", "hours_before", name="uq_call_reminder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"))
    hours_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)
