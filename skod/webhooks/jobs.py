"""Periodic jobs of webhooks: process events the queue lost, retry failed ones with backoff."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import or_, select

from skod.core.isolation import isolated
from skod.extensions import db
from skod.webhooks.models import StripeEvent
from skod.webhooks.processing import EventFailed, process

ENQUEUE_GRACE = timedelta(minutes=1)


def sweep_events(now: datetime) -> int:
    """Events stuck in `received` (the enqueue was lost) or `failed` (retry with backoff)."""
    max_attempts = current_app.config["WEBHOOK_MAX_ATTEMPTS"]
    rows = db.session.execute(select(StripeEvent.id, StripeEvent.attempts, StripeEvent.status,
                                     StripeEvent.received_at).where(or_(
        StripeEvent.status == "received",
        (StripeEvent.status == "failed") & (StripeEvent.attempts < max_attempts),
    )).order_by(StripeEvent.id).limit(500)).all()
    db.session.commit()
    done = 0
    for event_id, attempts, status, received_at in rows:
        with isolated("sweep_events", event_id):
            # backoff counted from receipt: 2, 4, 8... minutes for the successive retries
            wait = ENQUEUE_GRACE if status == "received" else timedelta(minutes=2 ** attempts)
            if received_at > now - wait:
                continue
            with contextlib.suppress(EventFailed):  # the failure is recorded on the event
                process(event_id, now)
            done += 1
    return done


def run_all(now: datetime) -> dict[str, int]:
    from skod.payments.reconcile import reconcile

    report = {"sweep_events": -1}
    with isolated("sweep_events", "(the whole job)"):
        report["sweep_events"] = sweep_events(now)
    with isolated("reconcile", "(the whole job)"):
        report.update({f"reconcile_{k}": v for k, v in reconcile(now).items()})
    return report
