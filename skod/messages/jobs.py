"""Periodic jobs of messages: release unanswered questions at their deadline, remind the
provider before it, resume captures left without an answer, close questions never paid.

Each job selects candidate ids, then runs one service per message; the service locks the row
and checks the state again, so two workers (or beat and a manual `tick`) never act twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from skod.core.isolation import isolated
from skod.extensions import db
from skod.messages import answering, notify, policy
from skod.messages.models import Message, MessageReminder
from skod.payments.models import Payment

log = logging.getLogger(__name__)


def _ids(stmt) -> list[int]:  # noqa: ANN001
    ids = list(db.session.scalars(stmt))
    db.session.commit()
    return ids


def expire_unanswered(now: datetime) -> int:
    """No reply by the deadline: the hold is released; the client and the provider are told."""
    ids = _ids(select(Message.id).where(Message.status == "held",
                                        Message.reply_deadline <= now))
    done = 0
    for message_id in ids:
        with isolated("expire_unanswered", message_id):
            message = answering.expire(message_id, now)
            if message is not None:
                notify.expired(message)
                done += 1
    return done


def send_reminders(now: datetime) -> int:
    """The reminder due now (the closest to the deadline), each one at most once: the unique
    (message, hours) row is written and committed before the e-mail goes."""
    hours = current_app.config["REPLY_REMINDERS_HOURS"]
    if not hours:
        return 0
    rows = db.session.execute(select(Message.id, Message.held_at, Message.reply_deadline).where(
        Message.status == "held", Message.reply_deadline > now,
        Message.reply_deadline <= now + timedelta(hours=max(hours)))).all()
    db.session.commit()
    sent = 0
    for message_id, held_at, deadline in rows:
        with isolated("send_reminders", message_id):
            due = policy.reminder_due(now, held_at or deadline, deadline, hours)
            if due is None or not _claim(message_id, due, now):
                continue
            notify.reminder(db.session.get(Message, message_id), due)
            sent += 1
    return sent


def _claim(message_id: int, hours: int, now: datetime) -> bool:
    """True for the one caller that records this reminder; a second one hits the unique key."""
    message = db.session.get(Message, message_id)
    try:
        with db.session.begin_nested():
            db.session.add(MessageReminder(message_id=message_id, hours_before=hours,
                                           sent_at=now))
        message.reminders_sent = ",".join(filter(None, [message.reminders_sent, str(hours)]))
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        return False
    return True


def resume_captures(now: datetime) -> int:
    """Captures of replies left without an answer (Stripe timeout, crash): same key again."""
    stale = now - timedelta(seconds=60)
    ids = _ids(select(Payment.id).where(Payment.status == "capture_pending",
                                        Payment.message_id.is_not(None),
                                        Payment.updated_at <= stale))
    for payment_id in ids:
        with isolated("resume_captures", payment_id):
            message = answering.resume_capture(payment_id, now)
            if message is not None:
                deliver_outcome(message)
    return len(ids)


def close_abandoned(now: datetime) -> int:
    """A question left unpaid on the page is closed after PENDING_BOOKING_TTL."""
    ttl = current_app.config["PENDING_BOOKING_TTL"]
    ids = _ids(select(Message.id).where(Message.status.in_(("awaiting_card", "action_required")),
                                        Message.created_at <= now - ttl))
    done = 0
    for message_id in ids:
        with isolated("close_abandoned", message_id):
            done += answering.abandon(message_id, now) is not None
    return done


def deliver_outcome(message: Message) -> None:
    """After a reply settled: the reply to the client. A reply left unpaid is a debt whose
    notice (with the pay link) is the dunning ladder's first step, not an e-mail from here."""
    if message.status == "answered":
        notify.reply_delivered(message)


JOBS = (close_abandoned, resume_captures, expire_unanswered, send_reminders)


def run_all(now: datetime) -> dict[str, int]:
    """Every periodic job of messages, once, as of `now` (beat and `flask skod tick`)."""
    out = {}
    for job in JOBS:
        out[f"messages_{job.__name__}"] = -1  # a job that raised (logged; the others go on)
        with isolated(job.__name__, "(the whole job)"):
            out[f"messages_{job.__name__}"] = job(now)
        log.info("messages %s at %s: %s", job.__name__, now.isoformat(),
                 out[f"messages_{job.__name__}"])
    return out
