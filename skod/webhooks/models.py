"""StripeEvent: every verified event, stored once under its Stripe id, with its processing log."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.clock import utcnow
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db

EVENT_STATES = StateMachine(
    "stripe_event",
    {
        "received": {"processing", "ignored"},
        "processing": {"processed", "ignored", "failed"},
        # a failed event is tried again (backoff, or `flask skod events replay`)
        "failed": {"processing", "ignored"},
        # an operator may replay a processed event: handlers are order-safe and idempotent
        "processed": {"processing"},
        "ignored": {"processing"},
    },
)


class StripeEvent(db.Model):
    __tablename__ = "stripe_events"
    #: a redelivery is a no-op: one row per (account, Stripe event id)
    __table_args__ = (UniqueConstraint("account", "stripe_event_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stripe's event id: the unique constraint is what makes a redelivery a no-op
    stripe_event_id: Mapped[str] = mapped_column(String(255))
    #: the connected account the event is about ("" for the platform's own events)
    account: Mapped[str] = mapped_column(String(64), default="", server_default="")
    type: Mapped[str] = mapped_column(String(100), index=True)
    #: the id of the object the event is about (PaymentIntent, Charge, SetupIntent...)
    object_id: Mapped[str | None] = mapped_column(String(255), index=True)
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(16), default="received", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))
    traceback: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
