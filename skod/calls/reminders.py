"""Reminder e-mails before a call, to the client and the provider (CALL_REMINDER_HOURS: 24 h and
1 h by default), with the time in each one's zone, where the call happens and the booking's page.

Same rule as the reminders of paid questions (`messages.policy.reminder_due`): only the reminder
closest to the start among those whose time has come, never one whose time fell before the
booking, and each at most once: the unique (booking, hours) row is committed before the e-mail.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.calls import notify
from skod.calls.models import Booking, CallReminder
from skod.core.isolation import isolated
from skod.extensions import db
from skod.messages.policy import reminder_due

#: a booking going ahead; one whose payment waits for the client's authorization gets that
#: e-mail instead (and is cancelled if not authorized in time): no reminder on top of it
COMING = ("held", "card_saved")


def send_due(now: datetime) -> int:
    hours = current_app.config["CALL_REMINDER_HOURS"]
    if not hours:
        return 0
    rows = db.session.execute(select(Booking.id, Booking.created_at, Booking.start_at).where(
        Booking.status.in_(COMING), Booking.start_at > now,
        Booking.start_at <= now + timedelta(hours=max(hours)))).all()
    db.session.commit()
    sent = 0
    for booking_id, booked_at, start in rows:
        with isolated("send_due", booking_id):
            due = reminder_due(now, booked_at, start, hours)
            if due is None or not _claim(booking_id, due, now):
                continue
            notify.reminder(db.session.get(Booking, booking_id), due)
            sent += 1
    return sent


def _claim(booking_id: int, hours: int, now: datetime) -> bool:
    """True for the one caller that records this reminder; a second one hits the unique key."""
    try:
        with db.session.begin_nested():
            db.session.add(CallReminder(booking_id=booking_id, hours_before=hours, sent_at=now))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True
