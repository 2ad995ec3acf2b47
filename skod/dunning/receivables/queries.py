"""Reading receivables for their provider: the list (filters, paging, next action first), one
case with its timeline, the steps taken and its payment plan, and the total still owed.

Plain data out (dicts of ids, amounts in minor units, aware UTC datetimes): the API dumps them with
skod/dunning/receivables/schemas.py, the pages put words on them
(skod/dunning/receivables/labels.py). Another provider's receivable is "not found", never
"forbidden": it must not learn it exists.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import selectinload

from skod.core.errors import NotFound
from skod.dunning.debts.models import (
    CLOSED,
    DunningEvent,
    DunningStep,
    PaymentPlan,
    Receivable,
)
from skod.dunning.owed import amounts as owing
from skod.extensions import db
from skod.invoicing.ledger import local_day

#: cases still owed: the ladder runs (open) or waits (paused)
OWED = ("open", "paused")
#: the status filters of the list: one status, or a group of them
STATUS_FILTERS: dict[str, tuple[str, ...]] = {
    "owed": OWED, "open": ("open",), "paused": ("paused",), "closed": CLOSED,
    "paid": ("paid",), "written_off": ("written_off",),
}


def owned(receivable_id: int, provider_id: int) -> Receivable:
    receivable = db.session.get(Receivable, receivable_id)
    if receivable is None or receivable.provider_id != provider_id:
        raise NotFound("receivable not found")
    return receivable


def listing(provider_id: int, status: str | None = None, step: int | None = None,
            client_id: int | None = None) -> Select:
    """The provider's receivables, the next action first (cases with none planned last);
    `client_id`: the debts of that client (one row per provider and e-mail)."""
    stmt = select(Receivable).where(Receivable.provider_id == provider_id).options(
        selectinload(Receivable.client), selectinload(Receivable.invoice),
        selectinload(Receivable.provider))
    if status:
        stmt = stmt.where(Receivable.status.in_(STATUS_FILTERS[status]))
    if step is not None:
        stmt = stmt.where(Receivable.last_step == step)
    if client_id is not None:
        stmt = stmt.where(Receivable.client_id == client_id)
    return stmt.order_by(Receivable.next_action_at.asc().nulls_last(),
                         Receivable.opened_at.desc(), Receivable.id.desc())


def page(stmt: Select, number: int, size: int) -> tuple[list[Receivable], int]:
    """One page of `stmt` and the count of all its rows."""
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    rows = db.session.scalars(stmt.offset((number - 1) * size).limit(size)).all()
    return list(rows), int(total or 0)


def next_action(receivable: Receivable) -> dict | None:
    """What the sweep will do next and when: a card retry or the next ladder step."""
    at = receivable.next_action_at
    if receivable.status != "open" or at is None:
        return None
    retry = receivable.next_retry_at
    if retry is not None and retry <= at:
        return {"kind": "retry", "step": None, "at": at, "attempt": receivable.retries_done + 1}
    return {"kind": "step", "step": receivable.last_step + 1, "at": at, "attempt": None}


def age_days(receivable: Receivable, today: date) -> int:
    """Days since the due date (until the day it closed, for a closed case)."""
    tz = receivable.provider.timezone
    until = local_day(receivable.closed_at, tz) if receivable.closed_at else today
    return (until - receivable.due_date).days


def row(receivable: Receivable, now: datetime) -> dict:
    """What the list shows of a case."""
    client = receivable.client
    invoice = receivable.invoice
    pause = None
    if receivable.status == "paused":
        pause = {"reason": receivable.pause_reason, "until": receivable.paused_until}
    return {
        "id": receivable.id, "status": receivable.status, "source": receivable.source,
        "client": {"id": client.id, "name": client.name, "email": client.email,
                   "company_name": client.company_name, "kind": client.kind},
        "invoice_id": receivable.invoice_id, "invoice_number": invoice.number if invoice else None,
        "currency": receivable.currency, "principal_minor": receivable.principal_minor,
        "paid_minor": receivable.paid_minor, "balance_minor": receivable.balance_minor,
        "client_kind": receivable.client_kind, "due_date": receivable.due_date,
        "age_days": age_days(receivable, local_day(now, receivable.provider.timezone)),
        "opened_at": receivable.opened_at, "closed_at": receivable.closed_at,
        "last_step": receivable.last_step, "last_step_at": receivable.last_step_at,
        "next_action": next_action(receivable), "pause": pause,
        **owed_fields(receivable, now),
    }


def owed_fields(receivable: Receivable, now: datetime) -> dict:
    """The penalties claimed and unpaid, and the whole breakdown as of the provider's day
    (owed/amounts.py: the pay page's and the letters' figures)."""
    due = owing.owed_now(receivable, now)
    return {"penalties_claimed_minor": due.penalties_minor,
            "penalties_unpaid_minor": due.penalties_unpaid_minor,
            "claim_penalties": receivable.claim_penalties,
            "penalties_alone": receivable.penalties_alone, "owed": due.to_dict()}


def detail(receivable: Receivable, now: datetime) -> dict:
    """The case page and GET /receivables/{id}: the row, the failure, the evidence, the
    timeline, the steps taken and the latest payment plan."""
    plan = latest_plan(receivable.id)
    return row(receivable, now) | {
        "failure": {"code": receivable.failure_code, "kind": receivable.failure_kind},
        "retries_done": receivable.retries_done, "next_retry_at": receivable.next_retry_at,
        "evidence": [{"label": str(label), "text": str(text)}
                     for label, text in (receivable.evidence or [])],
        "events": [{"at": e.at, "kind": e.kind, "data": e.data or {}}
                   for e in timeline(receivable.id)],
        "steps": [{"step": s.step, "status": s.status, "channel": s.channel,
                   "claimed_at": s.claimed_at, "sent_at": s.sent_at}
                  for s in steps(receivable.id)],
        "plan": plan_view(plan) if plan else None,
    }


def timeline(receivable_id: int) -> list[DunningEvent]:
    return list(db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id).order_by(DunningEvent.at, DunningEvent.id)))


def steps(receivable_id: int) -> list[DunningStep]:
    return list(db.session.scalars(select(DunningStep).where(
        DunningStep.receivable_id == receivable_id).order_by(DunningStep.step)))


def latest_plan(receivable_id: int) -> PaymentPlan | None:
    return db.session.scalar(select(PaymentPlan).where(
        PaymentPlan.receivable_id == receivable_id).order_by(PaymentPlan.id.desc()).limit(1))


def plan_view(plan: PaymentPlan) -> dict:
    return {"id": plan.id, "status": plan.status, "instalments": plan.instalments,
            "note": plan.note, "created_at": plan.created_at, "decided_at": plan.decided_at,
            "schedule": [{"seq": i.seq, "due_at": i.due_at, "amount_minor": i.amount_minor,
                          "status": i.status} for i in plan.schedule]}


def totals(provider_id: int) -> dict[str, int]:
    """currency -> what clients still owe the provider (open and paused cases)."""
    rows = db.session.execute(
        select(Receivable.currency,
               func.sum(Receivable.principal_minor - Receivable.paid_minor))
        .where(Receivable.provider_id == provider_id, Receivable.status.in_(OWED))
        .group_by(Receivable.currency).order_by(Receivable.currency)).all()
    return {currency: int(amount) for currency, amount in rows if amount}
