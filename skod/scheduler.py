"""One tick: every periodic job of every domain, once, as of `now` (beat and `flask skod tick`).

The scheduler knows no domain: create_app registers each domain's `run_all` on the app
(`register`), in the order the tick runs them, and the tick walks that registry. Kept on the app,
so that creating several apps (tests) never runs a job twice.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from celery import shared_task
from flask import Flask, current_app

from skod.core.clock import utcnow
from skod.core.isolation import isolated

#: app.extensions key: job name -> the domain's run_all(now), in registration order
JOBS = "skod.jobs"

Job = Callable[[datetime], dict[str, int]]


def register(app: Flask, name: str, run_all: Job) -> None:
    """Add a domain's jobs to `app`'s tick; registering a name again replaces it in place."""
    app.extensions.setdefault(JOBS, {})[name] = run_all


def tick(now: datetime) -> dict[str, int]:
    """Each registered domain's jobs in turn; the report names every job with what it did."""
    report: dict[str, int] = {}
    for name, run_all in current_app.extensions.get(JOBS, {}).items():
        with isolated(name, "(run_all)"):  # one domain never stops the next
            report.update(run_all(now))
    return report


@shared_task(name="skod.tick")
def tick_task() -> dict[str, int]:
    """The beat's task (every SCHEDULER_INTERVAL_SECONDS)."""
    return tick(utcnow())
