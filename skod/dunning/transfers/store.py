"""Reading a debt's transfer: what the letters, documents and pages show. Read-only, no commit;
it imports nothing above the rows, so every document may read it."""

from __future__ import annotations

from sqlalchemy import select

from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.transfers.models import TransferIntent
from skod.extensions import db


def current(receivable_id: int) -> TransferIntent | None:
    """The debt's latest transfer intent."""
    return db.session.scalar(select(TransferIntent).where(
        TransferIntent.receivable_id == receivable_id).order_by(TransferIntent.id.desc()).limit(1))


def offered(receivable_id: int) -> TransferIntent | None:
    """The transfer waiting for the client's money, with where to send it; None otherwise."""
    row = current(receivable_id)
    if row is None or row.status != "open" or not row.iban or not row.reference:
        return None
    return row


def for_invoice(invoice_id: int) -> dict | None:
    """The open transfer of the unpaid debt of this invoice, as the invoice PDF prints it
    (registered with invoicing.instructions at app creation); None otherwise."""
    for receivable in db.session.scalars(select(Receivable).where(
            Receivable.invoice_id == invoice_id).order_by(Receivable.id.desc())):
        row = offered(receivable.id) if receivable.status not in CLOSED else None
        if row is not None and receivable.balance_minor > 0:
            return {"iban": row.iban, "bic": row.bic, "holder": row.holder,
                    "reference": row.reference}
    return None
