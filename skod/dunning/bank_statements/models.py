"""Each credit line a provider imported from their own bank statements, kept as the evidence
of a transfer and as the memory that makes a second import of the same file change nothing
(unique key per provider and line)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.types import UTCDateTime
from skod.extensions import db

#: matched: found to settle a debt, being settled; settled / reduced: counted on the debt
#: (all of its balance / part of it); proposed: waiting for the provider's review, then
#: accepted or dismissed; unrelated: nothing pointed to a debt
LINE_STATUSES = ("matched", "settled", "reduced", "proposed", "accepted", "dismissed",
                 "unrelated")


class BankLine(db.Model):
    __tablename__ = "bank_lines"
    __table_args__ = (
        UniqueConstraint("provider_id", "line_key", name="uq_bank_lines_key"),
        Index("ix_bank_lines_status", "provider_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"))
    #: "bank:" + the bank's id of the line, or "hash:" + sha256 of its date, amount, texts
    #: and rank among identical lines of the file (importing.line_keys)
    line_key: Mapped[str] = mapped_column(String(80))
    booked_on: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reference: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(500), default="")
    payer: Mapped[str] = mapped_column(String(140), default="")
    bank_ref: Mapped[str | None] = mapped_column(String(64))
    #: camt or csv
    source: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(16))
    #: the debt it settled or reduced, or the one proposed first
    receivable_id: Mapped[int | None] = mapped_column(
        ForeignKey("receivables.id", ondelete="SET NULL"), index=True)
    #: the debts the provider may choose from when proposed
    candidates: Mapped[list] = mapped_column(JSON, default=list)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    def evidence(self) -> dict:
        """What the case's timeline keeps of the line."""
        return {"bank_line_id": self.id, "booked_on": self.booked_on.isoformat(),
                "amount": self.amount_minor, "reference": self.reference,
                "label": self.label, "payer": self.payer, "bank_ref": self.bank_ref}
