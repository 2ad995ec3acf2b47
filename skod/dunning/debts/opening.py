"""Opening a debt: a receivable when delivered value goes unpaid (a payment failed for good, or
an invoice still unpaid after its due date), linked to its invoice and put on the ladder.

`open_for_payment` runs inside the domain's own transaction (the failure and the debt are one
fact) and never commits. A receivable is unique per source, so a webhook, a retried job and
the sweep opening the same debt at once end with one row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.exc import IntegrityError

from skod.accounts.models import Client
from skod.dunning.debts import retries
from skod.dunning.debts.models import Receivable
from skod.dunning.debts.store import by_source, client_kind, lock, record, schedule
from skod.extensions import db
from skod.invoicing import ledger
from skod.invoicing.models import Invoice
from skod.payments import cards, hooks
from skod.payments.models import Payment


def open_for_payment(payment: Payment, source: str, amount: int, now: datetime) -> (
        Receivable | None):
    """In the caller's transaction: the debt left by `payment`'s failure for good on delivered
    value `source` (the invoice's source). Idempotent on the source; no commit."""
    if amount <= 0:
        return None
    existing = by_source(source)
    if existing is not None:
        return existing
    client = db.session.get(Client, payment.client_id)
    receivable = Receivable(
        provider_id=payment.provider_id, client_id=payment.client_id, source=source,
        currency=payment.currency, principal_minor=amount, client_kind=client_kind(client),
        due_date=ledger.local_day(now, client.timezone), status="open", opened_at=now,
        payment_id=payment.id, failure_code=payment.last_error_code,
        failure_kind=payment.last_error_kind,
        stripe_payment_method_id=payment.stripe_payment_method_id,
        stripe_customer_id=cards.payment_customer(payment),
        evidence=[list(pair) for pair in hooks.evidence(payment)])
    return _insert(receivable, now)


def open_for_invoice(invoice: Invoice, now: datetime, payment: Payment | None = None) -> (
        Receivable | None):
    """The sweep's net: an invoice still unpaid after its due date gets its receivable."""
    if by_source(invoice.source) is not None:
        return None
    receivable = Receivable(
        provider_id=invoice.provider_id, client_id=invoice.client_id, source=invoice.source,
        invoice_id=invoice.id, currency=invoice.currency, principal_minor=invoice.ttc_minor,
        client_kind=client_kind(invoice.client), due_date=invoice.due_date, status="open",
        opened_at=now, payment_id=payment.id if payment else None,
        failure_code=payment.last_error_code if payment else None,
        failure_kind=payment.last_error_kind if payment else None,
        stripe_payment_method_id=payment.stripe_payment_method_id if payment else None,
        stripe_customer_id=cards.payment_customer(payment) if payment else None,
        evidence=[list(pair) for pair in hooks.evidence(payment)] if payment else [])
    return _insert(receivable, now)


def _insert(receivable: Receivable, now: datetime) -> Receivable:
    """Insert under a savepoint: a concurrent opener of the same source wins cleanly."""
    invoice = ledger.by_source(receivable.source)
    if invoice is not None and receivable.invoice_id is None:
        receivable.invoice_id, receivable.due_date = invoice.id, invoice.due_date
    try:
        with db.session.begin_nested():
            db.session.add(receivable)
            db.session.flush()
    except IntegrityError:
        return by_source(receivable.source)
    retries.plan_first(receivable)
    record(receivable, "opened", now, amount=receivable.principal_minor,
           code=receivable.failure_code, kind=receivable.failure_kind)
    schedule(receivable, now)
    return receivable


def link_invoice(invoice_id: int, now: datetime) -> None:
    """An invoice was issued: its receivable (if any) takes its id and its due date."""
    invoice = db.session.get(Invoice, invoice_id)
    receivable = by_source(invoice.source) if invoice else None
    if receivable is None or receivable.invoice_id is not None:
        return
    receivable = lock(receivable.id)
    receivable.invoice_id, receivable.due_date = invoice.id, invoice.due_date
    schedule(receivable, now)
    db.session.commit()
