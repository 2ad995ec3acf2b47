"""The dunning sweep (Celery beat through `skod tick`): every due case takes its next step or
its smart retry, at most once, even with several workers sweeping at the same time.

Two phases per batch. The claim runs in one transaction over rows selected by the indexed
`next_action_at` with FOR UPDATE SKIP LOCKED (a second worker takes other rows): each due step
gets its unique (receivable, step) row and each due retry its number, and the case's plan moves
on before the commit. Then the e-mails go (one per client, provider and step, listing every
invoice of that step; one short transaction each, over that e-mail's cases only) and the cards
are charged. A case paid or paused between the claim and the send gets no e-mail: its claim is
withdrawn.

Each case is on its own (sweep_faults.py): a step whose send raises is rolled back alone,
counted on its claim and tried again after a backoff; a claim left unsent by a dead worker is
taken again; the ladder never takes a step while the one before is claimed and unsent.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import selectinload

from skod.dunning.debts import retries, sweep_faults
from skod.dunning.debts import store as recv
from skod.dunning.debts.claims import claims, withdraw
from skod.dunning.debts.models import DunningStep, Receivable
from skod.dunning.mise_en_demeure import services as mise_en_demeure
from skod.dunning.recourse import services as recourse
from skod.dunning.reminders import notify
from skod.dunning.rules import ladder as rules
from skod.dunning.transfers import services as transfers
from skod.extensions import db

log = logging.getLogger(__name__)

#: the insert that can skip a row already there, per database (SQLite runs the local demo)
INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
#: a sweep never loops for ever: a row still due after its turn waits for the next tick
MAX_ROUNDS = 10_000
#: the steps whose letter offers a transfer to the client's virtual IBAN: the notice at failure,
#: the friendly and the formal reminder, the mise en demeure
TRANSFER_STEPS = (0, 1, 2, 3)


@dataclass
class Claimed:
    #: (provider_id, client e-mail, step) -> receivable ids whose step was claimed (one e-mail
    #: per client and provider: the e-mail address is the person)
    emails: dict[tuple[int, str, int], list[int]] = field(default_factory=lambda: (
        defaultdict(list)))
    #: (receivable id, retry number)
    retries: list[tuple[int, int]] = field(default_factory=list)
    #: receivables whose step was claimed fresh (not taken again): their next instant, set at
    #: the claim, stays as it is once the step is sent
    fresh: set[int] = field(default_factory=set)
    seen: int = 0


def sweep(now: datetime, batch: int | None = None) -> dict[str, int]:
    """Claim and act on every case due at `now`, batch after batch."""
    batch = batch or current_app.config["DUNNING_BATCH"]
    report = {"dunning_steps": 0, "dunning_emails": 0, "dunning_retries": 0}
    _wake_stale(now)
    with recv.remembering():
        _rounds(now, batch, report)
    return report


def _rounds(now: datetime, batch: int, report: dict[str, int]) -> None:
    for _ in range(MAX_ROUNDS):
        claimed = claim_batch(now, batch)
        # the card first: a retry that pays closes the case, and its claimed step is then
        # withdrawn, so the client never reads "payment failed" minutes before "paid"
        for receivable_id, number in claimed.retries:
            if _retry_alone(receivable_id, number, now):
                report["dunning_retries"] += 1
        for (_provider, _client, step), ids in claimed.emails.items():
            sent = send_alone(step, ids, now, claimed.fresh) or 0
            report["dunning_steps"] += sent
            report["dunning_emails"] += 1 if sent else 0
        if claimed.seen < batch:
            break


def _wake_stale(now: datetime) -> None:
    """Claims left unsent by a dead worker or a failed send come back (their cases made due);
    should the look itself fail, the sweep still runs and the next one looks again."""
    try:
        sweep_faults.wake_stale(now)
    except Exception:  # noqa: BLE001 - never a reason to skip the due cases
        db.session.rollback()
        log.exception("dunning sweep: the look for unsent claims failed")


def _retry_alone(receivable_id: int, number: int, now: datetime) -> bool:
    """One case's retry; whatever it raises stays with that case."""
    try:
        retries.send(receivable_id, number, now)
    except Exception as err:  # noqa: BLE001 - one case never stops the others
        db.session.rollback()
        log.exception("dunning retry %s of receivable %s failed", number, receivable_id)
        sweep_faults.retry_failed(receivable_id, number, now, err)
        return False
    return True


