"""Message (one paid question and its reply) and its attachments."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
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

MESSAGE_STATES = StateMachine(
    "message",
    {
        # the question is written; waiting for the client's card
        "awaiting_card": {"held", "action_required", "abandoned"},
        # the hold asks for 3-D Secure: the client finishes it on the page
        "action_required": {"held", "awaiting_card", "abandoned"},
        # the price is held: the provider answers before reply_deadline
        "held": {"replying", "declined", "expired"},
        # the reply is kept; its capture is sent (or waits for an answer from Stripe)
        "replying": {"answered", "payment_failed"},
        # the capture failed: the reply stays hidden until the client pays through the link
        "payment_failed": {"answered"},
        "answered": set(),
        "declined": set(),
        # no reply by the deadline: the hold was released
        "expired": set(),
        # never paid
        "abandoned": set(),
    },
)
#: a question the provider still has to act on (reply, or wait for its payment)
OPEN = ("held", "replying", "payment_failed")
#: idempotency-key prefixes: the on-session hold, and the pay-link charge after a failed capture
HOLD_KEY, CHARGE_KEY = "hold:message", "charge:message"


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
    held_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many holds / pay-link charges were tried (part of each try's idempotency key)
    pay_attempts: Mapped[int] = mapped_column(Integer, default=0)
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

    def hold_payment(self) -> Payment | None:
        """The last on-session hold of this question."""
        holds = [p for p in self.payments if p.create_key.startswith(HOLD_KEY)]
        return holds[-1] if holds else None

    def charge_payment(self) -> Payment | None:
        """The last pay-link charge (after the capture of the hold failed)."""
        charges = [p for p in self.payments if p.create_key.startswith(CHARGE_KEY)]
        return charges[-1] if charges else None

    @property
    def reply_visible_to_client(self) -> bool:
        """Capture first, then deliver: the client reads the reply only once it is paid."""
        return self.status == "answered"


class MessageReminder(db.Model):
    """One reminder sent to the provider; the unique key makes each one at most once, even
    with two workers ticking at the same time."""

    __tablename__ = "message_reminders"
    __table_args__ = (UniqueConstraint("message_id", "hours_before",
                                       name="uq_message_reminders_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    hours_before: Mapped[int] = mapped_column(Integer)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime)


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
