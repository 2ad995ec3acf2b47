"""The transfer offered for a receivable: the PaymentIntent waiting for the client's money, where
to send it (virtual IBAN and reference) and how much of it was already counted to the debt."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.clock import utcnow
from skod.core.types import UTCDateTime
from skod.extensions import db

#: created (key stored, Stripe not answered yet), open (waiting for money), succeeded (all of
#: it arrived), canceled (the debt was settled another way, or its balance changed), replaced
#: (cancelled when the balance changed while it held funds counted to the debt: the next
#: intent takes them back from the client's cash balance; canceled once it did)
STATUSES = ("created", "open", "succeeded", "canceled", "replaced")


class TransferIntent(db.Model):
    """One transfer PaymentIntent of a receivable. `funded_minor` is what was counted to the
    debt: each funding settles only what goes beyond it, so an event seen twice (or late,
    after a newer one) counts nothing more."""

    __tablename__ = "transfer_intents"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="transfer_amount_positive"),
        CheckConstraint("funded_minor >= 0 AND funded_minor <= amount_minor",
                        name="transfer_funded_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivables.id", ondelete="CASCADE"), index=True)
    #: the provider's connected account (None: the platform) and the client's customer there
    stripe_account_id: Mapped[str | None] = mapped_column(String(64))
    stripe_customer_id: Mapped[str] = mapped_column(String(64), index=True)
    stripe_payment_intent_id: Mapped[str | None] = mapped_column(String(64), unique=True)
    create_key: Mapped[str] = mapped_column(String(128), unique=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    funded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    status: Mapped[str] = mapped_column(String(16), default="created")
    reference: Mapped[str | None] = mapped_column(String(64))
    iban: Mapped[str | None] = mapped_column(String(34))
    bic: Mapped[str | None] = mapped_column(String(11))
    holder: Mapped[str | None] = mapped_column(String(140))
    #: the client's cash balance at Stripe as last read (money sent beyond what was owed)
    credit_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: credit sent back to the client from this row's case page
    credit_refunded_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
