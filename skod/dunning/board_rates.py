"""The board's money-in figures as SQL: when money came in on a provider's receivables
(`money_in`), how much came in a period, and the recovery rate of each ladder step.
skod/dunning/board.py's docstring defines them; this module only turns them into queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CTE, Integer, and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import aliased

from skod.dunning.models import DunningEvent, DunningStep, Receivable
from skod.extensions import db

if TYPE_CHECKING:
    from skod.dunning.board import StepRate


def money_in(provider_id: int) -> CTE:
    """(rid, at, amount): every payment on the provider's receivables, and the balance a case
    still had when it closed because its invoice was paid elsewhere (that path records no
    payment event: `receivables.invoice_paid`)."""
    mine = Receivable.provider_id == provider_id
    event = aliased(DunningEvent)
    amount = DunningEvent.data["amount"].as_integer()
    paid_before = (select(func.coalesce(func.sum(event.data["amount"].as_integer()), 0))
                   .where(event.receivable_id == Receivable.id, event.kind == "payment")
                   .scalar_subquery())
    payments = (select(DunningEvent.receivable_id.label("rid"), DunningEvent.at,
                       amount.label("amount"))
                .join(Receivable, Receivable.id == DunningEvent.receivable_id)
                .where(mine, DunningEvent.kind == "payment"))
    rest = func.greatest(Receivable.principal_minor - paid_before, 0)
    elsewhere = (select(DunningEvent.receivable_id, DunningEvent.at, rest)
                 .join(Receivable, Receivable.id == DunningEvent.receivable_id)
                 .where(mine, DunningEvent.kind == "paid",
                        DunningEvent.data["via"].as_string() == "invoice"))
    return union_all(payments, elsewhere).cte("money_in")


def money_in_between(provider_id: int, start: datetime, end: datetime) -> (
        Iterator[tuple[str, int]]):
    """currency -> money in during [start, end)."""
    paid = money_in(provider_id)
    rows = db.session.execute(
        select(Receivable.currency, func.sum(paid.c.amount))
        .join(paid, paid.c.rid == Receivable.id)
        .where(paid.c.at >= start, paid.c.at < end)
        .group_by(Receivable.currency)).all()
    return ((currency, int(amount)) for currency, amount in rows if amount)


def _windows(provider_id: int) -> CTE:
    """(rid, currency, principal, step, start_at, end_at): each step sent, from its sending
    until the next step sent for the same case (open-ended for the last); step -1 runs from
    the opening."""
    mine = Receivable.provider_id == provider_id
    sent = (select(Receivable.id.label("rid"), Receivable.currency,
                   Receivable.principal_minor.label("principal"), DunningStep.step,
                   DunningStep.sent_at.label("start_at"))
            .join(DunningStep, DunningStep.receivable_id == Receivable.id)
            .where(mine, DunningStep.status == "sent", DunningStep.sent_at.is_not(None)))
    opening = select(Receivable.id, Receivable.currency, Receivable.principal_minor,
                     literal(-1, Integer), Receivable.opened_at).where(mine)
    steps = union_all(sent, opening).cte("steps")
    return select(*steps.c, func.lead(steps.c.start_at).over(
        partition_by=steps.c.rid, order_by=steps.c.step).label("end_at")).cte("windows")


def by_step(provider_id: int) -> Iterator[tuple[str, StepRate]]:
    """(currency, StepRate) for every step that was sent at least once (and step -1)."""
    from skod.dunning.board import StepRate

    win, paid = _windows(provider_id), money_in(provider_id)
    before = func.coalesce(func.sum(case((paid.c.at < win.c.start_at, paid.c.amount))), 0)
    inside = and_(paid.c.at >= win.c.start_at,
                  or_(win.c.end_at.is_(None), paid.c.at < win.c.end_at))
    during = func.coalesce(func.sum(case((inside, paid.c.amount))), 0)
    per_case = (select(win.c.currency, win.c.step,
                       (win.c.principal - before).label("reached"), during.label("paid"))
                .outerjoin(paid, paid.c.rid == win.c.rid)
                .group_by(win.c.rid, win.c.currency, win.c.step, win.c.principal,
                          win.c.start_at, win.c.end_at)).subquery()
    rows = db.session.execute(
        select(per_case.c.currency, per_case.c.step, func.count(),
               func.sum(per_case.c.reached), func.sum(per_case.c.paid))
        .group_by(per_case.c.currency, per_case.c.step)).all()
    for currency, step, count, reached, got in rows:
        yield currency, StepRate(int(step), int(count), int(reached), int(got))