def send_alone(step: int, ids: list[int], now: datetime,
               fresh: set[int] | None = None) -> int | None:
    """One e-mail's cases; a failure rolls them back alone and is counted on their claims
    (None: it failed). The letter gives the client's virtual IBAN: the transfer is offered
    first (a Stripe failure is logged and the letter goes with the provider's bank details)."""
    if step in TRANSFER_STEPS:
        transfers.offer_all(ids, now)
    try:
        return send_step(step, ids, now, fresh)
    except Exception as err:  # noqa: BLE001 - one case never stops the others
        db.session.rollback()
        log.exception("dunning step %s of receivables %s failed", step, ids)
        sweep_faults.step_failed(step, ids, now, err)
        return None


def due_cases(now: datetime, batch: int) -> list[Receivable]:
    """Due open cases, oldest first, locked in one query, skipping rows another sweep holds
    (their clients come in a second query, for the grouping by e-mail address)."""
    return list(db.session.scalars(due_query(now, batch)))


def due_query(now: datetime, batch: int) -> Select:
    """The selection of `due_cases` (bench/dunning_sweep.py prints its plan): the partial
    index ix_receivables_due answers it, in next_action_at order, without a sort."""
    return (select(Receivable)
            .where(Receivable.status == "open", Receivable.next_action_at.is_not(None),
                   Receivable.next_action_at <= now)
            .order_by(Receivable.next_action_at).limit(batch)
            .with_for_update(skip_locked=True, of=Receivable)
            .options(selectinload(Receivable.client))
            .execution_options(populate_existing=True))


def claim_batch(now: datetime, batch: int) -> Claimed:
    """Claim the due cases in one transaction; should one case raise, the batch is claimed
    again case by case under savepoints, the bad case set aside for a later tick."""
    try:
        return _claim(now, batch, careful=False)
    except Exception:  # noqa: BLE001 - the careful pass finds the case and sets it aside
        db.session.rollback()
        log.exception("dunning claim failed: claiming case by case")
        return _claim(now, batch, careful=True)


def _claim(now: datetime, batch: int, careful: bool) -> Claimed:
    claimed = Claimed()
    rows = due_cases(now, batch)
    claimed.seen = len(rows)
    unsent = sweep_faults.pending([r.id for r in rows])
    for receivable in rows:
        if not careful:
            _claim_case(receivable, unsent.get(receivable.id), now, claimed)
            continue
        try:
            with db.session.begin_nested():
                _claim_case(receivable, unsent.get(receivable.id), now, claimed)
        except Exception as err:  # noqa: BLE001 - this case waits, the others go on
            log.exception("dunning claim of receivable %s failed", receivable.id)
            db.session.refresh(receivable)
            sweep_faults.claim_failed(receivable, now, err)
    db.session.commit()
    return claimed


def _claim_case(receivable: Receivable, unsent: DunningStep | None, now: datetime,
                claimed: Claimed) -> None:
    """Under the row lock: the due retry, then the due step (or the claimed step still
    unsent, never the one after it); the case's next instant."""
    ladder = recv.ladder_for(receivable.provider_id)  # read once per sweep (remembering)
    number = retries.claim(receivable, now, ladder)
    if number is not None:
        claimed.retries.append((receivable.id, number))
    if unsent is not None:
        step = unsent.step if sweep_faults.retake(receivable, unsent, now) else None
    else:
        step = claim_step(receivable, now, ladder)
    if step is not None:
        key = (receivable.provider_id, receivable.client.email.lower(), step)
        claimed.emails[key].append(receivable.id)
    recv.schedule(receivable, now, ladder)
    if receivable.next_action_at is not None and receivable.next_action_at <= now and (
            number is None and step is None):
        receivable.next_action_at = None  # nothing to do after all: never a busy loop
    # a worker dying before the send leaves the claim: a later sweep's wake_stale finds it
    if unsent is not None and step is None:
        sweep_faults.come_back(receivable, unsent.claimed_at + sweep_faults.wait_after(
            unsent.failures))
    elif step is not None and unsent is None:
        claimed.fresh.add(receivable.id)


