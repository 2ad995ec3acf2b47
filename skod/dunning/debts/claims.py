"""A ladder step's claim on a case: the cases of a step locked and read with their claim, and
a claimed step withdrawn when it cannot go (the case closed or paused since). Shared by the
sweep, its fault handling and the mise en demeure's approval, so each takes the same locks in
the same order and gives a paused case its step back the same way.
"""

from __future__ import annotations

from sqlalchemy import select

from skod.dunning.debts.models import DunningStep, Receivable
from skod.extensions import db


def claims(step: int, receivable_ids: list[int]) -> list[tuple[Receivable, DunningStep | None]]:
    """The cases, locked (in id order: two sweeps never wait on each other in a circle) and
    read afresh, each with its claim of `step` (None when there is none)."""
    claim = (DunningStep.receivable_id == Receivable.id) & (DunningStep.step == step)
    return [tuple(pair) for pair in db.session.execute(
        select(Receivable, DunningStep).outerjoin(DunningStep, claim)
        .where(Receivable.id.in_(receivable_ids)).order_by(Receivable.id)
        .with_for_update(of=Receivable).execution_options(populate_existing=True))]


def step_row(receivable_id: int, step: int) -> DunningStep | None:
    return db.session.scalar(select(DunningStep).where(
        DunningStep.receivable_id == receivable_id, DunningStep.step == step))


def withdraw(receivable: Receivable, row: DunningStep | None) -> None:
    """Not sent: the case closed or paused after the claim. A paused case gets the step back
    (a step is never skipped); a closed one keeps the record that nothing went out."""
    if row is None or row.status != "claimed":
        return
    if receivable.status == "paused":
        previous = step_row(receivable.id, row.step - 1)
        receivable.last_step = row.step - 1
        receivable.last_step_at = previous.sent_at if previous else None
        db.session.delete(row)
    else:
        row.status = "withdrawn"
