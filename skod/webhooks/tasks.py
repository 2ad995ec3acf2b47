"""Celery task: process one stored Stripe event; a failure is retried with backoff."""

from __future__ import annotations

from skod.celery_app import celery
from skod.core.clock import utcnow
from skod.webhooks.processing import EventFailed, process


@celery.task(bind=True, max_retries=8, acks_late=True)
def process_event(self, event_id: int) -> str:  # noqa: ANN001
    try:
        return process(event_id, utcnow())
    except EventFailed as err:
        if self.app.conf.task_always_eager:
            return "failed"  # in-process use: the event stays failed for the sweep or replay
        raise self.retry(exc=err, countdown=min(3600, 10 * 2 ** self.request.retries)) from err
