"""Which service gets which invoice: the domains call `issue_for_*` once a service is delivered
(call ended, late-cancel fee or no-show, reply sent, milestone done, deposit charged), paid or
not, and again whenever its payment changes; the call issues at most once (one source each) and
marks an unpaid invoice paid when a later payment went through. A refund gets a credit note.

Every function commits; callers call them after their own commit, never under their locks.
"""

from __future__ import annotations

import logging
from datetime import datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from skod.core import formats
from skod.core.clock import utcnow
from skod.core.money import Money
from skod.extensions import db
from skod.invoicing import ledger
from skod.invoicing.models import CREDIT_NOTE, Invoice
from skod.payments.models import Payment

log = logging.getLogger(__name__)

PAID = ("captured", "refunded")
UNSETTLED = ("created", "requires_action", "held", "capture_pending")


def _captured(payments: list[Payment]) -> int:
    return sum(p.amount_captured_minor for p in payments if p.status in PAID)


def _sync(spec: ledger.IssueSpec, paid: bool) -> Invoice:
    """Issue the invoice (paid or not); an unpaid one found paid now is marked paid."""
    spec.paid_at = spec.now if paid else None
    invoice = ledger.issue(spec)
    if paid and not invoice.paid:
        invoice = ledger.mark_paid(invoice.id, spec.now)
    return invoice


def _day(moment: datetime, tz: str, locale: str) -> str:
    return formats.local_day(moment, tz, locale)


def _booking_text(booking, kind: str) -> str:  # noqa: ANN001 - a Booking
    locale, title = booking.client.locale, booking.offer.title
    with force_locale(locale):
        day = _day(booking.start_at, booking.provider.timezone, locale)
        if kind == "call":
            # a flat price pays for the slot booked, not for the minutes used
            minutes = (booking.duration_minutes if booking.pricing == "flat"
                       else booking.minutes_billed or 0)
            return ngettext("%(title)s: call of %(day)s, %(num)s minute",
                            "%(title)s: call of %(day)s, %(num)s minutes", minutes,
                            title=title, day=day)
        if kind == "overrun":
            return _("%(title)s: minutes beyond the amount held, call of %(day)s", title=title,
                     day=day)
        if kind == "no_show":
            return _("%(title)s: no-show fee for the call of %(day)s", title=title, day=day)
        return _("%(title)s: late cancellation fee for the call of %(day)s", title=title,
                 day=day)


def _booking_spec(booking, source: str, text: str, amount: int, now: datetime,  # noqa: ANN001
                  payment_id: int | None = None) -> ledger.IssueSpec:
    return ledger.IssueSpec(provider_id=booking.provider_id, client_id=booking.client_id,
                            source=source, lines=[(text, amount)], now=now,
                            currency=booking.currency,
                            links={"booking_id": booking.id, "payment_id": payment_id})


def issue_for_booking(booking_id: int, now: datetime) -> Invoice | None:
    """A call that ended (paid or failed), or a cancelled one that owes its fee. Minutes
    beyond the hold are charged apart and invoiced apart (`issue_for_overrun`)."""
    from skod.calls.models import Booking

    booking = db.session.get(Booking, booking_id, populate_existing=True)
    due = booking.amount_due_minor or 0
    ended = booking.ended_at is not None and booking.status in ("completed", "payment_failed")
    fee = booking.status == "cancelled" and due > 0
    if due <= 0 or not (ended or fee) or any(p.status in UNSETTLED for p in booking.payments):
        db.session.commit()
        return None
    overrun = next((p for p in booking.payments if p.purpose == "overrun"), None)
    if ended:
        kind = "call"
        due -= overrun.amount_requested_minor if overrun else 0
    else:
        kind = "no_show" if booking.cancel_reason == "no_show" else "fee"
    waived = [p for p in booking.payments if p.status == "waived"]
    # a waived overrun is already out of `due` (the overrun is never this invoice's)
    due -= sum(p.amount_requested_minor for p in waived if p is not overrun)
    if due <= 0:
        db.session.commit()
        return None  # all of it waived: below Stripe's minimum charge
    captured = _captured([p for p in booking.payments if p.purpose != "overrun"])
    text = _booking_text(booking, kind) + _waived_text(
        booking, sum(p.amount_requested_minor for p in waived))
    spec = _booking_spec(booking, f"booking:{booking.id}", text, due, now)
    return _sync(spec, captured >= due)


