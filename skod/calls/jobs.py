"""Periodic jobs of calls: place due holds, cancel unheld calls, auto-capture, expire abandoned.

Each job selects candidate ids, then runs one service per booking; the service locks the row and
checks the state again, so two workers (or beat and a manual `tick`) never act twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import select

from skod.calls import notify
from skod.calls.booking import lock_booking, place_hold
from skod.calls.lifecycle import end_call, release_hold_of, resume_capture
from skod.calls.models import BOOKING_STATES, Booking
from skod.extensions import db
from skod.payments import capture_policy as cp
from skod.payments import services as pay
from skod.payments.models import Payment

log = logging.getLogger(__name__)


def _ids(stmt) -> list[int]:  # noqa: ANN001
    ids = list(db.session.scalars(stmt))
    db.session.commit()
    return ids


def place_due_holds(now: datetime) -> int:
    """Far calls whose start is within HOLD_LEAD: hold the saved card off-session."""
    p = pay.policy()
    ids = _ids(select(Booking.id).where(
        Booking.status == "card_saved", Booking.start_at <= now + p.hold_lead,
        Booking.start_at > now))
    for booking_id in ids:
        booking = lock_booking(booking_id)
        if booking.status != "card_saved" or cp.hold_due_at(p, booking.start_at) > now:
            db.session.commit()
            continue
        result = place_hold(booking, off_session=True, now=now)
        if result["status"] != "held":
            notify.authorize_needed(db.session.get(Booking, booking_id))
    return len(ids)


def cancel_unheld(now: datetime) -> int:
    """No call starts unpaid: not held by start - AUTH_DEADLINE -> cancelled, slot freed."""
    p = pay.policy()
    ids = _ids(select(Booking.id).where(
        Booking.status.in_(("awaiting_card", "card_saved", "action_required")),
        Booking.start_at <= now + p.auth_deadline))
    done = 0
    for booking_id in ids:
        booking = lock_booking(booking_id)
        if booking.status not in ("awaiting_card", "card_saved", "action_required"):
            db.session.commit()
            continue
        was_waiting = booking.status == "awaiting_card"
        release_hold_of(booking)
        booking = lock_booking(booking_id)
        BOOKING_STATES.move(booking, "expired" if was_waiting else "cancelled")
        booking.cancelled_at, booking.cancelled_by = now, "system"
        booking.cancel_reason = "not_authorized"
        db.session.commit()
        if not was_waiting:
            notify.cancelled_unpaid(booking)
        done += 1
    return done


def auto_capture(now: datetime) -> int:
    """Calls nobody ended: capture the scheduled amount after the grace, before the hold lapses."""
    p = pay.policy()
    rows = db.session.execute(select(Booking.id, Booking.end_at).where(
        Booking.status.in_(("held", "in_progress")), Booking.ended_at.is_(None),
        Booking.start_at <= now)).all()
    db.session.commit()
    done = 0
    for booking_id, end_at in rows:
        booking = db.session.get(Booking, booking_id)
        hold = booking.hold_payment() if booking else None
        if hold is None or cp.auto_capture_at(p, end_at, hold.capture_before) > now:
            continue
        booking, ended_now = end_call(booking_id, now, auto=True)
        if ended_now:
            notify.call_charged(booking)
            done += 1
    return done


def expire_abandoned(now: datetime) -> int:
    """A booking left without a card gives its slot back after PENDING_BOOKING_TTL."""
    ttl = pay.policy_ttl()
    ids = _ids(select(Booking.id).where(Booking.status == "awaiting_card",
                                        Booking.created_at <= now - ttl))
    for booking_id in ids:
        booking = lock_booking(booking_id)
        if booking.status == "awaiting_card":
            release_hold_of(booking)
            booking = lock_booking(booking_id)
            BOOKING_STATES.move(booking, "expired")
            booking.cancel_reason = "abandoned"
        db.session.commit()
    return len(ids)


def resume_captures(now: datetime) -> int:
    """Captures left without an answer (Stripe timeout, worker crash): send again, same key."""
    stale = now - timedelta(seconds=60)
    ids = _ids(select(Payment.id).where(Payment.status == "capture_pending",
                                        Payment.booking_id.is_not(None),
                                        Payment.updated_at <= stale))
    for payment_id in ids:
        booking = resume_capture(payment_id, now)
        if booking is not None:
            notify.call_charged(booking)
    return len(ids)


JOBS = (expire_abandoned, place_due_holds, cancel_unheld, resume_captures, auto_capture)


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of calls, once, as of `now` (beat and `flask skod tick`)."""
    out = {}
    for job in JOBS:
        out[job.__name__] = job(now)
        log.info("%s at %s: %s", job.__name__, now.isoformat(), out[job.__name__])
    return out
