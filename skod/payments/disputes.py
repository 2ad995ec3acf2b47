"""Disputes (chargebacks) of our payments, mirrored from Stripe.

Each `charge.dispute.*` event makes us read the dispute back from Stripe (the event body is
never trusted), store amount, reason, status and the evidence deadline, and tell the provider at
once with that deadline and the evidence Skod holds. A lost dispute takes the money back: the
payment's invoice then shows that amount as owed again (`lost_by_payment`), and so it stays while
the provider appeals (appeal_* statuses of 2026-10-28.endive: the funds are still withdrawn);
the appeal's deadline is told like the first one.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from skod.core.clock import utcnow
from skod.core.types import UTCDateTime
from skod.extensions import db
from skod.payments import hooks
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.stripe_gateway import gateway

#: statuses in which the dispute is still open (the money is held back or at risk); every
#: status of the pinned version's Dispute.status is in OPEN or CLOSED
OPEN = ("warning_needs_response", "warning_under_review", "needs_response", "under_review",
        "appeal_needs_response", "appeal_under_review")
CLOSED = ("warning_closed", "prevented", "won", "lost")
#: the bank took the amount back: lost, and still while an appeal of that loss is decided
WITHDRAWN = ("lost", "appeal_needs_response", "appeal_under_review")
APPEAL = ("appeal_needs_response", "appeal_under_review")

#: Stripe's words, as the provider reads them
STATUS_WORDS = {
    "warning_needs_response": _l("inquiry from the bank, awaiting your evidence"),
    "warning_under_review": _l("inquiry under review by the bank"),
    "warning_closed": _l("inquiry closed"),
    "needs_response": _l("awaiting your evidence"),
    "under_review": _l("under review by the bank"),
    "appeal_needs_response": _l("lost, appeal open: awaiting your appeal evidence"),
    "appeal_under_review": _l("appeal under review by the bank"),
    "prevented": _l("settled before becoming a dispute"),
    "won": _l("won"), "lost": _l("lost"),
}
REASON_WORDS = {
    "fraudulent": _l("the cardholder says they did not make this payment"),
    "product_not_received": _l("the client says the service was not delivered"),
    "product_unacceptable": _l("the client says the service was not as described"),
    "duplicate": _l("the client says they were charged twice"),
    "credit_not_processed": _l("the client says a promised refund was not made"),
    "unrecognized": _l("the client does not recognise the payment"),
    "subscription_canceled": _l("the client says they had cancelled"),
}


def status_words(status: str | None) -> str:
    return str(STATUS_WORDS.get(status or "", status or ""))


def reason_words(reason: str | None) -> str:
    return str(REASON_WORDS.get(reason or "", _l("other reason given by the bank")))


class Dispute(db.Model):
    __tablename__ = "disputes"

    id: Mapped[int] = mapped_column(primary_key=True)
    payment_id: Mapped[int] = mapped_column(ForeignKey("payments.id"), index=True)
    stripe_dispute_id: Mapped[str] = mapped_column(String(64), unique=True)
    amount_minor: Mapped[int] = mapped_column(Integer)
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(32))
    evidence_due_by: Mapped[datetime | None] = mapped_column(UTCDateTime)
    #: when the provider was told (once, at the first sight of the dispute)
    notified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    @property
    def open(self) -> bool:
        return self.status in OPEN

    def as_dict(self) -> dict:
        return {"id": self.id, "amount": self.amount_minor, "currency": self.currency,
                "reason": self.reason, "status": self.status,
                "evidence_due_by": self.evidence_due_by.isoformat()
                if self.evidence_due_by else None}


def lost_by_payment(provider_ids: set[int]) -> dict[int, int]:
    """payment id -> what lost disputes took back from it (owed again by the client), for
    these providers' payments; one query, and usually empty."""
    rows = db.session.execute(
        select(Dispute.payment_id, db.func.sum(Dispute.amount_minor))
        .join(Payment, Payment.id == Dispute.payment_id)
        .where(Dispute.status.in_(WITHDRAWN), Payment.provider_id.in_(provider_ids))
        .group_by(Dispute.payment_id)).all()
    return {payment_id: int(amount) for payment_id, amount in rows}


def of_payment(payment_id: int) -> list[Dispute]:
    return list(db.session.scalars(select(Dispute).where(Dispute.payment_id == payment_id)
                                   .order_by(Dispute.id)))


def dispute_changed(obj: dict, now: datetime, account: str | None = None) -> str | None:
    """charge.dispute.created|updated|closed|funds_withdrawn|funds_reinstated."""
    dispute_id = obj.get("id")  # a string or None: checked at intake
    if not dispute_id:
        return "ignored"
    truth = gateway().on(account).retrieve_dispute(dispute_id)  # from the event's account
    payment_id = db.session.scalar(select(Payment.id).where(
        Payment.stripe_payment_intent_id == truth.payment_intent,
        Payment.stripe_account_id.is_(None) if not account
        else Payment.stripe_account_id == account)) if truth.payment_intent else None
    if payment_id is None:
        db.session.commit()
        return "ignored"  # not one of ours
    payment = pay.lock(payment_id)
    row = db.session.scalar(select(Dispute).where(Dispute.stripe_dispute_id == truth.id)
                            .with_for_update())
    if row is None:
        row = Dispute(payment_id=payment.id, stripe_dispute_id=truth.id, created_at=now)
        db.session.add(row)
    row.amount_minor, row.currency, row.reason = truth.amount, truth.currency, truth.reason
    change = _change(row, truth.status[:32], now)
    row.status, row.evidence_due_by = truth.status[:32], truth.evidence_due_by
    payment.dispute_status = row.status
    row.notified_at = row.notified_at or now
    db.session.commit()
    if change:
        hooks.disputed(row.id, change, now)
    return None


def _change(row: Dispute, status: str, now: datetime) -> str | None:
    """What the provider is told of this move: first sight, an appeal opened (its own
    deadline), a close (again after an appeal); nothing for the steps in between."""
    if row.notified_at is None:
        change = "opened"
    elif status in APPEAL and row.status not in APPEAL:
        row.closed_at = None  # open again until the appeal is decided
        return "appeal"
    else:
        change = None
    if status not in OPEN and row.closed_at is None:
        row.closed_at, change = now, "closed"
    return change
