"""Celery tasks: process one stored Stripe event (retried with backoff), or drain every event
waiting in `received` (the intake's coalesced wake-up)."""

from __future__ import annotations

import contextlib

from celery import shared_task
from sqlalchemy import select

from skod.core.clock import utcnow
from skod.extensions import db
from skod.webhooks.models import StripeEvent
from skod.webhooks.processing import EventFailed, UnknownEvent, process
from skod.webhooks.wakeup import DRAIN_FLAG, flag_store

DRAIN_BATCH = 200


@shared_task(bind=True, max_retries=8, acks_late=True)
def process_event(self, event_id: int) -> str:  # noqa: ANN001
    try:
        return process(event_id, utcnow())
    except UnknownEvent:
        return "unknown"  # nothing to retry: the row is gone (a test's cleanup, a purge)
    except EventFailed as err:
        if self.app.conf.task_always_eager:
            return "failed"  # in-process use: the event stays failed for the sweep or replay
        raise self.retry(exc=err, countdown=min(3600, 10 * 2 ** self.request.retries)) from err


@shared_task(acks_late=True)
def drain_events() -> int:
    """Process every `received` event, oldest first, until none is left. Failures stay failed
    for the sweep's backoff (skod.webhooks.jobs)."""
    flag = flag_store()
    if flag is not None:
        flag.delete(DRAIN_FLAG)  # first: an event stored from now on queues a new drain
    done, last = 0, 0
    while True:
        ids = list(db.session.scalars(select(StripeEvent.id).where(
            StripeEvent.status == "received", StripeEvent.id > last)
            .order_by(StripeEvent.id).limit(DRAIN_BATCH)))
        db.session.commit()
        if not ids:
            return done
        for event_id in ids:
            with contextlib.suppress(EventFailed):
                process(event_id, utcnow())
            done += 1
        last = ids[-1]
