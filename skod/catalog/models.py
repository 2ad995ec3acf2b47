"""Offer and Availability rows."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Provider
from skod.core.clock import utcnow
from skod.core.money import Money
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db

#: paused: kept on the provider's list, its link says "not available right now";
#: archived: gone from the public page for good, its past bookings and questions untouched
OFFER_STATES = StateMachine("offer", {
    "active": {"paused", "archived"},
    "paused": {"active", "archived"},
    "archived": set(),
})
OFFER_KINDS = ("call", "message")
#: the provider's button (and API path) -> the offer's new status
ACTION_STATUS = {"pause": "paused", "resume": "active", "archive": "archived"}


class Offer(db.Model):
    __tablename__ = "offers"
    __table_args__ = (
        CheckConstraint("price_minor > 0", name="price_positive"),
        CheckConstraint("late_cancel_fee_percent BETWEEN 0 AND 100", name="fee_percent"),
        CheckConstraint("status IN ('active', 'paused', 'archived')", name="offer_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    #: "call" or "message" (OFFER_KINDS); fixed once created. Projects are made per client,
    #: not from an offer
    kind: Mapped[str] = mapped_column(String(16), default="call")
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(String(2000))
    #: calls only; messages and projects have no duration
    duration_minutes: Mapped[int | None] = mapped_column(Integer)
    #: "flat" (price for the slot) or "per_minute" (price is the rate per minute)
    pricing: Mapped[str] = mapped_column(String(16), default="flat")
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    minimum_minutes: Mapped[int] = mapped_column(Integer, default=0)
    late_cancel_fee_percent: Mapped[int] = mapped_column(Integer, default=0)
    #: messages: hours the provider has to answer (always inside the hold validity)
    reply_window_hours: Mapped[int | None] = mapped_column(Integer)
    #: messages: longest question accepted, in characters (None: no limit)
    char_limit: Mapped[int | None] = mapped_column(Integer)
    attachments_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    #: "active", "paused" or "archived" (OFFER_STATES); only set_offer_status writes it
    status: Mapped[str] = mapped_column(String(16), default="active", server_default="active")
    #: calls: where the call happens (skod.calls.place: phone, video or address) and its detail
    place_kind: Mapped[str | None] = mapped_column(String(16))
    place_detail: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)


class Availability(db.Model):
    """Weekly hours in the provider's time zone: {"mon": [["09:00", "12:00"], ...], ...}."""

    __tablename__ = "availabilities"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), unique=True)
    timezone: Mapped[str] = mapped_column(String(64))
    weekly: Mapped[dict] = mapped_column(JSON, default=dict)
    buffer_minutes: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
