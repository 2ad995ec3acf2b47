"""Dunning rows: the receivable (what a client owes for delivered value, with its dunning case),
each ladder step taken, the case's timeline, payment plans, per-provider ladder settings and the
late-payment rate table.

A receivable carries its case's state on the same row (`status`, `last_step`, `next_action_at`):
the sweep selects due cases by one indexed column and locks one row per case, which is what
keeps it cheap at a million open debts. "At most once" is the unique (receivable, step) row.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from skod.accounts.models import Client, Provider
from skod.core.clock import utcnow
from skod.core.states import StateMachine
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.invoicing.models import Invoice
from skod.payments.cards import CardHolderMixin

#: a case is open (the ladder runs), paused (dispute, promise, plan) or closed for good
RECEIVABLE_STATES = StateMachine(
    "receivable",
    {
        "open": {"paused", "paid", "written_off"},
        "paused": {"open", "paid", "written_off"},
        "paid": set(),
        # written off, then paid after all (a payment in flight, a late card confirm): the
        # money is recovered and the case closes as paid (settling.settle)
        "written_off": {"paid"},
    },
)
CLOSED = ("paid", "written_off")
CLIENT_KINDS = ("business", "consumer", "public")


class Receivable(CardHolderMixin, db.Model):
    """Money owed for a service already delivered, and the dunning case chasing it.

    A card holder: the pay page's plan form saves a new card through a SetupIntent when the
    one that failed cannot carry instalments."""

    __tablename__ = "receivables"
    __table_args__ = (
        CheckConstraint("principal_minor > 0", name="principal_positive"),
        CheckConstraint("paid_minor >= 0", name="paid_non_negative"),
        # the sweep's only selection: open cases by due instant
        Index("ix_receivables_due", "next_action_at",
              postgresql_where="status = 'open' AND next_action_at IS NOT NULL"),
        Index("ix_receivables_client", "provider_id", "client_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id"), index=True)
    client_id: Mapped[int] = mapped_column(ForeignKey("clients.id"))
    #: what is owed, same key as the invoice's source ("booking:12", "milestone:3",
    #: "dispute:7"): one receivable per source, whoever opens it first
    source: Mapped[str] = mapped_column(String(64), unique=True)
    invoice_id: Mapped[int | None] = mapped_column(ForeignKey("invoices.id"), index=True)
    currency: Mapped[str] = mapped_column(String(3))
    #: amount owed incl. VAT when opened
    principal_minor: Mapped[int] = mapped_column(Integer)
    #: paid since through dunning (retries, pay page, instalments, transfers)
    paid_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: business / consumer / public, copied from the client when opened (decides penalties)
    client_kind: Mapped[str] = mapped_column(String(10))
    #: the legal clock: the invoice's due date (the opening day until the invoice exists)
    due_date: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default="open")
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: the failed payment that opened it, its decline code and kind (soft_decline, ...)
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))
    failure_code: Mapped[str | None] = mapped_column(String(64))
    failure_kind: Mapped[str | None] = mapped_column(String(32))
    #: the saved card smart retries and instalments charge (None: nothing to retry)
    stripe_payment_method_id: Mapped[str | None] = mapped_column(String(64))
    #: what was delivered, as (label, text) pairs frozen at opening (call times, reply, ...)
    evidence: Mapped[list] = mapped_column(JSON, default=list)
    #: the last ladder step taken (-1: none yet) and when
    last_step: Mapped[int] = mapped_column(Integer, default=-1, server_default="-1")
    last_step_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: smart retries made so far, and when the next one is planned (None: no more)
    retries_done: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the sweep must next look at this case (a step or a retry); None: nothing planned
    next_action_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: a pause: why (stripe_dispute, client_dispute, promise, plan, provider) and until when
    pause_reason: Mapped[str | None] = mapped_column(String(24))
    paused_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: whether late-payment interest and the indemnity are claimed on this debt (None: the
    #: provider's ladder setting for the client's kind; owed/amounts.py decides when they are owed)
    claim_penalties: Mapped[bool | None] = mapped_column()
    #: paid towards the penalties (settle counts the invoice's balance first, then these)
    penalties_paid_minor: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    #: interest and indemnity fixed on the day the invoice's balance reached 0: interest runs
    #: on unpaid principal only, so from that day the claimed figure no longer moves
    interest_fixed_minor: Mapped[int | None] = mapped_column(Integer)
    indemnity_fixed_minor: Mapped[int | None] = mapped_column(Integer)
    #: the provider asked for a mise en demeure for the penalties alone (none goes otherwise)
    penalties_notice: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    provider: Mapped[Provider] = relationship()
    client: Mapped[Client] = relationship()
    invoice: Mapped[Invoice | None] = relationship()

    @property
    def balance_minor(self) -> int:
        return max(0, self.principal_minor - self.paid_minor)

    @property
    def penalties_alone(self) -> bool:
        """The invoice is paid but claimed penalties are not: the case stays open for them."""
        return self.status in ("open", "paused") and self.balance_minor == 0


class DunningStep(db.Model):
    """One ladder step taken for one receivable: the unique pair is the "at most once"."""

    __tablename__ = "dunning_steps"
    __table_args__ = (
        UniqueConstraint("receivable_id", "step", name="uq_dunning_step_once"),
        # the sweep's one look for claims left unsent (sweep_faults.wake_stale): a few rows
        # among every step ever sent
        Index("ix_dunning_steps_claimed", "claimed_at", postgresql_where="status = 'claimed'",
              sqlite_where="status = 'claimed'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivables.id", ondelete="CASCADE"))
    step: Mapped[int] = mapped_column(Integer)
    #: claimed by a sweep (or "remind now") at this instant, then sent (or cancelled: paid
    #: between the claim and the send)
    claimed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(16), default="claimed")
    channel: Mapped[str] = mapped_column(String(16), default="email")
    #: the e-mail's Message-ID (one e-mail may carry several receivables of one client); its
    #: text is kept in `dunning_messages` for the recourse file
    message_id: Mapped[str | None] = mapped_column(String(255))
    #: step 3: the mise en demeure this receivable is listed in; step 4: the recourse file
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("formal_notices.id"), index=True)
    recourse_id: Mapped[int | None] = mapped_column(ForeignKey("recourse_files.id"), index=True)
    #: sends of this claimed step that failed (bad data, template, PDF, SMTP), and the last
    #: reason: the sweep tries again with backoff and, after a few, shows it to the provider
    failures: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    last_error: Mapped[str | None] = mapped_column(String(255))


class DunningEvent(db.Model):
    """The case's timeline: every attempt, e-mail, pause and payment, for provider and court."""

    __tablename__ = "dunning_events"
    __table_args__ = (
        # the money in (payments, and closes by an invoice paid elsewhere): what the
        # receivables board reads, without scanning every other event of the platform
        Index("ix_dunning_events_money", "receivable_id", "at",
              postgresql_where="kind IN ('payment', 'paid')"),
        # the excesses (overpay.refund_lost_excess looks at them every tick): a few rows
        Index("ix_dunning_events_overpaid", "receivable_id",
              postgresql_where="kind = 'overpaid'", sqlite_where="kind = 'overpaid'"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivables.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    #: opened, attempt, step, pause, resume, promise, client_dispute, plan_*, instalment, paid,
    #: written_off, note
    kind: Mapped[str] = mapped_column(String(24))
    data: Mapped[dict] = mapped_column(JSON, default=dict)


PLAN_STATES = StateMachine(
    "payment_plan",
    {
        "proposed": {"accepted", "refused", "closed"},
        "accepted": {"completed", "failed", "closed"},
        "refused": set(),
        "completed": set(),
        "failed": set(),
        "closed": set(),  # the case closed (paid another way, written off) before the plan
    },
)


class PaymentPlan(db.Model):
    """A client's request to pay in monthly instalments; charged on the saved card once the
    provider accepts it."""

    __tablename__ = "payment_plans"

    id: Mapped[int] = mapped_column(primary_key=True)
    receivable_id: Mapped[int] = mapped_column(
        ForeignKey("receivables.id", ondelete="CASCADE"), index=True)
    instalments: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16), default="proposed")
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    receivable: Mapped[Receivable] = relationship()
    schedule: Mapped[list[Instalment]] = relationship(order_by="Instalment.seq",
                                                      back_populates="plan")


