"""Process one stored event: lock it, dispatch by type, record the outcome and the error."""

from __future__ import annotations

import logging
import traceback
from datetime import datetime

from skod.extensions import db
from skod.stripe_gateway import GatewayError
from skod.webhooks.handlers import HANDLERS
from skod.webhooks.models import EVENT_STATES, StripeEvent

log = logging.getLogger(__name__)

#: Stripe's answers that no retry can change: the object is not on the event's account (another
#: integration's, another account's), or the account is not ours to read (no provider owns it,
#: or it revoked our access). Such an event is acknowledged and ignored, never retried.
NOT_OURS = ("resource_missing", "account_invalid")


class EventFailed(Exception):
    """The handler raised; the event is marked failed and retried with backoff."""


class UnknownEvent(LookupError):
    """No stored event has that id (an operator's replay of a wrong id)."""


def _lock(event_id: int) -> StripeEvent | None:
    """The event row, or None when another worker holds it (it is being processed)."""
    return db.session.get(StripeEvent, event_id, populate_existing=True,
                          with_for_update={"skip_locked": True})


def process(event_id: int, now: datetime, replay: bool = False) -> str:
    """The event's status after this run. Processed or ignored events run again only on replay."""
    event = _lock(event_id)
    if event is None:
        db.session.rollback()
        if db.session.get(StripeEvent, event_id) is None:
            raise UnknownEvent(f"no stored Stripe event has the id {event_id}")
        return "busy"  # another worker holds it: it is being processed
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
    except GatewayError as err:
        db.session.rollback()
        if err.code not in NOT_OURS:
            _record_failure(event_id, err)
            raise EventFailed(str(err)) from err
        return _not_ours(event_id, now, err)
    except Exception as err:
        db.session.rollback()
        _record_failure(event_id, err)
        raise EventFailed(str(err)) from err
    event = db.session.get(StripeEvent, event_id, populate_existing=True)
    EVENT_STATES.move(event, "ignored" if outcome == "ignored" else "processed")
    event.processed_at, event.last_error, event.traceback = now, None, None
    db.session.commit()
    return event.status


def _not_ours(event_id: int, now: datetime, err: GatewayError) -> str:
    """Stripe says the object or the account is not ours to read: ignored, with the reason."""
    event = db.session.get(StripeEvent, event_id, populate_existing=True)
    EVENT_STATES.move(event, "ignored")
    event.processed_at, event.last_error = now, f"not ours: {err.code}: {err.message}"[:500]
    db.session.commit()
    log.info("stripe event %s (%s) of account %s ignored: %s", event.stripe_event_id,
             event.type, event.account or "(platform)", err.code)
    return "ignored"


def _record_failure(event_id: int, err: Exception) -> None:
    event = db.session.get(StripeEvent, event_id, populate_existing=True)
    EVENT_STATES.move(event, "failed")
    event.last_error = f"{type(err).__name__}: {err}"[:500]
    event.traceback = traceback.format_exc()[-8000:]
    db.session.commit()
    log.warning("stripe event %s (%s) failed: %s", event.stripe_event_id, event.type, err)
