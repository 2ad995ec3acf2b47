"""The money owed on the provider's dashboard: the total still owed and what happened to the
debts since the provider's last visit (payments recovered, reminders sent, new debts, and what
clients asked: disputes, promises, payment plans).

`visit` is the one writer: it moves `providers.dunning_seen_at` to `now` and returns the
previous visit, so a reload shows only what happened in between.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from skod.accounts.models import Provider
from skod.dunning.debts.models import DunningEvent, DunningStep, PaymentPlan, Receivable
from skod.dunning.receivables.queries import totals
from skod.extensions import db

__all__ = ["since", "totals", "visit"]


def visit(provider_id: int, now: datetime) -> datetime:
    """Record this visit; the instant "since your last visit" counts from (the sign-up for
    a first visit)."""
    provider = db.session.get(Provider, provider_id, with_for_update=True,
                               populate_existing=True)
    previous = provider.dunning_seen_at or provider.created_at
    provider.dunning_seen_at = max(now, previous)
    db.session.commit()
    return previous


def since(provider_id: int, moment: datetime) -> dict:
    """What happened to the provider's debts after `moment`: counts, and the amounts
    recovered per currency."""
    mine = Receivable.provider_id == provider_id
    recovered = db.session.execute(
        select(Receivable.currency, func.count(DunningEvent.id),
               func.sum(DunningEvent.data["amount"].as_integer()))
        .join(Receivable, Receivable.id == DunningEvent.receivable_id)
        .where(mine, DunningEvent.kind == "payment", DunningEvent.at > moment)
        .group_by(Receivable.currency).order_by(Receivable.currency)).all()
    sent = db.session.scalar(
        select(func.count(DunningStep.id)).join(Receivable, Receivable.id ==
                                                DunningStep.receivable_id)
        .where(mine, DunningStep.status == "sent", DunningStep.sent_at > moment))
    opened = db.session.scalar(select(func.count(Receivable.id)).where(
        mine, Receivable.opened_at > moment))
    reason = DunningEvent.data["reason"].as_string()
    pauses = db.session.execute(
        select(func.count(DunningEvent.id).filter(reason == "client_dispute"),
               func.count(DunningEvent.id).filter(reason == "promise"))
        .join(Receivable, Receivable.id == DunningEvent.receivable_id)
        .where(mine, DunningEvent.kind == "pause", DunningEvent.at > moment)).one()
    plans = db.session.scalar(
        select(func.count(PaymentPlan.id)).join(Receivable, Receivable.id ==
                                                PaymentPlan.receivable_id)
        .where(mine, PaymentPlan.created_at > moment))
    return {
        "payments": sum(count for _currency, count, _amount in recovered),
        "recovered": {currency: int(amount or 0) for currency, _count, amount in recovered},
        "reminders": int(sent or 0), "new_debts": int(opened or 0),
        "disputes": int(pauses[0] or 0), "promises": int(pauses[1] or 0),
        "plans": int(plans or 0),
    }
