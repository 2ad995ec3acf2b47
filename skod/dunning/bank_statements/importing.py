"""Importing a provider's bank statement: every credit line stored once (a second import of
the same file finds each key and changes nothing), matched to the open debts
(matching.py), and the sure matches settled "by transfer" with the line on the case's
timeline as evidence. Services: each owns its transaction.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from skod.accounts.models import Provider
from skod.dunning.bank_statements import matching
from skod.dunning.bank_statements.lines import StatementLine
from skod.dunning.bank_statements.models import BankLine
from skod.dunning.debts import links, settling
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.store import lock, record
from skod.extensions import db

#: what a line becomes when first matched (settled or reduced once counted on the debt)
STATUS_OF = {matching.EXACT: "matched", matching.PARTIAL: "matched",
             matching.AMBIGUOUS: "proposed", matching.UNRELATED: "unrelated"}


@dataclass
class ImportReport:
    """What one import did: lines new and already known, and each new line's status."""

    already: int = 0
    lines: list[BankLine] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)


def line_keys(lines: list[StatementLine]) -> list[str]:
    """Each line's key: the bank's id when it gives one, else a hash of what the line says and
    its rank among identical lines of the file (two equal transfers the same day are two)."""
    seen: Counter[tuple] = Counter()
    keys = []
    for line in lines:
        if line.bank_ref:
            keys.append(f"bank:{line.bank_ref}")
            continue
        what = (line.booked_on.isoformat(), line.amount_minor, line.currency, line.reference,
                line.label, line.payer)
        seen[what] += 1
        digest = hashlib.sha256(repr((*what, seen[what])).encode()).hexdigest()
        keys.append(f"hash:{digest}")
    return keys


def import_statement(provider_id: int, lines: list[StatementLine], source: str,
                     now: datetime) -> ImportReport:
    """Store the new lines, then settle the ones matched (each in its own transaction)."""
    keys = line_keys(lines)
    # one import at a time per provider: the second waits, then finds every key stored
    db.session.get(Provider, provider_id, with_for_update=True, populate_existing=True)
    known = set(db.session.scalars(select(BankLine.line_key).where(
        BankLine.provider_id == provider_id, BankLine.line_key.in_(keys))))
    debts = {d.id: d for d in open_debts(provider_id)}
    report = ImportReport(already=sum(1 for k in keys if k in known))
    for line, key in zip(lines, keys, strict=True):
        if key in known:
            continue
        known.add(key)
        found = matching.match(line.text, line.amount_minor, line.currency, list(debts.values()))
        row = BankLine(provider_id=provider_id, line_key=key, booked_on=line.booked_on,
                       amount_minor=line.amount_minor, currency=line.currency,
                       reference=line.reference, label=line.label, payer=line.payer,
                       bank_ref=line.bank_ref, source=source, status=STATUS_OF[found.outcome],
                       receivable_id=found.receivable_id, candidates=list(found.candidates),
                       imported_at=now)
        db.session.add(row)
        report.lines.append(row)
        if row.status == "matched":  # a second line of the file sees what this one left
            debt = debts[found.receivable_id]
            debts[debt.id] = replace(debt, balance_minor=debt.balance_minor - line.amount_minor)
    db.session.commit()
    settle_matched(provider_id, now)
    for row in report.lines:
        db.session.refresh(row)
    return report


def open_debts(provider_id: int) -> list[matching.OpenDebt]:
    """The provider's debts still owed, with what a client may write for each."""
    rows = db.session.scalars(select(Receivable).where(
        Receivable.provider_id == provider_id, Receivable.status.not_in(CLOSED)).options(
        selectinload(Receivable.invoice)))
    return [matching.OpenDebt(
        id=r.id, currency=r.currency, balance_minor=r.balance_minor,
        references=tuple(ref for ref in (r.invoice.number if r.invoice else None,
                                         links.transfer_reference(r)) if ref))
        for r in rows if r.balance_minor > 0]


def settle_matched(provider_id: int, now: datetime) -> None:
    """Count each matched line on its debt (a line left matched by an import that stopped
    half-way is counted by the next import)."""
    ids = db.session.scalars(select(BankLine.id).where(
        BankLine.provider_id == provider_id, BankLine.status == "matched").order_by(
        BankLine.id)).all()
    db.session.commit()
    for line_id in ids:
        settle_line(line_id, now)


def settle_line(line_id: int, now: datetime) -> None:
    """One matched line counted on its debt, under the line's and the debt's locks: the line's
    new status, the evidence on the timeline and the payment commit together (settle's
    commit). A debt paid meanwhile below the amount makes it a proposal instead."""
    line = db.session.get(BankLine, line_id, with_for_update=True, populate_existing=True)
    if line is None or line.status != "matched":
        db.session.commit()
        return
    receivable = lock(line.receivable_id) if line.receivable_id else None
    if (receivable is None or receivable.status in CLOSED
            or receivable.currency != line.currency
            or not 0 < line.amount_minor <= receivable.balance_minor):
        line.status = "proposed"
        db.session.commit()
        return
    count_on(line, receivable, now, "settled" if line.amount_minor == receivable.balance_minor
             else "reduced")


def count_on(line: BankLine, receivable: Receivable, now: datetime, status: str) -> None:
    """The line counted on the locked `receivable` (the caller holds both locks)."""
    line.status, line.receivable_id, line.decided_at = status, receivable.id, now
    record(receivable, "bank_line", now, **line.evidence())
    settling.settle(receivable.id, line.amount_minor, now, "transfer", bank_line_id=line.id)
