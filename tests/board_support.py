"""Hand-made rows for the receivables board's tests: receivables in any state, step and age,
the steps sent and the money that came in, written straight through the models (the board
only reads them; how they are made elsewhere is tested elsewhere)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from itertools import count
from zoneinfo import ZoneInfo

from skod.dunning.debts.models import DunningEvent, DunningStep, Receivable
from skod.extensions import db

PARIS = ZoneInfo("Europe/Paris")

_seq = count(1)


@dataclass
class Debt:
    currency: str
    status: str
    last_step: int
    principal: int
    paid: int = 0
    #: days past the due date as of the test's day (negative: not yet due)
    days_late: int = 0
    closed_at: datetime | None = None
    #: (instant, amount) of each payment event; (instant, None) closes it via the invoice
    payments: list[tuple[datetime, int | None]] = field(default_factory=list)
    #: step -> sent_at (status sent); a None instant makes a withdrawn step
    steps: dict[int, datetime | None] = field(default_factory=dict)
    opened_at: datetime | None = None
    id: int | None = None


def add(provider_id: int, client_id: int, debt: Debt, today: date, now: datetime) -> Debt:
    """Insert `debt` with its steps and timeline (the caller is inside an app context)."""
    r = Receivable(
        provider_id=provider_id, client_id=client_id, source=f"board-test:{next(_seq)}",
        currency=debt.currency, principal_minor=debt.principal, paid_minor=debt.paid,
        client_kind="business", due_date=today - timedelta(days=debt.days_late),
        status=debt.status, last_step=debt.last_step, closed_at=debt.closed_at,
        opened_at=debt.opened_at or now - timedelta(days=max(debt.days_late, 0) + 1))
    db.session.add(r)
    db.session.flush()
    for step, sent_at in debt.steps.items():
        db.session.add(DunningStep(
            receivable_id=r.id, step=step, claimed_at=sent_at or r.opened_at, sent_at=sent_at,
            status="sent" if sent_at else "withdrawn"))
    for at, amount in debt.payments:
        if amount is None:  # settling.invoice_paid: closed with no payment event
            db.session.add(DunningEvent(receivable_id=r.id, at=at, kind="paid",
                                        data={"via": "invoice"}))
        else:
            db.session.add(DunningEvent(receivable_id=r.id, at=at, kind="payment",
                                        data={"amount": amount, "via": "card"}))
    if debt.status == "paid" and debt.payments and debt.payments[-1][1] is not None:
        # settling.settle: the closing payment also writes "paid" (never counted twice)
        db.session.add(DunningEvent(receivable_id=r.id, at=debt.payments[-1][0], kind="paid",
                                    data={"via": "card"}))
    db.session.commit()
    debt.id = r.id
    return debt


def seed(app, pid: int, now: datetime, debts: list[Debt]) -> None:  # noqa: ANN001 - the app
    """The debts for provider `pid`, all of one client, as of `now` (Paris day)."""
    from tests.invoice_support import make_client

    with app.app_context():
        cid = make_client(pid)
        for debt in debts:
            add(pid, cid, debt, now.astimezone(PARIS).date(), now)
