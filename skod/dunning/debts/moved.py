"""What moved for a service (a milestone, an answer, a call): the one place the payment e-mails
read "charged now" and "left to pay" from, so that a text never computes its own figures.

A service is paid by its own payments (a hold captured, a charge) or, once one of them failed
for good, through its debt (the pay page, a card retry, an instalment, a transfer): the debt's
timeline then holds each amount counted to its balance. Summing the service's own rows alone
said "0,00 € charged" after a pay-page payment: both sources are read here.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import select

from skod.dunning.debts.models import DunningEvent, Receivable
from skod.dunning.debts.store import by_source
from skod.extensions import db
from skod.payments.models import Payment


@dataclass(frozen=True)
class Moved:
    """Integer minor units of one currency."""

    charged_minor: int  #: the last payment that reached the provider for this service
    paid_minor: int  #: everything paid for it so far
    left_minor: int  #: what is still owed for it
    currency: str
    through_debt: bool  #: paid after a failure (the pay page, a retry, an instalment...)


def _last_counted(receivable: Receivable) -> int:
    """The amount the debt's last payment counted to its balance (penalties apart)."""
    event = db.session.scalar(
        select(DunningEvent).where(DunningEvent.receivable_id == receivable.id,
                                   DunningEvent.kind == "payment")
        .order_by(DunningEvent.id.desc()).limit(1))
    return int((event.data or {}).get("amount") or 0) if event is not None else 0


def for_debt(receivable: Receivable) -> Moved:
    """A debt's own figures: its last payment (what this e-mail is about), all it was paid,
    what is left of its invoice."""
    return Moved(charged_minor=_last_counted(receivable), paid_minor=receivable.paid_minor,
                 left_minor=receivable.balance_minor, currency=receivable.currency,
                 through_debt=True)


def for_service(source: str, own: Iterable[Payment], due_minor: int,
                currency: str) -> Moved:
    """`source` names the service as its debt does ("milestone:12"); `own` are its own payment
    rows; `due_minor` what it costs once credits are taken off."""
    captured = [p for p in own if p.status == "captured" and p.amount_captured_minor]
    direct = sum(p.amount_captured_minor for p in captured)
    receivable = by_source(source)
    if receivable is not None and receivable.paid_minor > 0:
        return Moved(charged_minor=_last_counted(receivable),
                     paid_minor=direct + receivable.paid_minor,
                     left_minor=receivable.balance_minor, currency=receivable.currency,
                     through_debt=True)
    last = captured[-1].amount_captured_minor if captured else 0
    left = receivable.balance_minor if receivable is not None else max(0, due_minor - direct)
    return Moved(charged_minor=last, paid_minor=direct, left_minor=left, currency=currency,
                 through_debt=False)
