"""Message (one paid question and its reply) and its attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.catalog.models import Offer
from skod.core.clock import utcnow
from skod.core.money import Money
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments.cards import CardHolderMixin
from skod.payments.models import Payment


class Message(CardHolderMixin, db.Model):
    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    offer_id: Mapped[int] = mapped_column(ForeignKey("offers.id"))
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    status: Mapped[str] = mapped_column(String(24), default="awaiting_card")
    body: Mapped[str] = mapped_column(Text)
    # Terms as accepted by the client.
    price_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reply_window_hours: Mapped[int] = mapped_column(Integer)
    #: set when the hold is placed: the provider answers before this instant
    reply_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    #: the reply, kept from the client until its payment is captured
    reply_body: Mapped[str | None] = mapped_column(Text)
    replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_note: Mapped[str | None] = mapped_column(Text)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: reminders sent to the provider (hours before the deadline), e.g. "24,2"
    reminders_sent: Mapped[str] = mapped_column(String(32), default="")
    terms_accepted_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    offer: Mapped[Offer] = relationship()
    client: Mapped[Client] = relationship()
    payments: Mapped[list[Payment]] = relationship(order_by=Payment.id)
    attachments: Mapped[list[MessageAttachment]] = relationship(
        back_populates="message", order_by="MessageAttachment.id")

    @property
    def price(self) -> Money:
        return Money(self.price_minor, self.currency)


class MessageAttachment(db.Model):
    """A file sent with the question; stored under <instance>/attachments/<storage_name>."""

    __tablename__ = "message_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"),
                                            index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(127))
    size: Mapped[int] = mapped_column(Integer)
    storage_name: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    message: Mapped[Message] = relationship(back_populates="attachments")
