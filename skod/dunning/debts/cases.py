"""What people do to a case: the provider pauses, resumes, writes off, marks paid by transfer or
sends the next reminder now; the client disputes or promises a date. Each is one service that
takes the receivable's row lock, checks the state inside it, records the timeline and commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select

from skod.core.errors import Conflict, Invalid, NotFound
from skod.core.isolation import isolated
from skod.dunning.debts import notices, settling, sweep, sweep_faults
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, RECEIVABLE_STATES, Receivable
from skod.dunning.disputes import store as disputes
from skod.dunning.disputes.models import ClientDispute
from skod.dunning.owed import amounts as owing
from skod.dunning.rules.ladder import WORK_START
from skod.extensions import db

#: the latest date a client may promise to pay, from today
PROMISE_MAX = timedelta(days=30)
#: the longest reason a client may give for contesting a debt
DISPUTE_REASON_MAX = 2000


def locked(receivable_id: int, provider_id: int | None = None) -> Receivable:
    """The receivable, locked; 404 for another provider's (they do not learn it exists)."""
    receivable = recv.lock(receivable_id)
    if receivable is None or (provider_id is not None and receivable.provider_id != provider_id):
        db.session.rollback()
        raise NotFound("receivable not found")
    return receivable


def _still_owed(receivable: Receivable) -> None:
    if receivable.status in CLOSED:
        db.session.rollback()
        raise Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                       code="receivable_closed")


def pause(receivable_id: int, now: datetime, reason: str, until: datetime | None = None,
          provider_id: int | None = None, **data: object) -> Receivable:
    """Stop the ladder (and the retries) until `until`, or until resumed."""
    receivable = locked(receivable_id, provider_id)
    _still_owed(receivable)
    if receivable.status == "open":
        RECEIVABLE_STATES.move(receivable, "paused")
    receivable.pause_reason, receivable.paused_until = reason, until
    receivable.next_action_at = None
    recv.record(receivable, "pause", now, reason=reason,
                until=until.isoformat() if until else None, **data)
    db.session.commit()
    return receivable


def resume(receivable_id: int, now: datetime, provider_id: int | None = None,
           why: str = "provider") -> Receivable:
    """The ladder goes on from the next step not yet taken (never a skipped step)."""
    receivable = locked(receivable_id, provider_id)
    _still_owed(receivable)
    if receivable.status == "paused":
        RECEIVABLE_STATES.move(receivable, "open")
        receivable.pause_reason = None
        # a promise's date stays the earliest instant of the next step
        if receivable.paused_until and receivable.paused_until < now:
            receivable.paused_until = None
        recv.record(receivable, "resume", now, why=why)
        recv.schedule(receivable, now)
    db.session.commit()
    return receivable


def write_off(receivable_id: int, now: datetime, provider_id: int,
              note: str | None = None) -> Receivable:
    receivable = locked(receivable_id, provider_id)
    _still_owed(receivable)
    settling.close(receivable, "written_off", now, note=note or "")
    db.session.commit()

    settling.withdraw_page_intents(receivable_id, now)  # its pay page must not charge it now
    return db.session.get(Receivable, receivable_id)


def mark_paid(receivable_id: int, now: datetime, provider_id: int,
              amount: int | None = None) -> Receivable:
    """The provider received a transfer: all that is owed today (the balance, plus the
    penalties the case claims: owed/amounts.py), or `amount` of it (the balance first)."""
    receivable = locked(receivable_id, provider_id)
    _still_owed(receivable)
    total = owing.owed_now(receivable, now).total_minor
    amount = total if amount is None else amount
    if not 0 < amount <= total:
        db.session.rollback()
        raise Invalid("the amount must be between 0.01 and the amount owed",
                      fields={"amount_minor": ["more than the amount owed, or not positive"]})
    db.session.commit()
    return settling.settle(receivable_id, amount, now, "transfer")


