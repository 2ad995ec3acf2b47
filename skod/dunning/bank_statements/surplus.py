"""Money that reached the provider's own bank above what a debt owed (issue 22, point 3).

A bank line counted on a debt (imported, or accepted from the review) may bring more than the
balance and the penalties claimed: settle() counts what is owed and records the rest here, once,
in the same transaction, as the client's credit on the case (`bank_surplus`). It is the
provider's money to give back: it came to their own bank, so Skod cannot refund it (unlike a
card excess, `overpaid`, which overpay.refund_lost_excess refunds through Stripe: never this
kind). The case page shows it until the provider marks it refunded in one click
(`bank_surplus_refunded`, naming the surplus).
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import select

from skod.core.errors import Conflict, NotFound
from skod.dunning.debts.models import DunningEvent
from skod.dunning.debts.store import lock, record
from skod.extensions import db
from skod.web import display

SURPLUS = "bank_surplus"
REFUNDED = "bank_surplus_refunded"


def open_ones(receivable_id: int) -> list[DunningEvent]:
    """The case's surpluses not marked refunded yet, oldest first."""
    events = list(db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id,
        DunningEvent.kind.in_((SURPLUS, REFUNDED))).order_by(DunningEvent.id)))
    done = {(e.data or {}).get("surplus_id") for e in events if e.kind == REFUNDED}
    return [e for e in events if e.kind == SURPLUS and e.id not in done]


def mark_refunded(receivable_id: int, surplus_id: int, provider_id: int,
                  now: datetime) -> DunningEvent:
    """The provider sent the surplus back to the client: recorded once (under the case's
    lock, a second click finds it refunded)."""
    receivable = lock(receivable_id)
    if receivable is None or receivable.provider_id != provider_id:
        db.session.rollback()
        raise NotFound("receivable not found")
    surplus = next((e for e in open_ones(receivable_id) if e.id == surplus_id), None)
    if surplus is None:
        known = db.session.get(DunningEvent, surplus_id)
        db.session.rollback()
        if known is None or known.receivable_id != receivable_id or known.kind != SURPLUS:
            raise NotFound("no such surplus on this debt")
        raise Conflict("this surplus is marked refunded already", code="surplus_refunded")
    data = surplus.data or {}
    record(receivable, REFUNDED, now, surplus_id=surplus.id, amount=data.get("amount"),
           currency=data.get("currency"))
    db.session.commit()
    return surplus


def view(receivable_id: int, locale: str) -> list[dict]:
    """The case page's open surpluses: id and amount, in words."""
    return [{"id": e.id, "amount": _money(e.data or {}, locale)}
            for e in open_ones(receivable_id)]


def words(kind: str, data: dict, locale: str) -> str:
    """The timeline's line of a surplus, or of its refund."""
    if kind == REFUNDED:
        return _("You refunded %(amount)s paid above what was owed to the client.",
                 amount=_money(data, locale))
    return _("%(amount)s paid above what was owed, to refund to the client by bank transfer.",
             amount=_money(data, locale))


def _money(data: dict, locale: str) -> str:
    return display.money(int(data.get("amount") or 0), data.get("currency") or "EUR", locale)
