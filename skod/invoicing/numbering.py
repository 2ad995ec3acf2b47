"""Gapless, chronological numbers per provider and series (the issue year).

The counter row of (provider, series) is locked FOR UPDATE inside the issuing transaction: two
issuers of one provider queue on it, each takes last + 1 and commits it with its invoice, and
a rolled-back issue rolls its number back too, so numbers have no gap and no duplicate. The
unique constraint (provider, series, sequence) on invoices is the database's second guard.
"""

from __future__ import annotations

from sqlalchemy.dialects.postgresql import insert as pg_insert

from skod.extensions import db
from skod.invoicing.models import InvoiceCounter


def format_number(series: str, sequence: int) -> str:
    return f"{series}-{sequence:06d}"


def lock_counter(provider_id: int, series: str) -> InvoiceCounter:
    """The counter row, created when missing, locked until the caller's commit or rollback."""
    if db.engine.dialect.name == "postgresql":
        db.session.execute(pg_insert(InvoiceCounter.__table__).values(
            provider_id=provider_id, series=series, last_sequence=0).on_conflict_do_nothing())
    counter = db.session.get(InvoiceCounter, (provider_id, series), with_for_update=True,
                             populate_existing=True)
    if counter is None:  # other databases (no ON CONFLICT): tests only
        counter = InvoiceCounter(provider_id=provider_id, series=series, last_sequence=0)
        db.session.add(counter)
        db.session.flush()
    return counter


def take_next(counter: InvoiceCounter) -> int:
    """The next number of a counter the caller holds locked."""
    counter.last_sequence += 1
    return counter.last_sequence
