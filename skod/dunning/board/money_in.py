"""The board's money-in figures as SQL: when money came in on a provider's receivables
(`money_in`), how much came in this month, and the recovery rate of each ladder step.
skod/dunning/board/summary.py's docstring defines them; this module only turns them into queries.

The rate is computed from the money in, never window by window: a payment belongs to the
last step sent before it (-1 when none was), and it lowers what every step sent *after* it
reached. So reached(N) = the principal of the cases that had step N sent - the payments made
on them before it went; only the provider's payments and steps are read, in two queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import CTE, Integer, case, func, literal, select, union_all
from sqlalchemy.orm import aliased

from skod.core.sql import greatest
from skod.dunning.debts.models import DunningEvent, DunningStep, Receivable
from skod.extensions import db

#: kinds of the timeline that carry money in (the partial index ix_dunning_events_money)
MONEY_KINDS = ("payment", "paid")


@dataclass
class MoneyIn:
    """Per currency: money in during the month; per (currency, step): the money in while the
    step was the last one sent, the money in before the step went (on cases that had it),
    and (cases, principal) of the cases that had it."""
    month: dict[str, int] = field(default_factory=dict)
    during: dict[tuple[str, int], int] = field(default_factory=dict)
    earlier: dict[tuple[str, int], int] = field(default_factory=dict)
    bases: dict[tuple[str, int], tuple[int, int]] = field(default_factory=dict)


def money_in(provider_id: int) -> CTE:
    """(rid, currency, at, amount): every payment on the provider's receivables, and the
    balance a case still had when it closed because its invoice was paid elsewhere (that
    path records no payment event: `settling.invoice_paid`)."""
    mine = Receivable.provider_id == provider_id
    event = aliased(DunningEvent)
    paid_before = (select(func.coalesce(func.sum(event.data["amount"].as_integer()), 0))
                   .where(event.receivable_id == Receivable.id, event.kind == "payment")
                   .scalar_subquery())
    rest = greatest(Receivable.principal_minor - paid_before, 0)
    via_invoice = DunningEvent.data["via"].as_string() == "invoice"
    amount = func.coalesce(DunningEvent.data["amount"].as_integer(), 0)
    return (select(DunningEvent.receivable_id.label("rid"), Receivable.currency,
                   DunningEvent.at, case((DunningEvent.kind == "payment", amount), else_=rest)
                   .label("amount"))
            .join(Receivable, Receivable.id == DunningEvent.receivable_id)
            .where(mine, DunningEvent.kind.in_(MONEY_KINDS),
                   (DunningEvent.kind == "payment") | via_invoice)
            .cte("money_in"))


def figures(provider_id: int, start: datetime, end: datetime) -> MoneyIn:
    """Everything the board says about money in, the month being [start, end)."""
    out, money = MoneyIn(), money_in(provider_id)
    # per payment, one probe of the (receivable, step) index for the step in force when it
    # came (a correlated subquery: the same plan as a lateral join, and SQLite knows it)
    sent = aliased(DunningStep)
    in_force = (select(func.coalesce(func.max(sent.step), -1))
                .where(sent.receivable_id == money.c.rid, sent.status == "sent",
                       sent.sent_at <= money.c.at).scalar_subquery())
    in_month = case(((money.c.at >= start) & (money.c.at < end), money.c.amount), else_=0)
    per = select(money.c.currency, money.c.amount, in_force.label("step"),
                 in_month.label("month")).cte("per")
    during = (select(literal("during"), per.c.currency, per.c.step, func.sum(per.c.amount),
                     func.sum(per.c.month))
              .group_by(per.c.currency, per.c.step))
    # a payment counts against every step sent after it: one row per (payment, later step)
    later = aliased(DunningStep)
    earlier = (select(literal("earlier"), money.c.currency, later.step,
                      func.sum(money.c.amount), literal(0))
               .select_from(money)
               .join(later, (later.receivable_id == money.c.rid) & (later.status == "sent")
                     & (later.sent_at > money.c.at))
               .group_by(money.c.currency, later.step))
    for what, currency, step, amount, month in db.session.execute(union_all(during, earlier)):
        getattr(out, what)[currency, int(step)] = int(amount)
        if month:
            out.month[currency] = out.month.get(currency, 0) + int(month)
    out.bases = _bases(provider_id)
    return out


def _bases(provider_id: int) -> dict[tuple[str, int], tuple[int, int]]:
    """(currency, step) -> (cases, their principal): every case for step -1, the cases that
    had the step sent for the others."""
    mine = Receivable.provider_id == provider_id
    rows = db.session.execute(union_all(
        select(Receivable.currency, literal(-1, Integer), func.count(),
               func.sum(Receivable.principal_minor)).where(mine)
        .group_by(Receivable.currency),
        select(Receivable.currency, DunningStep.step, func.count(),
               func.sum(Receivable.principal_minor))
        .join(DunningStep, DunningStep.receivable_id == Receivable.id)
        .where(mine, DunningStep.status == "sent", DunningStep.sent_at.is_not(None))
        .group_by(Receivable.currency, DunningStep.step))).all()
    return {(currency, int(step)): (int(n), int(total)) for currency, step, n, total in rows}
