"""What the provider does to one of its cases, from the API or the case page: pause (until a
date, with a note), resume, write off, mark paid by transfer, send the next reminder now.

Each takes the receivable's row lock (another provider's case is "not found"), checks what
only the provider's side needs inside it (a pause on a paused case, a resume the bank or a
payment plan decides, a reminder too soon with the date it may go), then hands over, in the
same transaction, to the service of skod/dunning/debts/cases.py, which commits.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from skod.core.clock import iso
from skod.core.errors import Conflict, Invalid
from skod.dunning.debts import cases
from skod.dunning.debts import store as recv
from skod.dunning.debts.models import CLOSED, Receivable
from skod.dunning.disputes import store as disputes
from skod.dunning.rules import ladder as rules
from skod.extensions import db
from skod.invoicing.ledger import local_day

#: the furthest end date of a provider's pause
PAUSE_MAX = timedelta(days=365)
#: pauses only their cause ends: a dispute at the bank, a payment plan (accept or refuse it)
NOT_RESUMABLE = {
    "stripe_dispute": "the client's bank is deciding a dispute: the case resumes when it closes",
    "plan": "a payment plan decides this case: accept or refuse it, or wait for its end",
    "insolvency": "the client is in insolvency proceedings: declare the claim to the "
                  "administrator instead",
    "address": "the mise en demeure needs the client's postal address: fill it in on the "
               "client's page (or PATCH /api/v1/clients/<id>) and the case resumes",
}


def _refuse(error: Exception) -> None:
    db.session.rollback()  # releases the row lock
    raise error


def _owed(receivable_id: int, provider_id: int) -> Receivable:
    receivable = cases.locked(receivable_id, provider_id)
    if receivable.status in CLOSED:
        _refuse(Conflict(f"this debt is {receivable.status.replace('_', ' ')}",
                         code="receivable_closed"))
    return receivable


def pause(receivable_id: int, provider_id: int, now: datetime, until: date | None = None,
          note: str | None = None) -> Receivable:
    """Stop the reminders and retries; with `until`, they resume by themselves that day."""
    receivable = _owed(receivable_id, provider_id)
    if receivable.status == "paused":
        _refuse(Conflict("the case is paused already", code="already_paused"))
    until_at = None
    if until is not None:
        tz = receivable.provider.timezone
        today = local_day(now, tz)
        if not today < until <= today + PAUSE_MAX:
            _refuse(Invalid("the end of the pause must be within the next 365 days",
                            fields={"until": ["from tomorrow to 365 days from today"]}))
        # the start of that day where the provider lives
        until_at = datetime.combine(until, time(0), ZoneInfo(tz)).astimezone(UTC)
    return cases.pause(receivable_id, now, "provider", until=until_at, provider_id=provider_id,
                       note=note or "")


def resume(receivable_id: int, provider_id: int, now: datetime) -> Receivable:
    """The ladder goes on from the next step not yet taken."""
    receivable = _owed(receivable_id, provider_id)
    if receivable.status != "paused":
        _refuse(Conflict("the case is not paused", code="receivable_not_paused"))
    if receivable.pause_reason == "client_dispute" and disputes.undecided(receivable_id):
        _refuse(Conflict("the client disputes this debt: accept or reject the dispute",
                         code="paused_client_dispute"))
    if receivable.pause_reason in NOT_RESUMABLE:
        _refuse(Conflict(NOT_RESUMABLE[receivable.pause_reason],
                         code=f"paused_{receivable.pause_reason}"))
    if receivable.pause_reason == "provider":
        # the provider resumes before the end date it gave: the ladder goes on now
        receivable.paused_until = None
        db.session.flush()
    return cases.resume(receivable_id, now, provider_id=provider_id)


def write_off(receivable_id: int, provider_id: int, now: datetime,
              note: str | None = None) -> Receivable:
    return cases.write_off(receivable_id, now, provider_id, note)


def mark_paid(receivable_id: int, provider_id: int, now: datetime,
              amount: int | None = None) -> Receivable:
    """A transfer reached the provider: the whole balance, or `amount` of it."""
    return cases.mark_paid(receivable_id, now, provider_id, amount)


def remind(receivable_id: int, provider_id: int, now: datetime) -> int:
    """Send the next step now (same at-most-once rule as the sweep, and the minimum gap);
    the step's number. A refusal says when the next reminder may go."""
    receivable = _owed(receivable_id, provider_id)
    if receivable.status == "open":
        ladder = recv.ladder_for(provider_id)
        if rules.next_step(recv.state_of(receivable), now, ladder) is None:
            _refuse(Conflict("no further reminder is available for this debt",
                             code="ladder_end"))
        last = receivable.last_step_at
        if last is not None and now - last < ladder.min_gap:
            earliest = iso(last + ladder.min_gap)
            _refuse(Conflict(
                f"the last reminder is too recent: the next one can go from {earliest}",
                fields={"earliest": [earliest]}, code="too_soon"))
    return cases.remind_now(receivable_id, now, provider_id)