def _waived_text(booking, waived: int) -> str:  # noqa: ANN001 - a Booking
    """The part not charged because it is below Stripe's minimum, said on the invoice."""
    if waived <= 0:
        return ""
    locale = booking.client.locale
    with force_locale(locale):
        return " " + _("(%(amount)s not charged: below the minimum card payment)",
                       amount=Money(waived, booking.currency).format(locale))


def issue_for_overrun(booking_id: int, now: datetime) -> Invoice | None:
    """The second payment of a call that outran its hold, once it went through or failed."""
    from skod.calls.models import Booking

    booking = db.session.get(Booking, booking_id, populate_existing=True)
    overrun = next((p for p in booking.payments if p.purpose == "overrun"), None)
    if overrun is None or overrun.status in (*UNSETTLED, "waived"):
        db.session.commit()
        return None
    spec = _booking_spec(booking, f"overrun:booking:{booking.id}",
                         _booking_text(booking, "overrun"), overrun.amount_requested_minor, now,
                         overrun.id)
    return _sync(spec, overrun.status in PAID)


def issue_for_message(message_id: int, now: datetime) -> Invoice | None:
    """A reply sent: paid when its capture (or the pay-link charge) went through."""
    from skod.messages.models import Message

    message = db.session.get(Message, message_id, populate_existing=True)
    if message.status not in ("answered", "payment_failed") or message.price_minor <= 0:
        db.session.commit()
        return None
    locale = message.client.locale
    with force_locale(locale):
        text = _("%(title)s: written answer of %(day)s", title=message.offer.title,
                 day=_day(message.replied_at or now, message.provider.timezone, locale))
    spec = ledger.IssueSpec(provider_id=message.provider_id, client_id=message.client_id,
                            source=f"message:{message.id}", lines=[(text, message.price_minor)],
                            now=now, currency=message.currency, links={"message_id": message.id})
    return _sync(spec, message.status == "answered")


def issue_for_milestone(milestone_id: int, now: datetime) -> Invoice | None:
    """A milestone done: paid, or its payment failed. The part the deposit covers is on the
    deposit's invoice, so this one is for what the milestone still cost. Never before it is
    marked done: a receivable is for delivered value only, whatever its payment did."""
    from skod.projects.models import Milestone

    milestone = db.session.get(Milestone, milestone_id, populate_existing=True)
    due, delivered = milestone.due_minor, milestone.completed_at is not None
    if not delivered or milestone.status not in ("paid", "payment_failed") or due <= 0:
        db.session.commit()
        return None
    project, locale = milestone.project, milestone.project.client.locale
    with force_locale(locale):
        text = _("%(project)s: milestone “%(title)s”", project=project.title,
                 title=milestone.title)
        if milestone.deposit_credit_minor:
            text += " " + _("(%(amount)s, less %(credit)s invoiced as deposit)",
                            amount=Money(milestone.amount_minor, project.currency).format(locale),
                            credit=Money(milestone.deposit_credit_minor,
                                         project.currency).format(locale))
    spec = ledger.IssueSpec(provider_id=project.provider_id, client_id=project.client_id,
                            source=f"milestone:{milestone.id}", lines=[(text, due)], now=now,
                            currency=project.currency,
                            links={"project_id": project.id, "milestone_id": milestone.id})
    return _sync(spec, milestone.status == "paid")


