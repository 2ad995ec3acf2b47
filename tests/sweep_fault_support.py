"""Helpers of the sweep's fault tests: debts of several providers written straight into the
database at a given step of the ladder (as data stored before a fix would be), and their
claims read back."""

from __future__ import annotations

from datetime import datetime, timedelta

from skod.dunning.debts import opening
from tests.support.dunning import setup_provider


def debt_at_step(app, client, *, email: str, name: str, last_step: int, now: datetime,
                 due_days_ago: int = 40, prov: dict | None = None) -> dict:
    """A provider (with its legal details), a business client written as is (`email`,
    `name`: no validation on the way), an invoice issued `due_days_ago` days ago and its
    receivable with steps 0..`last_step` sent ten days ago. {"provider", "receivable_id"}."""
    from skod.accounts.models import Client
    from skod.dunning.debts import store
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db
    from skod.invoicing import ledger

    prov = prov or setup_provider(app, client)
    with app.app_context():
        buyer = Client(provider_id=prov["id"], email=email, name=name, kind="business",
                       company_name=None,
                       timezone="Europe/Paris", locale="fr")
        db.session.add(buyer)
        db.session.commit()
        issued = now - timedelta(days=due_days_ago + 30)
        invoice = ledger.issue(ledger.IssueSpec(
            provider_id=prov["id"], client_id=buyer.id, source=f"test:{email}",
            lines=[("Work", 7000)], now=issued, currency="EUR"))
        invoice.due_date = (now - timedelta(days=due_days_ago)).date()
        receivable = opening.open_for_invoice(invoice, now - timedelta(days=20))
        receivable.next_retry_at = None
        sent_at = now - timedelta(days=10)
        for step in range(last_step + 1):
            db.session.add(DunningStep(receivable_id=receivable.id, step=step, status="sent",
                                       claimed_at=sent_at, sent_at=sent_at,
                                       message_id=f"<{step}.{receivable.id}@test>"))
        receivable.last_step, receivable.last_step_at = last_step, sent_at
        store.schedule(receivable, now)
        db.session.commit()
        return {"provider": prov, "receivable_id": receivable.id}


def claims_of(app, receivable_id: int) -> list[tuple[int, str, int]]:
    """(step, status, failures) of each claim of the case, in step order."""
    from skod.dunning.debts.models import DunningStep
    from skod.extensions import db

    with app.app_context():
        return [(s.step, s.status, s.failures) for s in db.session.scalars(
            db.select(DunningStep).where(DunningStep.receivable_id == receivable_id)
            .order_by(DunningStep.step))]


def events_of(app, receivable_id: int, kind: str) -> list[dict]:
    from skod.dunning.debts.models import DunningEvent
    from skod.extensions import db

    with app.app_context():
        return [e.data for e in db.session.scalars(db.select(DunningEvent).where(
            DunningEvent.receivable_id == receivable_id, DunningEvent.kind == kind)
            .order_by(DunningEvent.id))]
