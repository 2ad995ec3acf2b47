"""One tick: every periodic job of every domain, once, as of `now` (beat and `flask skod tick`)."""

from __future__ import annotations

from datetime import datetime

from skod.calls import jobs as call_jobs


def tick(now: datetime) -> dict[str, int]:
    return call_jobs.run_all(now)