def claim_step(receivable: Receivable, now: datetime, ladder: rules.Ladder,
               force: bool = False) -> int | None:
    """Under the row lock: record the next step as taken when it is due (or `force`d by the
    provider's "remind now", which still keeps the order and the minimum gap)."""
    planned = recv.next_planned(receivable, now, ladder)
    if planned is None:
        return None
    step, when = planned
    if when > now and not (force and _gap_kept(receivable, now, ladder)):
        return None
    if not _insert_once(receivable_id=receivable.id, step=step, claimed_at=now,
                        status="claimed", channel=ladder.step(step).channel):
        return None  # taken already: the unique pair says so
    receivable.last_step, receivable.last_step_at = step, now
    return step


def _insert_once(**values: object) -> bool:
    """Insert the DunningStep row unless its (receivable, step) pair exists: one statement
    (ON CONFLICT DO NOTHING), not a savepoint, an insert and its release per case; a
    concurrent claim of the same pair waits for the other transaction, then inserts nothing."""
    connection = db.session.connection()
    insert = INSERTS[connection.dialect.name]
    result = connection.execute(insert(DunningStep).values(**values).on_conflict_do_nothing(
        index_elements=["receivable_id", "step"]).returning(DunningStep.id))
    return result.first() is not None


def _gap_kept(receivable: Receivable, now: datetime, ladder: rules.Ladder) -> bool:
    last = receivable.last_step_at
    return last is None or now - last >= ladder.min_gap


def send_step(step: int, receivable_ids: list[int], now: datetime,
              fresh: set[int] | None = None) -> int:
    """Send the claimed step to the client for the cases still open; a case paid or paused
    since the claim gets its claim withdrawn. Returns how many steps were sent."""
    live = []
    # one transaction per e-mail (not two per case): the cases stay locked while the e-mail
    # is queued, so a payment landing meanwhile waits a few milliseconds and then closes it
    for receivable, row in claims(step, receivable_ids):
        if receivable.status != "open":
            withdraw(receivable, row)
        elif row is not None and row.status == "claimed":
            live.append((receivable, row))
    # penalties alone: the formal step goes as an e-mail saying what remains (penalties_alone)
    mailed = [pair for pair in live if step == 3 and pair[0].penalties_alone
              and not pair[0].penalties_notice]
    formal = [pair for pair in live if pair not in mailed] if step in (3, 4) else []
    done = 0
    if formal:  # the letter, the recourse file: senders of their own
        # each schedules its cases (a held draft waits for the provider) and commits
        done = (mise_en_demeure.dispatch if step == 3 else recourse.take_step)(formal, now)
        if not mailed:
            return done
        live = mailed
    if live:
        message_id = notify.send_step(step, [receivable.id for receivable, _row in live], now)
        for receivable, row in live:
            row.status, row.sent_at, row.message_id = "sent", now, message_id
            if receivable.last_step_at != now:  # a step sent late: the next gap counts
                receivable.last_step_at = now  # from here (an equal value would still make
                # the case dirty, and its flush costs ~6 % of the sweep for nothing)
            recv.record(receivable, "step", now, step=step, message_id=message_id)
    _reschedule(live, now, fresh or set())
    return len(live) + done


def _reschedule(live: list[tuple[Receivable, DunningStep]], now: datetime,
                fresh: set[int]) -> None:
    """Sent: a step claimed fresh in this sweep keeps the next instant its claim set (its
    last_step_at is already `now`, and a retry's outcome reschedules by itself); a step taken
    again was sent late, so the next gap counts from now and the schedule is worked out again."""
    for receivable, _row in live:
        if receivable.id not in fresh:
            recv.schedule(receivable, now)
    db.session.commit()


