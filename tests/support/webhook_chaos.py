"""Run a test under a webhook delivery mode of the emulator and wait until its webhooks are done.

`chaos` (scripts/emulator/delivery.py): duplicates, any order, random delays, lost attempts
retried with compressed backoff. Its seed is printed (pytest shows it beside a failure) and
taken from EMULATOR_WEBHOOKS_SEED when set, so a failing run can be replayed.
"""

from __future__ import annotations

import os
import time

#: the modes a flow test runs under
MODES = ("ordered", "chaos")


def use_mode(emulator, mode: str) -> dict:
    """Switch the emulator's delivery to `mode`; prints the seed (replay it with
    EMULATOR_WEBHOOKS_SEED=<seed>)."""
    seed = os.environ.get("EMULATOR_WEBHOOKS_SEED")
    # a narrower window makes events race the app's own requests more often
    settings = {"max_delay": float(os.environ["EMULATOR_WEBHOOKS_MAX_DELAY"])} if os.environ.get(
        "EMULATOR_WEBHOOKS_MAX_DELAY") else {}
    status = emulator.webhook_mode(mode, int(seed) if seed else None, **settings)
    print(f"webhooks: mode {status['mode']}, seed {status['seed']}")
    return status


def drain(app, emulator, timeout: float = 30.0) -> dict:
    """Wait (bounded) until the emulator has no delivery left to make or retry and the app no
    stored event left to process; returns the emulator's counters. Events the app marked
    failed fail the test: a handler broke on a duplicate or on the order of arrival."""
    deadline = time.monotonic() + timeout
    while True:
        status = emulator.webhooks_status()
        waiting = _events_by_status(app)
        if status["pending"] == 0 and not waiting.keys() & {"received", "processing"}:
            break
        if time.monotonic() > deadline:
            raise TimeoutError(f"webhooks not drained after {timeout:.0f}s: emulator "
                               f"{status['pending']} pending, app {waiting}, seed "
                               f"{status['seed']}")
        time.sleep(0.05)
    failed = _failed(app)
    assert not failed, f"events failed (seed {status['seed']}): {failed}"
    return status


def _events_by_status(app) -> dict[str, int]:
    from sqlalchemy import func, select

    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    with app.app_context():
        rows = db.session.execute(select(StripeEvent.status, func.count())
                                  .group_by(StripeEvent.status)).all()
        db.session.commit()
        return dict(rows)


def _failed(app) -> list[tuple[str, str | None]]:
    from sqlalchemy import select

    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    with app.app_context():
        rows = db.session.execute(select(StripeEvent.type, StripeEvent.last_error)
                                  .where(StripeEvent.status == "failed")).all()
        db.session.commit()
        return [tuple(r) for r in rows]


def events_seen(app) -> list[tuple[str, str]]:
    """(type, status) of every stored event, in arrival order."""
    from sqlalchemy import select

    from skod.extensions import db
    from skod.webhooks.models import StripeEvent

    with app.app_context():
        rows = db.session.execute(select(StripeEvent.type, StripeEvent.status)
                                  .order_by(StripeEvent.id)).all()
        db.session.commit()
        return [tuple(r) for r in rows]
