"""A debt's payments as the penalty engine counts them: (the provider's day the funds arrived,
amount) read from the case's timeline, so that interest runs on each part until it was paid
(law file section 2, partial payments), and the penalties computed on that history.
Read-only; no commit."""

from __future__ import annotations

import logging
from datetime import date

from sqlalchemy import select

from skod.core.clock import local_date
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.rules.penalties import Breakdown, Payment, PenaltyError, RateTable, compute
from skod.extensions import db

#: the timeline events that carry money counted to the invoice's balance. "penalty_payment"
#: (money paid toward interest and indemnity) is never principal: not read here.
PRINCIPAL_KINDS = ("payment",)
log = logging.getLogger(__name__)


def payments_of(r: Receivable, until: date) -> list[Payment]:
    """The balance's payments, oldest first, on the provider's calendar (like the due date)."""
    tz = r.provider.timezone
    events = db.session.scalars(
        select(DunningEvent).where(DunningEvent.receivable_id == r.id,
                                   DunningEvent.kind.in_(PRINCIPAL_KINDS))
        .order_by(DunningEvent.at, DunningEvent.id))
    found = [(local_date(e.at, tz), int((e.data or {}).get("amount") or 0)) for e in events]
    paid = min(r.paid_minor, r.principal_minor)
    out, counted = [], 0
    for on, amount in found:
        # a payment taken back since (paid_minor lowered) stops counting, the latest first
        amount = min(amount, paid - counted)
        if amount > 0:
            out.append((on, amount))
            counted += amount
    if paid > counted:
        # paid_minor above the payment events: a debt closed by `invoice_paid` (paid outside
        # Skod, no amount on the timeline) or rows older than the payment events. The day is
        # not known: the day the case closed, else `until`, so no interest is lost
        on = local_date(r.closed_at, tz) if r.closed_at is not None else until
        out.append((min(on, until), paid - counted))
    return out


def penalties_of(r: Receivable, until: date, table: RateTable,
                 posted_on: date | None = None) -> Breakdown | None:
    """Penalties to date on the debt's real history: the principal due on the due date and
    each payment of its timeline (a part stops bearing interest the day it was paid); a
    consumer's legal interest from `posted_on`, the posting of the mise en demeure. None (and
    logged) when the rate table cannot answer: the reminder still goes, with the legal basis
    but without figures. Every document (J+15 e-mail, mise en demeure, recourse summary) calls
    this, so they print the same interest for the same day."""
    try:
        return compute(amount_minor=r.principal_minor, currency=r.currency, due=r.due_date,
                       until=until, client_kind=r.client_kind, table=table,
                       mise_en_demeure_on=posted_on, payments=payments_of(r, until))
    except PenaltyError:
        log.exception("receivable %s: penalties left out of the reminder", r.id)
        return None
