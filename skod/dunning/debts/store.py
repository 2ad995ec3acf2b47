"""The floor every part of dunning stands on: a receivable found and locked, a line on its
timeline, the provider's ladder (read once per sweep), and the next action scheduled by the
ladder's rules. Opening a debt is opening.py's, settling and closing it settling.py's.

Nothing here commits: the caller's service owns the transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Hashable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from skod.accounts.models import Client
from skod.dunning.debts.models import (
    CLIENT_KINDS,
    DunningEvent,
    DunningSettings,
    DunningStep,
    Receivable,
)
from skod.dunning.rules import ladder as rules
from skod.extensions import db

log = logging.getLogger(__name__)
T = TypeVar("T")


def by_source(source: str) -> Receivable | None:
    return db.session.scalar(select(Receivable).where(Receivable.source == source))


def lock(receivable_id: int) -> Receivable | None:
    return db.session.get(Receivable, receivable_id, with_for_update=True,
                          populate_existing=True)


def record(receivable: Receivable, event: str, now: datetime, **data: object) -> None:
    """One line of the case's timeline (the caller commits)."""
    db.session.add(DunningEvent(receivable_id=receivable.id, at=now, kind=event, data=data))


def ladder_for(provider_id: int) -> rules.Ladder:
    """The provider's ladder; a stored override that no longer validates falls back to the
    default (and is logged) rather than stopping every reminder of that provider."""
    return remembered(("ladder", provider_id), lambda: _read_ladder(provider_id))


def _read_ladder(provider_id: int) -> rules.Ladder:
    gap = current_app.config["DUNNING_MIN_GAP"]
    row = db.session.get(DunningSettings, provider_id)
    try:
        return rules.settings_from(row.overrides if row else None, gap)
    except rules.SettingsError:
        log.exception("provider %s: ladder settings ignored", provider_id)
        return rules.Ladder(min_gap=gap)


#: what one sweep reads once (ladders, the rate table); None outside a sweep
_remembered: ContextVar[dict | None] = ContextVar("dunning_remembered", default=None)


@contextmanager
def remembering() -> Iterator[None]:
    """Within the block (one sweep), `remembered` reads each thing once: 10,000 steps of a
    few hundred providers read their ladders a few hundred times, not 20,000. A setting
    changed during a sweep applies from the next one."""
    token = _remembered.set({})
    try:
        yield
    finally:
        _remembered.reset(token)


def remembered(key: Hashable, read: Callable[[], T]) -> T:
    """`read()`, once per `key` inside `remembering()`; every time outside it."""
    memo = _remembered.get()
    if memo is None:
        return read()
    if key not in memo:
        memo[key] = read()
    return memo[key]


def state_of(receivable: Receivable) -> rules.CaseState:
    return rules.CaseState(
        status=receivable.status, opened_at=receivable.opened_at,
        due_date=receivable.due_date, timezone=receivable.client.timezone,
        last_step=receivable.last_step, last_step_at=receivable.last_step_at,
        paused_until=receivable.paused_until,
        held=receivable.last_step == 3 and held_for_approval(receivable.id))


def held_for_approval(receivable_id: int) -> bool:
    """Step 3 claimed and put in a mise en demeure still waiting for the provider's approval
    (mise_en_demeure/services.py): the case waits, whoever schedules it (a retry, a resume)."""
    return db.session.scalar(select(DunningStep.id).where(
        DunningStep.receivable_id == receivable_id, DunningStep.step == 3,
        DunningStep.status == "claimed", DunningStep.notice_id.is_not(None))) is not None


def schedule(receivable: Receivable, now: datetime, ladder: rules.Ladder | None = None) -> None:
    """Set `next_action_at`: the next step's instant or the next retry, whichever comes first
    (None when nothing is planned: closed, paused without a date, or the ladder's end)."""
    if receivable.status != "open":
        receivable.next_action_at = None
        return
    ladder = ladder or ladder_for(receivable.provider_id)
    planned = next_planned(receivable, now, ladder)
    moments = [m for m in (planned[1] if planned else None, receivable.next_retry_at) if m]
    receivable.next_action_at = min(moments) if moments else None


def next_planned(receivable: Receivable, now: datetime,
                 ladder: rules.Ladder) -> tuple[int, datetime] | None:
    """The ladder's next step; none after the formal step for penalties alone (no recourse
    file for them unless the provider asked for a mise en demeure: penalties_alone.py)."""
    planned = rules.next_step(state_of(receivable), now, ladder)
    if planned and planned[0] > 3 and receivable.penalties_alone and (
            not receivable.penalties_notice):
        return None
    return planned


def client_kind(client: Client) -> str:
    return client.kind if client.kind in CLIENT_KINDS else "consumer"


def on_timeline(receivable_id: int, payment_id: int, kind: str) -> bool:
    """Whether this payment's outcome is already on the case's timeline (the caller holds
    the receivable's lock, so a webhook and the synchronous answer count it once)."""
    rows = db.session.scalars(select(DunningEvent).where(
        DunningEvent.receivable_id == receivable_id, DunningEvent.kind == kind))
    return any((e.data or {}).get("payment_id") == payment_id for e in rows)


