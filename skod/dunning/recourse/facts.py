"""What a recourse file is made of, read from the rows: its receivables, the mises en demeure
that covered them (step 3) and the amounts owed as of a day, by the penalty engine.

Shared by the service (recourse/services.py: the route is chosen on these figures) and the ZIP
(recourse/archive.py: the summary sheet prints them). No commit here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from skod.dunning.debts.document_models import MiseEnDemeure, RecourseFile
from skod.dunning.debts.models import DunningStep, Receivable
from skod.dunning.owed import rates
from skod.dunning.owed.history import penalties_of
from skod.dunning.rules.penalties import Breakdown, RateTable, provisional_halves
from skod.extensions import db


@dataclass(frozen=True)
class Line:
    """One debt of the file as the summary prints it."""

    receivable: Receivable
    #: the day the mise en demeure was posted (a consumer's interest runs from it), or None
    posted_on: date | None
    #: None when the rate table cannot answer (the summary says the figures are missing)
    breakdown: Breakdown | None


@dataclass(frozen=True)
class Totals:
    currency: str
    principal_minor: int
    interest_minor: int
    indemnity_minor: int
    total_minor: int
    complete: bool
    #: the half-years whose rate is provisional in one of the breakdowns
    provisional: tuple[tuple[int, int], ...] = ()


def receivables_of(file: RecourseFile) -> list[Receivable]:
    return list(db.session.scalars(
        select(Receivable).join(DunningStep, DunningStep.receivable_id == Receivable.id)
        .where(DunningStep.recourse_id == file.id).order_by(Receivable.due_date, Receivable.id)))


def notices_of(receivable_ids: list[int]) -> dict[int, MiseEnDemeure]:
    """receivable id -> the mise en demeure sent for it (its step 3 row's notice)."""
    rows = db.session.execute(
        select(DunningStep.receivable_id, MiseEnDemeure)
        .join(MiseEnDemeure, MiseEnDemeure.id == DunningStep.notice_id)
        .where(DunningStep.receivable_id.in_(receivable_ids), DunningStep.step == 3,
               MiseEnDemeure.status == "sent"))
    return {receivable_id: notice for receivable_id, notice in rows}


def breakdown_of(r: Receivable, posted_on: date | None, until: date,
                 table: RateTable) -> Breakdown | None:
    """The penalty engine's figures on the balance (one invoice: one 40 EUR for a business)."""
    if r.balance_minor <= 0:
        return None
    return penalties_of(r, max(until, r.due_date), table,
                        posted_on if r.client_kind == "consumer" else None)


def lines_of(rows: list[Receivable], until: date) -> list[Line]:
    notices, table = notices_of([r.id for r in rows]), rates.table()
    lines = []
    for r in rows:
        notice = notices.get(r.id)
        posted = notice.posted_on if notice is not None else None
        lines.append(Line(r, posted, breakdown_of(r, posted, until, table)))
    return lines


def totals_of(lines: list[Line]) -> Totals:
    """The sums of the engine's figures; `complete` False when one debt has none."""
    done = [line.breakdown for line in lines if line.breakdown is not None]
    principal = sum(line.receivable.balance_minor for line in lines)
    interest = sum(b.interest_minor for b in done)
    indemnity = sum(b.indemnity_minor for b in done)
    currency = lines[0].receivable.currency if lines else "EUR"
    provisional = sorted({half for b in done for half in provisional_halves(b)})
    return Totals(currency, principal, interest, indemnity, principal + interest + indemnity,
                  complete=len(done) == len([x for x in lines if x.receivable.balance_minor]),
                  provisional=tuple(provisional))
