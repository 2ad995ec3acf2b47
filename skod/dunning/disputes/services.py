"""What the provider does with a client's dispute, from the case page: answer it (a message
e-mailed to the client and kept on the timeline), accept a part (the amount owed lowered by a
credit note, the ladder resumes for the rest), accept all (a credit note for the balance, the
debt written off) or reject it with a reason (e-mailed; the ladder resumes where it paused).

Each takes the receivable's row lock and checks, inside it, that the case is still owed and
that the dispute is undecided (the answer: not answered yet), so a double submit, another tab
or a race does nothing more. Each commits, then e-mails the client.
"""

from __future__ import annotations

from datetime import datetime

from skod.core.errors import Conflict, Invalid
from skod.dunning.debts import cases, settling
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.debts.store import record
from skod.dunning.disputes import credit, notify, store
from skod.dunning.disputes.models import ClientDispute
from skod.dunning.transfers import closing as transfer_closing
from skod.extensions import db

#: the longest answer or rejection reason a provider may write
TEXT_MAX = 2000


def _refuse(error: Exception) -> None:
    db.session.rollback()  # releases the row lock
    raise error


def _text(value: str | None, field: str) -> str:
    value = (value or "").strip()
    if not 0 < len(value) <= TEXT_MAX:
        raise Invalid(f"required, at most {TEXT_MAX} characters",
                      fields={field: [f"required, at most {TEXT_MAX} characters"]})
    return value


def _undecided(receivable_id: int, provider_id: int) -> tuple[Receivable, ClientDispute]:
    """The case locked and its undecided dispute; refused on a closed case or when none."""
    receivable = cases.locked(receivable_id, provider_id)
    if receivable.status in CLOSED:
        _refuse(Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                         code="receivable_closed"))
    dispute = store.undecided(receivable_id)
    if dispute is None:
        _refuse(Conflict("this dispute is answered already", code="dispute_decided"))
    return receivable, dispute


def answer(receivable_id: int, provider_id: int, now: datetime, message: str) -> ClientDispute:
    """A message to the client; the dispute stays open (the ladder stays paused)."""
    message = _text(message, "message")
    receivable, dispute = _undecided(receivable_id, provider_id)
    if dispute.answer is not None:
        _refuse(Conflict("you answered this dispute already", code="dispute_answered"))
    dispute.answer, dispute.answered_at = message, now
    record(receivable, "dispute_answer", now, text=message, dispute_id=dispute.id)
    db.session.commit()
    notify.answered(receivable, dispute)
    return dispute


def reject(receivable_id: int, provider_id: int, now: datetime, reason: str) -> ClientDispute:
    """The debt stands: the client hears why, and the ladder resumes where it paused."""
    reason = _text(reason, "reason")
    receivable, dispute = _undecided(receivable_id, provider_id)
    dispute.outcome, dispute.decided_at, dispute.rejection = "rejected", now, reason
    record(receivable, "dispute_rejected", now, text=reason, dispute_id=dispute.id)
    _resume(receivable, now, "dispute_rejected")  # commits
    notify.rejected(receivable, dispute)
    return dispute


def accept_part(receivable_id: int, provider_id: int, now: datetime,
                amount: int) -> ClientDispute:
    """`amount` comes off what is owed, by a credit note; the rest is chased as before. The
    whole balance is the same as accepting all."""
    receivable, dispute = _undecided(receivable_id, provider_id)
    if not 0 < amount <= receivable.balance_minor:
        _refuse(Invalid("the amount must be more than 0 and at most the balance",
                        fields={"amount": ["more than 0, at most the balance"]}))
    if amount == receivable.balance_minor:
        return _accept_all(receivable, dispute, now)
    credit.check_invoice(receivable)
    receivable.principal_minor -= amount  # the credited part was never owed
    dispute.outcome, dispute.decided_at, dispute.credited_minor = "partial", now, amount
    record(receivable, "dispute_partial", now, amount=amount, dispute_id=dispute.id)
    note = credit.issue(receivable, dispute, now)  # commits with the changes above
    _resume(cases.locked(receivable_id), now, "dispute_partial")
    # the amount owed changed: an open page intent or transfer must not ask the old one
    settling.withdraw_page_intents(receivable_id, now)
    transfer_closing.follow(receivable_id)
    notify.partly_accepted(db.session.get(Receivable, receivable_id), dispute, note)
    return dispute


def accept_all(receivable_id: int, provider_id: int, now: datetime) -> ClientDispute:
    """The client is right: a credit note for the balance, the debt written off."""
    receivable, dispute = _undecided(receivable_id, provider_id)
    return _accept_all(receivable, dispute, now)


def _accept_all(receivable: Receivable, dispute: ClientDispute,
                now: datetime) -> ClientDispute:
    amount = receivable.balance_minor
    if amount:
        credit.check_invoice(receivable)
    dispute.outcome, dispute.decided_at = "accepted", now
    dispute.credited_minor = amount or None
    record(receivable, "dispute_accepted", now, amount=amount, dispute_id=dispute.id)
    settling.close(receivable, "written_off", now, note="", via="dispute")
    note = credit.issue(receivable, dispute, now) if amount else None
    db.session.commit()
    settling.withdraw_page_intents(receivable.id, now)  # its pay page must not charge it now
    notify.accepted(db.session.get(Receivable, receivable.id), dispute, note)
    return dispute


def _resume(receivable: Receivable, now: datetime, why: str) -> None:
    """The ladder goes on from the next step not taken, when the dispute held the pause
    (a pause the provider or a promise put over it stays); commits."""
    if receivable.status == "paused" and receivable.pause_reason == "client_dispute":
        cases.resume(receivable.id, now, why=why)
    else:
        db.session.commit()
