"""When a case's step cannot be sent: the sweep goes on with the other cases, and this one is
tried again later, never twice and never skipped.

- A claimed step whose send raised (bad data, template, PDF, SMTP) keeps its claim: its row
  counts the failure and keeps the reason, the case's timeline says it, and the case comes back
  after a backoff (5 min, 30 min, 2 h, then every 6 h). From `SHOW_AFTER` failures the provider
  sees it (case page, board, dashboard) with the reason in words.
- A claimed step left unsent without a recorded failure (a worker killed between the claim and
  the send) is taken again once `STALE` has passed since its claim, under the case's row lock.
  The claim itself writes nothing for that: once per sweep, `wake_stale` looks for claims whose
  wait has passed (a partial index holds only the claimed rows) and makes their cases due, so
  the sweep's hot path costs no extra write per case.
- While a step is claimed and unsent, the ladder does not take the next one: the sweep sends
  that step again instead (`pending`, `retake`).
"""

from __future__ import annotations

import logging
import smtplib
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select, update

from skod.dunning.debts import store as recv
from skod.dunning.debts.claims import claims, withdraw
from skod.dunning.debts.models import DunningStep, Receivable
from skod.extensions import db

log = logging.getLogger(__name__)

#: a claim older than this with no send and no recorded failure: its worker died
STALE = timedelta(minutes=15)
#: the wait after the n-th failure (the last one repeats)
BACKOFF = (timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
#: failures after which the provider is shown the case
SHOW_AFTER = 3


def wait_after(failures: int) -> timedelta:
    return STALE if failures <= 0 else BACKOFF[min(failures, len(BACKOFF)) - 1]


def pending(receivable_ids: list[int]) -> dict[int, DunningStep]:
    """The claimed, unsent steps of these cases (one query per batch), but a mise en demeure
    held for the provider's approval (its draft links the row: it waits on purpose)."""
    if not receivable_ids:
        return {}
    return {row.receivable_id: row for row in db.session.scalars(select(DunningStep).where(
        DunningStep.receivable_id.in_(receivable_ids), DunningStep.status == "claimed",
        DunningStep.notice_id.is_(None)))}


def wake_stale(now: datetime) -> int:
    """Make due now the open cases whose claimed step is still unsent after its wait (the
    stale delay, or the backoff after a failure), whatever their next instant says; once per
    sweep, before its rounds. Returns how many cases it woke."""
    shortest = min(STALE, BACKOFF[0])
    rows = db.session.execute(select(
        DunningStep.receivable_id, DunningStep.claimed_at, DunningStep.failures).where(
        DunningStep.status == "claimed", DunningStep.claimed_at <= now - shortest,
        DunningStep.notice_id.is_(None)))  # a draft held for approval waits on purpose
    ids = [rid for rid, claimed_at, failures in rows
           if claimed_at + wait_after(failures) <= now]
    if not ids:
        return 0
    woken = db.session.execute(update(Receivable).where(
        Receivable.id.in_(ids), Receivable.status == "open",
        or_(Receivable.next_action_at.is_(None), Receivable.next_action_at > now))
        .values(next_action_at=now).execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return woken


def retake(receivable: Receivable, row: DunningStep, now: datetime) -> bool:
    """Under the case's row lock: True when the unsent step is to be sent again now (its
    backoff or the stale delay passed); otherwise the case comes back when it has."""
    again_at = row.claimed_at + wait_after(row.failures)
    if now >= again_at:
        row.claimed_at = now
        return True
    come_back(receivable, again_at)
    return False


def come_back(receivable: Receivable, at: datetime) -> None:
    """The sweep looks at the case again by `at` at the latest."""
    if receivable.next_action_at is None or receivable.next_action_at > at:
        receivable.next_action_at = at


def reason_of(err: BaseException) -> str:
    """The failure as stored: a kind the provider's words are chosen by, then the detail."""
    text = str(err)
    if isinstance(err, ValueError) and ("Header" in text or "linefeed" in text):
        kind = "mail_header"
    elif isinstance(err, smtplib.SMTPException | OSError):
        kind = "mail_server"
    else:
        kind = "unexpected"
    return f"{kind}: {type(err).__name__}: {text}"[:255]


def step_failed(step: int, receivable_ids: list[int], now: datetime,
                err: BaseException) -> None:
    """After the failed send's rollback: count it on each claim still open, tell the
    timeline, and bring the case back after the backoff (a case closed meanwhile is
    withdrawn as usual)."""
    reason = reason_of(err)
    try:
        for receivable, row in claims(step, receivable_ids):
            if row is None or row.status != "claimed":
                continue
            if receivable.status != "open":
                withdraw(receivable, row)
                continue
            row.failures += 1
            row.last_error = reason
            recv.record(receivable, "step_failed", now, step=step, attempt=row.failures,
                        reason=reason)
            receivable.next_action_at = now + wait_after(row.failures)
        db.session.commit()
    except Exception:  # noqa: BLE001 - the sweep goes on; the stale claim brings it back
        db.session.rollback()
        log.exception("dunning step %s of %s: the failure could not be recorded", step,
                      receivable_ids)


def claim_failed(receivable: Receivable, now: datetime, err: BaseException) -> None:
    """The claim itself raised for this case (in the sweep's careful pass, after the
    savepoint's rollback): it comes back after the first backoff, and the timeline says why."""
    receivable.next_action_at = now + BACKOFF[0]
    recv.record(receivable, "step_failed", now, step=receivable.last_step + 1, attempt=1,
                reason=reason_of(err))


def retry_failed(receivable_id: int, number: int, now: datetime, err: BaseException) -> None:
    """A smart retry raised before its outcome was known: the timeline says so; its payment
    (with its key) is reconciled like any other left without an answer."""
    try:
        receivable = recv.lock(receivable_id)
        if receivable is not None:
            recv.record(receivable, "retry_error", now, attempt=number, reason=reason_of(err))
        db.session.commit()
    except Exception:  # noqa: BLE001 - the sweep goes on
        db.session.rollback()
        log.exception("retry %s of receivable %s: the failure could not be recorded", number,
                      receivable_id)


def stuck(provider_id: int, receivable_ids: list[int] | None = None) -> dict[int, str]:
    """Receivable id -> the stored reason, for the provider's cases whose step failed
    `SHOW_AFTER` times or more and is still unsent."""
    query = (select(DunningStep.receivable_id, DunningStep.last_error)
             .join(Receivable, Receivable.id == DunningStep.receivable_id)
             .where(Receivable.provider_id == provider_id, DunningStep.status == "claimed",
                    DunningStep.failures >= SHOW_AFTER))
    if receivable_ids is not None:
        query = query.where(DunningStep.receivable_id.in_(receivable_ids))
    return {rid: error or "" for rid, error in db.session.execute(query)}


def stuck_count(provider_id: int) -> int:
    return int(db.session.scalar(
        select(func.count(DunningStep.id)).join(Receivable, Receivable.id ==
                                                DunningStep.receivable_id)
        .where(Receivable.provider_id == provider_id, DunningStep.status == "claimed",
               DunningStep.failures >= SHOW_AFTER)) or 0)
