"""One bad row never stops a periodic job: each row of a job's loop runs `isolated`, and each
job of a tick runs on its own (`run_jobs`). What fails is rolled back, logged with the job's
name and the row's id, and skipped: the next tick takes it again, the loop goes on now.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime

from skod.extensions import db

log = logging.getLogger(__name__)


@contextmanager
def isolated(job: str, row: object) -> Iterator[None]:
    """The body of one row of `job`'s loop; an exception there is rolled back and logged."""
    try:
        yield
    except Exception:  # noqa: BLE001 - one row never stops the others
        db.session.rollback()
        log.exception("%s: row %s failed, skipped until the next tick", job, row)


def run_jobs(jobs: Sequence[Callable[[datetime], int]], now: datetime) -> dict[str, int]:
    """Each job once, as of `now`; a job that raises counts -1 in the report (logged)."""
    out: dict[str, int] = {}
    for job in jobs:
        out[job.__name__] = -1
        with isolated(job.__name__, "(the whole job)"):
            out[job.__name__] = job(now)
            log.info("%s at %s: %s", job.__name__, now.isoformat(), out[job.__name__])
    return out
