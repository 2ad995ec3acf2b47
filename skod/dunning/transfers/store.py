"""Reading a debt's transfer: what the letters, documents and pages show. Read-only, no commit;
it imports nothing above the rows, so every document may read it."""

from __future__ import annotations

from sqlalchemy import select

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
