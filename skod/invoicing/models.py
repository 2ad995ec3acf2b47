"""Invoice (and credit note) rows, and the per-provider counter that numbers them.

An invoice is immutable once issued: its amounts and the `snapshot` (seller, buyer, lines as
they were at issue) never change; only `paid`, `paid_at` and `payment_method` do, when a later
payment settles it.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.core.types import UTCDateTime
from skod.extensions import db

INVOICE = "invoice"
CREDIT_NOTE = "credit_note"


class InvoiceCounter(db.Model):
    """Last number given in one provider's series; locked FOR UPDATE by whoever issues."""

    __tablename__ = "invoice_counters"

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"),
                                             primary_key=True)
    series: Mapped[str] = mapped_column(String(16), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(Integer, default=0)
    #: when the last number was given: the next invoice is never dated before it
    last_issued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Invoice(db.Model):
    __tablename__ = "invoices"
    __table_args__ = (
        # the database itself refuses a duplicate number, whatever the code does
        UniqueConstraint("provider_id", "series", "sequence", name="uq_invoices_sequence"),
        UniqueConstraint("provider_id", "number", name="uq_invoices_number"),
        CheckConstraint("ht_minor + vat_minor = ttc_minor", name="totals_add_up"),
        CheckConstraint("ttc_minor > 0", name="ttc_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"), index=True)
    kind: Mapped[str] = mapped_column(String(16), default=INVOICE)
    series: Mapped[str] = mapped_column(String(16))
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(32))
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    issue_date: Mapped[date] = mapped_column(Date, index=True)
    due_date: Mapped[date] = mapped_column(Date)
    currency: Mapped[str] = mapped_column(String(3))
    ht_minor: Mapped[int] = mapped_column(Integer)
    vat_minor: Mapped[int] = mapped_column(Integer)
    ttc_minor: Mapped[int] = mapped_column(Integer)
    #: 2000 = 20 %; None when exempt (then vat_exempt_mention says why)
    vat_rate_bp: Mapped[int | None] = mapped_column(Integer)
    vat_exempt_mention: Mapped[str | None] = mapped_column(Text)
    paid: Mapped[bool] = mapped_column(Boolean, default=False)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    payment_method: Mapped[str | None] = mapped_column(String(120))
    #: what the invoice is for, e.g. "booking:12", "refund:3": one invoice per source, so a
    #: retried job never issues twice
    source: Mapped[str] = mapped_column(String(64), unique=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id"), index=True)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), index=True)
    project_id: Mapped[int | None] = mapped_column(ForeignKey("projects.id"), index=True)
    milestone_id: Mapped[int | None] = mapped_column(ForeignKey("milestones.id"), index=True)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"), index=True)
    credited_invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"))
    #: seller, buyer, lines, vat, b2b/b2c terms as they were at issue
    snapshot: Mapped[dict] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(5), default="fr")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()
    credited: Mapped[Invoice | None] = relationship(remote_side=[id])

    def as_dict(self) -> dict:
        return {
            "id": self.id, "kind": self.kind, "number": self.number,
            "issue_date": self.issue_date.isoformat(), "due_date": self.due_date.isoformat(),
            "currency": self.currency, "ht_minor": self.ht_minor, "vat_minor": self.vat_minor,
            "ttc_minor": self.ttc_minor, "vat_rate_bp": self.vat_rate_bp,
            "vat_exempt_mention": self.vat_exempt_mention, "paid": self.paid,
            "paid_at": self.paid_at.isoformat() if self.paid_at else None,
            "payment_method": self.payment_method, "source": self.source,
            "booking_id": self.booking_id, "message_id": self.message_id,
            "project_id": self.project_id, "milestone_id": self.milestone_id,
            "payment_id": self.payment_id,
            "credited_number": self.credited.number if self.credited else None,
            "client": {"id": self.client_id, "name": self.snapshot["buyer"]["name"]},
        }
