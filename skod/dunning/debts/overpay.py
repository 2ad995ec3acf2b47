"""A debt is never paid twice (issue 19, point 3).

- When a receivable's balance changes or it closes, every pay-page intent still open for it is
  cancelled at Stripe (`withdraw_page_intents`, through payments.services' release with its
  key): its client secret can no longer charge a stale amount. An intent the client confirmed
  before the cancel came (Stripe answers that it succeeded) is read back and counted.
- A payment landing above what is still owed (a race of the page, a transfer, an instalment, a
  smart retry) is counted up to the balance only (`paid_minor` never exceeds the principal):
  settling.settle records the excess once, under the case's lock, and `refund_excess`
  refunds it through the refunds service and tells the provider; the client's page says so.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import Select, func, select

from skod.core.errors import DomainError
from skod.core.isolation import isolated
from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.debts.notices import _money, label, locale_of, to_provider
from skod.extensions import db
from skod.payments import refunds
from skod.payments.models import Payment
from skod.payments.refunds import Refund

log = logging.getLogger(__name__)

#: the timeline's kind of a payment counted above the balance (and refunded)
OVERPAID = "overpaid"
#: the refund's reason, kept on the Refund row
REASON = "paid after the debt was settled: the excess is refunded"
#: an excess recorded this long ago with no refund: the process died before making it (settle
#: refunds right after its commit; this leaves that path the time to finish)
LOST_AFTER = timedelta(minutes=5)
#: debts looked at per tick; the next tick takes the rest
BATCH = 200


def open_page_payments(receivable_id: int, keep: int | None = None) -> list[int]:
    """The pay page's payments of this debt still open at Stripe (or never sent there)."""

    return list(db.session.scalars(select(Payment.id).where(
        Payment.receivable_id == receivable_id, Payment.id != (keep or 0),
        Payment.status.in_(("created", "requires_action")),
        Payment.create_key.startswith(key_prefix(receivable_id), autoescape=True))))


def counted_twice(receivable_id: int, payment_id: int) -> bool:
    """Whether this payment is on the timeline already, as paid or as overpaid (the caller
    holds the case's lock: the webhook and the page's answer count it once)."""
    rows = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id,
        DunningEvent.kind.in_(("payment", "penalty_payment", OVERPAID))))
    return any((e.data or {}).get("payment_id") == payment_id for e in rows)


def refund_excess(receivable_id: int, payment_id: int, excess: int, now: datetime) -> None:
    """Refund what a payment brought above the balance, and tell the provider. A refund that
    Stripe has not answered yet is left to the refunds' reconciliation (its key is stored)."""
    receivable = db.session.get(Receivable, receivable_id)
    try:
        refunds.refund(payment_id, receivable.provider_id, excess, REASON, now,
                       key=excess_key(receivable_id, payment_id))
    except DomainError as err:  # refund_pending: in flight; anything else: logged, told
        db.session.rollback()
        log.warning("receivable %s: excess %s of payment %s: %s", receivable_id, excess,
                    payment_id, err)
    _tell_provider(db.session.get(Receivable, receivable_id), excess)


def excess_key(receivable_id: int, payment_id: int) -> str:
    """The excess refund's key: one per (debt, payment), whoever makes it (settle right after
    its commit, or `refund_lost_excess` when the process died in between)."""
    return f"refund:excess:receivable:{receivable_id}:payment:{payment_id}"


def refund_lost_excess(now: datetime) -> int:
    """A tick's job: an excess recorded on a timeline (settle's commit) whose refund was never
    made (the process died before it) is refunded now, once, each debt on its own. How many.
    Only debts with fewer excess refunds than recorded excesses are read."""
    done = 0
    for receivable_id in db.session.scalars(_short_of_refunds()).all():
        with isolated("refund_lost_excess", receivable_id):
            done += _refund_missing(receivable_id, now)
    db.session.commit()
    return done


def _short_of_refunds() -> Select:
    overpaid = select(DunningEvent.receivable_id, func.count(DunningEvent.id).label("n")).where(
        DunningEvent.kind == OVERPAID).group_by(DunningEvent.receivable_id).subquery()
    refunded = select(Payment.receivable_id, func.count(Refund.id).label("n")).join(
        Payment, Refund.payment_id == Payment.id).where(
        Refund.reason == REASON).group_by(Payment.receivable_id).subquery()
    return (select(overpaid.c.receivable_id)
            .outerjoin(refunded, refunded.c.receivable_id == overpaid.c.receivable_id)
            .where(func.coalesce(refunded.c.n, 0) < overpaid.c.n)
            .order_by(overpaid.c.receivable_id).limit(BATCH))


def _refund_missing(receivable_id: int, now: datetime) -> int:
    """This debt's excesses older than LOST_AFTER with no refund row: refunded (and told)."""
    rows = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id, DunningEvent.kind == OVERPAID,
        DunningEvent.at <= now - LOST_AFTER).order_by(DunningEvent.id)).all()
    done = 0
    for row in rows:
        payment_id, excess = (row.data or {}).get("payment_id"), int((row.data or {}).get(
            "amount") or 0)
        made = db.session.scalar(select(func.count(Refund.id)).where(
            Refund.payment_id == payment_id, Refund.reason == REASON))
        payment = db.session.get(Payment, payment_id) if payment_id and not made else None
        # what the provider refunded by hand meanwhile is not refunded twice
        left = min(excess, refunds.refundable(payment)) if payment is not None else 0
        db.session.commit()
        if left > 0:
            log.warning("receivable %s: excess %s of payment %s had no refund: refunding it",
                        receivable_id, left, payment_id)
            refund_excess(receivable_id, payment_id, left, now)
            done += 1
    return done


def _tell_provider(receivable: Receivable, excess: int) -> None:
    locale = locale_of(receivable.provider)
    with force_locale(locale):
        amount = _money(receivable, excess, locale)
        to_provider(receivable, _("Paid twice: %(amount)s refunded (invoice %(number)s)",
                                  amount=amount, number=label(receivable)),
                    [_("A card payment of %(client)s reached us after the debt was already "
                       "settled (or above what was left to pay).", client=receivable.client.name),
                     _("The excess, %(amount)s, was refunded to the client's card "
                       "automatically: nothing for you to do.", amount=amount)])


def overpaid_minor(receivable_id: int) -> int:
    """What was paid above the balance and refunded (the client's page says it)."""
    rows = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id, DunningEvent.kind == OVERPAID))
    return sum(int((e.data or {}).get("amount") or 0) for e in rows)


def key_prefix(receivable_id: int) -> str:
    return f"pay:receivable:{receivable_id}:"