def issue_for_deposit(project_id: int, now: datetime) -> Invoice | None:
    """The deposit charged at acceptance (an advance payment invoice)."""
    from skod.projects.models import Project

    project = db.session.get(Project, project_id, populate_existing=True)
    deposit = project.deposit_payment()
    if deposit is None or deposit.status not in PAID or deposit.amount_captured_minor <= 0:
        db.session.commit()
        return None
    with force_locale(project.client.locale):
        text = _("%(project)s: deposit", project=project.title)
    spec = ledger.IssueSpec(provider_id=project.provider_id, client_id=project.client_id,
                            source=f"deposit:project:{project.id}",
                            lines=[(text, deposit.amount_captured_minor)], now=now,
                            currency=project.currency,
                            links={"project_id": project.id, "payment_id": deposit.id})
    return _sync(spec, True)


def invoice_of_payment(payment: Payment) -> Invoice | None:
    if payment.milestone_id is not None:
        return ledger.by_source(f"milestone:{payment.milestone_id}")
    if payment.project_id is not None:
        return ledger.by_source(f"deposit:project:{payment.project_id}")
    if payment.message_id is not None:
        return ledger.by_source(f"message:{payment.message_id}")
    if payment.booking_id is not None and payment.purpose == "overrun":
        return ledger.by_source(f"overrun:booking:{payment.booking_id}")
    if payment.booking_id is not None:
        return ledger.by_source(f"booking:{payment.booking_id}")
    return None


def credit_for_refund(refund_id: int, now: datetime) -> Invoice | None:
    """A succeeded refund: a credit note with its own number, referring to the invoice."""
    from skod.payments.refunds import Refund

    refund = db.session.get(Refund, refund_id)
    if refund is None or refund.status != "succeeded":
        db.session.commit()
        return None
    payment = db.session.get(Payment, refund.payment_id)
    invoice = invoice_of_payment(payment)
    if invoice is None:  # a payment invoiced by nobody (e.g. before invoicing existed)
        db.session.commit()
        return None
    with force_locale(invoice.locale):
        text = _("Refund for invoice %(number)s", number=invoice.number)
    spec = ledger.IssueSpec(provider_id=invoice.provider_id, client_id=invoice.client_id,
                            source=f"refund:{refund.id}",
                            lines=[(text, min(refund.amount_minor, invoice.ttc_minor))],
                            now=now, currency=invoice.currency, kind=CREDIT_NOTE, paid_at=now,
                            credited=invoice, links=_links_of(invoice, payment))
    return ledger.issue(spec)


def _links_of(invoice: Invoice, payment: Payment) -> dict:
    return {"booking_id": invoice.booking_id, "message_id": invoice.message_id,
            "project_id": invoice.project_id, "milestone_id": invoice.milestone_id,
            "payment_id": payment.id}


#: the prefix of an invoice's source -> what issues (or marks paid) it from the object's id
ISSUER_BY_PREFIX = {"booking": issue_for_booking, "overrun:booking": issue_for_overrun,
                    "message": issue_for_message, "milestone": issue_for_milestone,
                    "deposit:project": issue_for_deposit}

_ISSUERS_OF = {"booking": (issue_for_booking, issue_for_overrun),
               "message": (issue_for_message,), "milestone": (issue_for_milestone,),
               "deposit": (issue_for_deposit,)}


def documents_for(what: str, object_id: int, now: datetime | None = None) -> list[int]:
    """Issue what a delivered service owes (once) and return the ids, for the e-mail that
    announces the delivery to attach. `what`: booking, message, milestone or deposit (a
    project's id). Call it after the caller's commit (it commits)."""
    now = now or utcnow()
    try:
        invoices = [issue(object_id, now) for issue in _ISSUERS_OF[what]]
    except Exception:  # noqa: BLE001 - the delivery stands; the tick's sweep issues it later
        db.session.rollback()
        log.exception("%s %s: invoice not issued with its e-mail", what, object_id)
        return []
    return [invoice.id for invoice in invoices if invoice is not None]
