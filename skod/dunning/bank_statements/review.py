"""The provider's review of the lines proposed by an import: accept one (the transfer is
counted on the debt chosen among the candidates) or dismiss it (left alone for good).
Services: each owns its transaction.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.core.errors import Conflict, Invalid, NotFound
from skod.dunning.bank_statements.importing import count_on
from skod.dunning.bank_statements.models import BankLine
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.store import lock
from skod.extensions import db

#: most proposals shown at once (oldest first)
SHOWN = 100


def proposals(provider_id: int) -> list[BankLine]:
    return list(db.session.scalars(select(BankLine).where(
        BankLine.provider_id == provider_id, BankLine.status == "proposed").order_by(
        BankLine.booked_on, BankLine.id).limit(SHOWN)))


def candidates(lines: list[BankLine]) -> dict[int, Receivable]:
    """The debts the proposals point to, by id."""
    ids = {i for line in lines for i in line.candidates or []}
    rows = db.session.scalars(select(Receivable).where(Receivable.id.in_(ids))) if ids else []
    return {r.id: r for r in rows}


def _proposed(line_id: int, provider_id: int) -> BankLine:
    line = db.session.get(BankLine, line_id, with_for_update=True, populate_existing=True)
    if line is None or line.provider_id != provider_id:
        db.session.rollback()
        raise NotFound("bank line not found")
    if line.status != "proposed":
        db.session.rollback()
        raise Conflict("this bank line was reviewed already", code="bank_line_decided")
    return line


def accept(line_id: int, provider_id: int, receivable_id: int, now: datetime) -> BankLine:
    """Count the line on `receivable_id`, one of its candidates, still owed."""
    line = _proposed(line_id, provider_id)
    if receivable_id not in (line.candidates or []):
        db.session.rollback()
        raise Invalid("not a debt proposed for this line", code="not_a_candidate",
                      fields={"receivable_id": ["not one of the proposed debts"]})
    receivable = lock(receivable_id)
    if receivable is None or receivable.provider_id != provider_id:  # deleted since
        db.session.rollback()
        raise NotFound("receivable not found")
    if receivable.status in CLOSED or receivable.balance_minor == 0:
        db.session.rollback()
        raise Conflict("this debt is closed already", code="receivable_closed")
    count_on(line, receivable, now, "accepted")
    return db.session.get(BankLine, line_id)


def dismiss(line_id: int, provider_id: int, now: datetime) -> BankLine:
    line = _proposed(line_id, provider_id)
    line.status, line.decided_at = "dismissed", now
    db.session.commit()
    return line
