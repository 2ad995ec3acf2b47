"""Project (the client's acceptance and saved card) and its milestones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments.cards import CardHolderMixin
from skod.payments.models import Payment


class Project(CardHolderMixin, db.Model):
    __tablename__ = "projects"
    __table_args__ = (
        CheckConstraint("deposit_percent BETWEEN 0 AND 100", name="deposit_percent"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    currency: Mapped[str] = mapped_column(String(3))
    deposit_percent: Mapped[int] = mapped_column(Integer, default=0)
    #: "none": captured when marked done; "client": captured on approval (or auto-approval)
    approval: Mapped[str] = mapped_column(String(8), default="none")
    status: Mapped[str] = mapped_column(String(24), default="sent")
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.position")
    payments: Mapped[list[Payment]] = relationship(
        order_by=Payment.id, primaryjoin="Payment.project_id == Project.id", viewonly=True)


class Milestone(db.Model):
    __tablename__ = "milestones"
    __table_args__ = (
        CheckConstraint("amount_minor > 0", name="amount_positive"),
        UniqueConstraint("project_id", "position", name="uq_milestones_position"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("projects.id", ondelete="CASCADE"),
                                            index=True)
    position: Mapped[int] = mapped_column(Integer)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    amount_minor: Mapped[int] = mapped_column(Integer)
    #: part of the deposit credited to this milestone (charged at acceptance)
    deposit_credit_minor: Mapped[int] = mapped_column(Integer, default=0)
    expected_on: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(24), default="pending")
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivery_note: Mapped[str | None] = mapped_column(Text)
    approval_deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contest_reason: Mapped[str | None] = mapped_column(Text)
    contested_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: how many holds were placed (renewals included): part of each hold's idempotency key
    hold_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="milestones")
    payments: Mapped[list[Payment]] = relationship(
        order_by=Payment.id, primaryjoin="Payment.milestone_id == Milestone.id", viewonly=True)