def remind_now(receivable_id: int, now: datetime, provider_id: int) -> int:
    """Send the next step now, if the order and the minimum gap allow it; its step number."""
    receivable = locked(receivable_id, provider_id)
    _still_owed(receivable)
    if receivable.status != "open":
        db.session.rollback()
        raise Conflict("the case is paused: resume it first", code="receivable_paused")
    ladder = recv.ladder_for(receivable.provider_id)
    unsent = sweep_faults.pending([receivable_id]).get(receivable_id)
    if unsent is not None:  # the step the sweep could not send goes first, now
        step, unsent.claimed_at = unsent.step, now
    else:
        step = sweep.claim_step(receivable, now, ladder, force=True)
    if step is None:
        db.session.rollback()
        raise Conflict("the next reminder cannot go yet (last one too recent, or none left)",
                       code="too_soon")
    recv.schedule(receivable, now, ladder)
    db.session.commit()
    if sweep.send_alone(step, [receivable_id], now) is None:
        raise Conflict("the reminder could not be sent; it will be tried again "
                       "automatically", code="send_failed")
    return step


def promise(receivable_id: int, now: datetime, day: date | datetime) -> Receivable:
    """The client will pay on `day` (a day of the client's calendar, or an instant in it,
    from today to 30 days ahead): paused until the morning after it, when the ladder resumes
    by itself if the debt is still unpaid (resume_due)."""
    receivable = _client_may(receivable_id, ("plan", "stripe_dispute"))
    zone = ZoneInfo(receivable.client.timezone)
    if isinstance(day, datetime):
        day = day.astimezone(zone).date()
    today = now.astimezone(zone).date()
    if not today <= day <= today + PROMISE_MAX:
        raise Invalid("the date must be within the next 30 days",
                      fields={"date": ["within the next 30 days"]})
    until = datetime.combine(day + timedelta(days=1), WORK_START, zone).astimezone(UTC)
    receivable = pause(receivable_id, now, "promise", until=until, day=day.isoformat())
    # the promised day itself (noon in the client's zone) for the provider's notice
    notices.provider_told(receivable, "promise",
                         on=datetime.combine(day, time(12), zone).astimezone(UTC))
    return receivable


def client_dispute(receivable_id: int, now: datetime, reason: str) -> Receivable:
    """The client contests the debt: the case waits for the provider."""
    reason = (reason or "").strip()
    if not 0 < len(reason) <= DISPUTE_REASON_MAX:
        raise Invalid("say why, in at most 2000 characters",
                      fields={"reason": [f"required, at most {DISPUTE_REASON_MAX} characters"]})
    _client_may(receivable_id, ("plan",))
    receivable = locked(receivable_id)
    _still_owed(receivable)
    if disputes.undecided(receivable_id) is not None:  # a double submit: nothing more
        db.session.rollback()
        return receivable
    db.session.add(ClientDispute(receivable_id=receivable_id, opened_at=now, reason=reason))
    # the same transaction: pause() takes the row lock this one holds, and commits both
    receivable = pause(receivable_id, now, "client_dispute", text=reason)
    notices.provider_told(receivable, "client_dispute", reason=reason)
    return receivable


def _client_may(receivable_id: int, not_during: tuple[str, ...]) -> Receivable:
    """The receivable, unless a pause the client's action must not replace holds it (a plan
    owns its pause until it ends; a bank dispute is the bank's)."""
    receivable = db.session.get(Receivable, receivable_id)
    if receivable is None:
        raise NotFound("receivable not found")
    if receivable.status == "paused" and receivable.pause_reason in not_during:
        raise Conflict(f"the case is paused for {receivable.pause_reason}",
                       code=f"paused_{receivable.pause_reason}")
    return receivable


#: pauses with an end date that the tick ends by itself: why the ladder then resumes
DATED_PAUSES = {"promise": "promise_passed", "provider": "pause_ended"}


def resume_due(now: datetime) -> int:
    """Promises whose date passed while the debt is still unpaid, and the provider's pauses
    whose end date came: the ladder resumes."""
    rows = db.session.execute(select(Receivable.id, Receivable.pause_reason).where(
        Receivable.status == "paused", Receivable.pause_reason.in_(list(DATED_PAUSES)),
        Receivable.paused_until <= now).limit(1000)).all()
    db.session.commit()
    resumed = 0
    for receivable_id, reason in rows:
        with isolated("resume_due", receivable_id):
            try:
                resume(receivable_id, now, why=DATED_PAUSES[reason])
                resumed += 1
            except Conflict:  # paid or written off since the selection: nothing to resume
                continue
    return resumed
