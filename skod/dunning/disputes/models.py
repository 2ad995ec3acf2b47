"""One row per time a client contests a debt: what they wrote, the provider's answer, and the
decision. The partial unique index keeps one undecided dispute per debt (a double submit of the
pay page's form opens nothing more); `outcome`, written once under the receivable's row lock,
is the "at most once" of the decision, and the credit note's own unique source backs it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.types import UTCDateTime
from skod.extensions import db

#: the provider's decisions: a part accepted (amount lowered), all accepted (written off),
#: rejected (the ladder resumes)
OUTCOMES = ("partial", "accepted", "rejected")


class ClientDispute(db.Model):
    __tablename__ = "client_disputes"
    __table_args__ = (
        Index("uq_client_dispute_undecided", "receivable_id", unique=True,
              postgresql_where=text("outcome IS NULL"), sqlite_where=text("outcome IS NULL")),
        CheckConstraint("credited_minor IS NULL OR credited_minor > 0",
                        name="dispute_credit_positive"),
        CheckConstraint("outcome IS NULL OR outcome IN ('partial', 'accepted', 'rejected')",
                        name="dispute_outcome_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivables.id", ondelete="CASCADE"), index=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: what the client wrote on the pay page
    reason: Mapped[str] = mapped_column(Text)
    #: the provider's message to the client (at most one per dispute)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: None while the provider has not decided; then one of OUTCOMES
    outcome: Mapped[str | None] = mapped_column(String(16))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a rejection's reason, e-mailed to the client
    rejection: Mapped[str | None] = mapped_column(Text)
    #: what the credit note took off the debt (partial, accepted)
    credited_minor: Mapped[int | None] = mapped_column(Integer)
    credit_note_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
