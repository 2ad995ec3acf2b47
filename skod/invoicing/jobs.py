"""The invoicing sweep, run by every tick: no delivered service and no refund stays without
its document, whatever crashed between the delivery and its invoice.

The delivery e-mails issue their invoice at once (to attach it); this sweep is the net under
them: it issues what is missing, marks paid the unpaid invoices whose payment went through
later (pay link, reconciliation), and credits refunds made outside our pages. Every issue is
idempotent on its source, so the sweep and the e-mails never issue twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy import String, and_, cast, exists, literal, select

from skod.core.isolation import isolated
from skod.extensions import db
from skod.invoicing import issuing
from skod.invoicing.models import CREDIT_NOTE, INVOICE, Invoice

#: at most this many documents per kind and tick; the next tick takes the rest
BATCH = 200


def _without_invoice(column):  # noqa: ANN001, ANN202 - a model's id column
    """No invoice (not a credit note) links to this row yet."""
    link = {"bookings": Invoice.booking_id, "messages": Invoice.message_id,
            "milestones": Invoice.milestone_id}[column.table.name]
    return ~exists().where(link == column, Invoice.kind == INVOICE)


def missing_bookings() -> list[int]:
    from skod.calls.models import Booking

    delivered = Booking.ended_at.is_not(None) & Booking.status.in_(("completed",
                                                                    "payment_failed"))
    fee = (Booking.status == "cancelled") & (Booking.amount_due_minor > 0)
    return list(db.session.scalars(select(Booking.id).where(
        delivered | fee, _without_invoice(Booking.id)).order_by(Booking.id).limit(BATCH)))


def missing_messages() -> list[int]:
    from skod.messages.models import Message

    return list(db.session.scalars(select(Message.id).where(
        Message.status.in_(("answered", "payment_failed")), Message.price_minor > 0,
        _without_invoice(Message.id)).order_by(Message.id).limit(BATCH)))


def missing_milestones() -> list[int]:
    from skod.projects.models import Milestone

    # delivered only (marked done): a hold refused before delivery owes nothing yet
    return list(db.session.scalars(select(Milestone.id).where(
        Milestone.status.in_(("paid", "payment_failed")), Milestone.completed_at.is_not(None),
        _without_invoice(Milestone.id)).order_by(Milestone.id).limit(BATCH)))


def _payments_without_invoice(link, purpose: str, statuses: tuple[str, ...]) -> list[int]:  # noqa: ANN001
    """`link` (a Payment column) of the settled payments of `purpose` no invoice names yet."""
    from skod.payments.models import Payment

    no_invoice = ~exists().where(and_(Invoice.payment_id == Payment.id,
                                      Invoice.kind == INVOICE))
    return list(db.session.scalars(select(link).where(
        Payment.purpose == purpose, Payment.status.in_(statuses), link.is_not(None),
        no_invoice).order_by(Payment.id).limit(BATCH)))


def missing_deposits() -> list[int]:
    from skod.payments.models import Payment

    return _payments_without_invoice(Payment.project_id, "deposit", issuing.PAID)


def missing_overruns() -> list[int]:
    from skod.payments.models import Payment

    return _payments_without_invoice(Payment.booking_id, "overrun", (*issuing.PAID, "failed"))


def missing_credit_notes() -> list[int]:
    from skod.payments.refunds import Refund

    credited = exists().where(and_(Invoice.kind == CREDIT_NOTE,
                                   Invoice.source == literal("refund:") + cast(Refund.id, String)))
    return list(db.session.scalars(select(Refund.id).where(
        Refund.status == "succeeded", ~credited).order_by(Refund.id).limit(BATCH)))


def unpaid_sources() -> list[str]:
    return list(db.session.scalars(select(Invoice.source).where(
        Invoice.kind == INVOICE, Invoice.paid.is_(False)).order_by(Invoice.id).limit(BATCH)))


def _run(ids: list[int], issue: Callable[[int, datetime], Invoice | None],
         now: datetime) -> int:
    db.session.commit()  # the candidates were read; each issue is its own transaction
    done = 0
    for object_id in ids:
        with isolated(issue.__name__, object_id):
            done += issue(object_id, now) is not None
    return done


def recheck_unpaid(now: datetime) -> int:
    """Unpaid invoices whose service got paid since (pay link, late capture): marked paid."""
    done = 0
    for source in unpaid_sources():
        with isolated("recheck_unpaid", source):
            prefix, _, object_id = source.rpartition(":")
            issue = issuing.ISSUER_BY_PREFIX.get(prefix)
            invoice = issue(int(object_id), now) if issue else None
            done += bool(invoice is not None and invoice.paid)
    db.session.commit()
    return done


def run_all(now: datetime) -> dict[str, int]:
    issued = (_run(missing_bookings(), issuing.issue_for_booking, now)
              + _run(missing_overruns(), issuing.issue_for_overrun, now)
              + _run(missing_messages(), issuing.issue_for_message, now)
              + _run(missing_milestones(), issuing.issue_for_milestone, now)
              + _run(missing_deposits(), issuing.issue_for_deposit, now))
    credited = _run(missing_credit_notes(), issuing.credit_for_refund, now)
    return {"invoices_issued": issued, "invoices_marked_paid": recheck_unpaid(now),
            "credit_notes_issued": credited}
