"""Project (the client's acceptance and saved card) and its milestones."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.core.money import Money
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments.cards import CardHolderMixin
from skod.payments.models import Payment

PROJECT_STATES = StateMachine(
    "project",
    {
        # sent to the client, waiting for the terms, the card and the deposit
        "sent": {"deposit_pending", "accepted", "cancelled"},
        # the deposit asks 3-D Secure: the client is on the page to finish it
        "deposit_pending": {"sent", "accepted", "cancelled"},
        "accepted": {"completed", "cancelled"},
        "completed": set(),
        "cancelled": set(),
    },
)

MILESTONE_STATES = StateMachine(
    "milestone",
    {
        # not started: the provider may still edit it
        "pending": {"in_progress", "cancelled"},
        # started: the hold is placed now, later (HOLD_LEAD before the due date), or not needed
        "in_progress": {"action_required", "payment_failed", "awaiting_approval", "paid",
                        "cancelled"},
        # an off-session hold or charge needs the client on-session: the link was sent;
        # before delivery a declined hold waits here too (nothing is owed yet)
        "action_required": {"in_progress", "payment_failed", "awaiting_approval", "paid",
                            "cancelled"},
        # done, and its charge declined: the failure is on its Payment row, the milestone
        # is invoiced unpaid (dunning starts from it)
        "payment_failed": {"in_progress", "action_required", "awaiting_approval", "paid",
                           "cancelled"},
        # done, approval mode "client": captured on approval or at approval_deadline
        "awaiting_approval": {"paid", "contested", "action_required", "payment_failed",
                              "cancelled"},
        # the client contested: nothing is captured until the provider resolves or cancels
        "contested": {"paid", "action_required", "payment_failed", "cancelled"},
        "paid": set(),
        "cancelled": set(),
    },
)
#: a milestone the provider can still mark done (not done yet)
STARTED = ("in_progress", "action_required", "payment_failed")
#: a milestone whose hold must stay valid until it is captured
OPEN = ("in_progress", "action_required", "payment_failed", "awaiting_approval", "contested")
FINAL = ("paid", "cancelled")


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
    #: how the client pays: "card" (each milestone held on the card when it starts) or
    #: "sepa_debit" (each milestone debited under the client's SEPA mandate when it starts)
    payment_method_kind: Mapped[str] = mapped_column(String(16), default="card",
                                                     server_default="card")
    #: the SetupIntent the page confirms with the IBAN Element, and the mandate it made
    sepa_setup_intent_id: Mapped[str | None] = mapped_column(String(64))
    sepa_setup_client_secret: Mapped[str | None] = mapped_column(String(255))
    sepa_mandate_id: Mapped[str | None] = mapped_column(String(64))
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()
    milestones: Mapped[list[Milestone]] = relationship(
        back_populates="project", order_by="Milestone.position")
    payments: Mapped[list[Payment]] = relationship(
        order_by=Payment.id, primaryjoin="Payment.project_id == Project.id", viewonly=True)

    def live_milestones(self) -> list[Milestone]:
        return [m for m in self.milestones if m.status != "cancelled"]

    @property
    def total(self) -> Money:
        return Money(sum(m.amount_minor for m in self.live_milestones()), self.currency)

    @property
    def paid(self) -> Money:
        """What the client paid: the deposit and the milestones, less refunds."""
        return Money(sum(p.amount_captured_minor - p.amount_refunded_minor
                         for p in self.payments), self.currency)

    @property
    def remaining(self) -> Money:
        return Money(max(0, self.total.amount_minor - self.paid.amount_minor), self.currency)

    def deposit_payment(self) -> Payment | None:
        deposits = [p for p in self.payments if p.purpose == "deposit"]
        return deposits[-1] if deposits else None


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
    #: when the off-session hold is to be placed (set at start, by projects.policy)
    hold_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    project: Mapped[Project] = relationship(back_populates="milestones")
    payments: Mapped[list[Payment]] = relationship(
        order_by=Payment.id, primaryjoin="Payment.milestone_id == Milestone.id", viewonly=True)

    @property
    def due_minor(self) -> int:
        """What is still to charge for it: its amount less its share of the deposit (nothing
        once cancelled)."""
        if self.status == "cancelled":
            return 0
        return max(0, self.amount_minor - self.deposit_credit_minor)

    def last_payment(self) -> Payment | None:
        return self.payments[-1] if self.payments else None

    def live_hold(self) -> Payment | None:
        """The hold that can still be captured, if any."""
        holds = [p for p in self.payments if p.status in ("held", "capture_pending")]
        return holds[-1] if holds else None
