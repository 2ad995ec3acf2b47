"""How dunning hears of the rest: invoices issued and paid (invoicing's listeners), recovery
payments changed by a webhook or reconciliation, disputes opened and closed (payments' hooks)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from skod.accounts.models import Client
from skod.core.errors import Conflict
from skod.dunning.debts import cases, opening, retries, settling, store
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.transfers import store as transfers
from skod.extensions import db
from skod.invoicing import instructions, issuing, ledger
from skod.payments import hooks
from skod.payments.models import Payment


def recovery_changed(payment: Payment, now: datetime) -> None:
    retries.after_attempt(payment.id, now)


def dispute_seen(dispute_id: int, change: str, now: datetime) -> None:
    """While a client disputes one of their payments with their bank, no reminder goes to
    them for that provider: their open cases pause (an automatic chase beside a chargeback
    reads as pressure, and the provider decides). Closed, the cases it paused go on; lost,
    the amount taken back is a debt of its own, which stays owed while the provider appeals
    (the funds are still withdrawn) and is settled if the appeal is won."""
    from skod.payments.disputes import Dispute

    dispute = db.session.get(Dispute, dispute_id)
    payment = db.session.get(Payment, dispute.payment_id)
    if change == "opened":
        for case_id in _cases_of(payment, "open"):
            try:
                cases.pause(case_id, now, "stripe_dispute", dispute_id=dispute_id)
            except Conflict:  # closed since the selection
                continue
    if change == "appeal":  # still withdrawn: still owed (opened here if its loss was missed)
        open_for_lost(dispute, payment, now)
        return
    if change != "closed":
        return
    for case_id in _cases_of(payment, "paused"):
        case = db.session.get(Receivable, case_id)
        if case.pause_reason == "stripe_dispute":
            try:
                cases.resume(case_id, now, why="dispute_closed")
            except Conflict:
                continue
    if dispute.status == "lost":
        open_for_lost(dispute, payment, now)
    elif dispute.status == "won":
        _recovered_on_appeal(dispute, now)


def _cases_of(payment: Payment, status: str) -> list[int]:
    """The cases of the person who paid (same e-mail, with this provider)."""
    email = db.session.get(Client, payment.client_id).email.lower()
    return list(db.session.scalars(select(Receivable.id).join(Client).where(
        Receivable.provider_id == payment.provider_id, func.lower(Client.email) == email,
        Receivable.status == status)))


def open_for_lost(dispute, payment: Payment, now: datetime) -> None:  # noqa: ANN001
    """The bank took the money back: the client owes it again, chased like any debt, with
    the disputed payment's invoice as its document (also a SEPA debit returned after
    delivery: projects.sync)."""
    receivable = opening.open_for_payment(payment, f"dispute:{dispute.id}",
                                              dispute.amount_minor, now)
    if receivable is not None:
        invoice = issuing.invoice_of_payment(payment) if payment.receivable_id is None else (
            db.session.get(Receivable, payment.receivable_id).invoice)
        if invoice is not None:
            receivable.invoice_id = invoice.id
        receivable.failure_code, receivable.failure_kind = "dispute_lost", "dispute"
        receivable.next_retry_at = None  # never retry a card whose holder disputed
        store.schedule(receivable, now)
    db.session.commit()


def _recovered_on_appeal(dispute, now: datetime) -> None:  # noqa: ANN001
    """Won on appeal: the bank gave the funds back, so the debt its loss opened is settled."""
    debt = store.by_source(f"dispute:{dispute.id}")
    if debt is not None and debt.status not in CLOSED:
        settling.close(store.lock(debt.id), "paid", now, via="dispute_won_on_appeal")
    db.session.commit()


def invoice_issued(invoice_id: int, now: datetime) -> None:
    opening.link_invoice(invoice_id, now)


def invoice_paid(invoice_id: int, now: datetime) -> None:
    settling.invoice_paid(invoice_id, now)


def register() -> None:
    hooks.on_change("receivable_id", recovery_changed)
    hooks.on_dispute(dispute_seen)
    ledger.on_issued(invoice_issued)
    ledger.on_paid(invoice_paid)
    instructions.provide(transfers.for_invoice)  # the unpaid invoice's PDF: how to transfer

