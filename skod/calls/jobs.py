"""Periodic jobs of calls: place due holds, cancel unheld calls, auto-capture, expire abandoned.

Each job selects candidate ids, then runs one service per booking; the service locks the row and
checks the state again, so two workers (or beat and a manual `tick`) never act twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select

from skod.calls import notify
from skod.calls.booking import lock_booking, place_hold
from skod.calls.lifecycle import end_call, release_hold_of, resume_capture
from skod.calls.models import BOOKING_STATES, Booking
from skod.core.isolation import isolated
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
        with isolated("place_due_holds", booking_id):
            booking = lock_booking(booking_id)
            if booking.status != "card_saved" or cp.hold_due_at(p, booking.start_at) > now:
                db.session.commit()
                continue
            result = place_hold(booking, off_session=True, now=now)
            if result["status"] != "held":
                notify.authorize_needed(db.session.get(Booking, booking_id))
    return len(ids)


def _waits_off_session():  # noqa: ANN202
    """A far call waiting for its off-session hold, or for the client after that hold failed."""
    return or_(Booking.status == "card_saved",
               and_(Booking.status == "action_required", Booking.payment_mode == "save_card"))


def _waits_on_page():  # noqa: ANN202
    """A booking whose client is (or was) on the page: no card yet, or 3-D Secure unfinished."""
    return or_(Booking.status == "awaiting_card",
               and_(Booking.status == "action_required", Booking.payment_mode == "hold"))


def cancel_unheld(now: datetime) -> int:
    """No call starts unpaid: a far call not held by start - AUTH_DEADLINE is cancelled."""
    p = pay.policy()
    ids = _ids(select(Booking.id).where(_waits_off_session(),
                                        Booking.start_at <= now + p.auth_deadline))
    done = 0
    for booking_id in ids:
        with isolated("cancel_unheld", booking_id):
            booking = lock_booking(booking_id)
            if booking.status not in ("card_saved", "action_required"):
                db.session.commit()
                continue
            release_hold_of(booking)
            booking = lock_booking(booking_id)
            BOOKING_STATES.move(booking, "cancelled")
            booking.cancelled_at, booking.cancelled_by = now, "system"
            booking.cancel_reason = "not_authorized"
            db.session.commit()
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
        with isolated("auto_capture", booking_id):
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
    """A booking left unpaid on the page gives its slot back after PENDING_BOOKING_TTL."""
    ttl = pay.policy_ttl()
    ids = _ids(select(Booking.id).where(
        _waits_on_page(), or_(Booking.created_at <= now - ttl, Booking.start_at <= now)))
    for booking_id in ids:
        with isolated("expire_abandoned", booking_id):
            booking = lock_booking(booking_id)
            if booking.status in ("awaiting_card", "action_required"):
                release_hold_of(booking)
                booking = lock_booking(booking_id)
                BOOKING_STATES.move(booking, "expired")
                booking.cancelled_at, booking.cancel_reason = now, "abandoned"
            db.session.commit()
    return len(ids)


def resume_captures(now: datetime) -> int:
    """Captures left without an answer (Stripe timeout, worker crash): send again, same key."""
    stale = now - timedelta(seconds=60)
    ids = _ids(select(Payment.id).where(Payment.status == "capture_pending",
                                        Payment.booking_id.is_not(None),
                                        Payment.updated_at <= stale))
    for payment_id in ids:
        with isolated("resume_captures", payment_id):
            booking = resume_capture(payment_id, now)
            if booking is not None:
                notify.call_charged(booking)
    return len(ids)


def send_reminders(now: datetime) -> int:
    from skod.calls import reminders  # imports notify's e-mails, like the jobs above

    return reminders.send_due(now)


JOBS = (expire_abandoned, place_due_holds, cancel_unheld, resume_captures, auto_capture,
        send_reminders)


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of calls, once, as of `now` (beat and `flask skod tick`)."""
    out = {}
    for job in JOBS:
        out[job.__name__] = -1  # a job that raised (logged; the others go on)
        with isolated(job.__name__, "(the whole job)"):
            out[job.__name__] = job(now)
        log.info("%s at %s: %s", job.__name__, now.isoformat(), out[job.__name__])
    return out
