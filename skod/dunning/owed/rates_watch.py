"""The operator's warning that today's half-year has no row in the rate table, or only an
unverified one: the letters then print a provisional rate. Logged by the scheduler's tick from
the first day of the half-year, once per day (a tick runs every few minutes)."""

from __future__ import annotations

import logging
from datetime import date, datetime

from skod.core.clock import local_date
from skod.dunning.owed import rates

log = logging.getLogger(__name__)

#: the half-years start on 1 January / 1 July in France
OPERATOR_TZ = "Europe/Paris"

#: the last day warned about, per process: a worker warns once a day; a `flask skod tick`
#: process runs once, so each of its runs warns (the operator is the one running it)
_warned_on: date | None = None


def check(now: datetime) -> int:
    """1 when the warning was logged by this call, else 0."""
    global _warned_on
    today = local_date(now, OPERATOR_TZ)
    if _warned_on == today:
        return 0
    gap = rates.current_gap(today)
    if gap is None:
        return 0
    _warned_on = today
    log.warning("late-payment rates: %s", gap)
    return 1


def forget() -> None:
    """Tests: the next check warns again."""
    global _warned_on
    _warned_on = None