class Instalment(db.Model):
    __tablename__ = "plan_instalments"
    __table_args__ = (UniqueConstraint("plan_id", "seq", name="uq_instalment_seq"),
                      CheckConstraint("amount_minor > 0", name="instalment_positive"))

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("payment_plans.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    #: scheduled, charging, paid, failed; canceled when the debt closed by another path
    status: Mapped[str] = mapped_column(String(16), default="scheduled")
    payment_id: Mapped[int | None] = mapped_column(ForeignKey("payments.id"))

    plan: Mapped[PaymentPlan] = relationship(back_populates="schedule")


class DunningSettings(db.Model):
    """A provider's changes to the default ladder: offsets, channels, texts, retry days."""

    __tablename__ = "dunning_settings"

    provider_id: Mapped[int] = mapped_column(ForeignKey("providers.id", ondelete="CASCADE"),
                                             primary_key=True)
    #: {"steps": {"1": {"offset_days": 10, "enabled": true, "subject": {...}, "intro": {...}}},
    #:  "retry_days": [1, 3, 5]}; validated by ladder.settings_from()
    overrides: Mapped[dict] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class LateRate(db.Model):
    """Late-payment rates of one half-year (law file section 1), updatable without a code
    change (`flask skod rates set`)."""

    __tablename__ = "late_rates"
    __table_args__ = (UniqueConstraint("year", "half", name="uq_late_rate_half"),
                      CheckConstraint("half IN (1, 2)", name="half_is_1_or_2"))

    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column(Integer)
    half: Mapped[int] = mapped_column(Integer)
    #: in basis points (215 = 2.15 %)
    ecb_bp: Mapped[int] = mapped_column(Integer)
    legal_private_bp: Mapped[int | None] = mapped_column(Integer)
    legal_other_bp: Mapped[int | None] = mapped_column(Integer)
    #: False for a row the law file marks unverified
    verified: Mapped[bool] = mapped_column(default=True)
    #: where the figures come from (ECB decision, arrêté and its JO date)
    source: Mapped[str | None] = mapped_column(String(255))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


# the documents' tables (formal_notices, recourse_files) are the targets of DunningStep's
# foreign keys: loading them with this module keeps the metadata whole
from skod.dunning.debts import document_models  # noqa: E402, F401
