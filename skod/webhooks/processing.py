"""Process one stored event: lock it, dispatch by type, record the outcome and the error."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime

from skod.extensions import db
from skod.webhooks.handlers import HANDLERS
from skod.webhooks.models import EVENT_STATES, StripeEvent

log = logging.getLogger(__name__)


class EventFailed(Exception):
    """The handler raised; the event is marked failed and retried with backoff."""


def _lock(event_id: int) -> StripeEvent | None:
    """The event row, or None when another worker holds it (it is being processed)."""
    return db.session.get(StripeEvent, event_id, populate_existing=True,
                          with_for_update={"skip_locked": True})


def process(event_id: int, now: datetime, replay: bool = False) -> str:
    """The event's status after this run. Processed or ignored events run again only on replay."""
    event = _lock(event_id)
    if event is None:
        db.session.rollback()
        return "busy"
    if event.status in ("processed", "ignored") and not replay:
        db.session.commit()
        return event.status
    handler = HANDLERS.get(event.type)
    if handler is None:
        EVENT_STATES.move(event, "ignored")
        event.processed_at = now
        db.session.commit()
        return "ignored"
    EVENT_STATES.move(event, "processing")
    event.attempts += 1
    obj = (event.payload.get("data") or {}).get("object") or {}
    account = event.account or None  # a Connect event: its objects are read from that account
    db.session.commit()
    try:
        outcome = handler(obj, now, account)
    except Exception as err:
        db.session.rollback()
        _record_failure(event_id, err)
        raise EventFailed(str(err)) from err
    event = db.session.get(StripeEvent, event_id, populate_existing=True)
    EVENT_STATES.move(event, "ignored" if outcome == "ignored" else "processed")
    event.processed_at, event.last_error, event.traceback = now, None, None
    db.session.commit()
    return event.status


def _record_failure(event_id: int, err: Exception) -> None:
    event = db.session.get(StripeEvent, event_id, populate_existing=True)
    EVENT_STATES.move(event, "failed")
    event.last_error = f"{type(err).__name__}: {err}"[:500]
    event.traceback = traceback.format_exc()[-8000:]
    db.session.commit()
    log.warning("stripe event %s (%s) failed: %s", event.stripe_event_id, event.type, err)
