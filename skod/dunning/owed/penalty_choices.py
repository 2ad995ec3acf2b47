"""The provider's choices about a debt's late-payment penalties: claim them or not on this debt,
waive them (kept on the timeline; a case open for them alone closes as paid), or ask for a mise
en demeure for the penalties alone. Each is a service that owns its transaction.
"""

from __future__ import annotations

from datetime import datetime

from skod.core.errors import Conflict, NotFound
from skod.dunning.debts import settling
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.owed import amounts as owing
from skod.extensions import db


def _case(receivable_id: int, provider_id: int) -> Receivable:
    receivable = recv.lock(receivable_id)
    if receivable is None or receivable.provider_id != provider_id:
        db.session.rollback()
        raise NotFound("receivable not found")
    return receivable


def waive(receivable_id: int, provider_id: int, now: datetime) -> Receivable:
    """The provider lets the penalties go: kept on the timeline; a case open for them alone
    closes as paid, an open debt now asks for its balance only."""
    receivable = _case(receivable_id, provider_id)
    if receivable.status in CLOSED:
        db.session.rollback()
        raise Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                       code="receivable_closed")
    due = owing.owed_now(receivable, now)
    receivable.claim_penalties = False
    recv.record(receivable, "penalties_waived", now, amount=due.penalties_unpaid_minor,
                interest=due.interest_minor, indemnity=due.indemnity_minor)
    closing = receivable.balance_minor == 0
    if closing:
        settling.close(receivable, "paid", now, via="waiver")
    else:
        recv.schedule(receivable, now)
    db.session.commit()
    if closing:
        settling.after_paid(receivable_id, now, "waiver")

    settling.withdraw_page_intents(receivable_id, now)  # a page intent for the old total
    return db.session.get(Receivable, receivable_id)


def choose(receivable_id: int, provider_id: int, claim: bool | None,
           now: datetime) -> Receivable:
    """The debt's own choice (None: the ladder setting). Not claiming what a letter claimed
    is a waiver, kept as one."""
    receivable = _case(receivable_id, provider_id)
    if claim is False and owing.claimed(receivable):
        db.session.rollback()
        return waive(receivable_id, provider_id, now)
    receivable.claim_penalties = claim
    recv.record(receivable, "penalties_choice", now, claim=claim)
    db.session.commit()
    return receivable


def ask_notice(receivable_id: int, provider_id: int, now: datetime) -> Receivable:
    """The provider wants a mise en demeure for the penalties alone (the ladder's step 3)."""
    receivable = _case(receivable_id, provider_id)
    if not receivable.penalties_alone or receivable.last_step >= 3 or (
            receivable.penalties_notice):
        db.session.rollback()
        raise Conflict("a formal notice for the penalties alone cannot be sent now",
                       code="no_penalties_notice")
    receivable.penalties_notice = True
    recv.record(receivable, "penalties_notice_asked", now)
    recv.schedule(receivable, now)
    db.session.commit()
    return receivable
