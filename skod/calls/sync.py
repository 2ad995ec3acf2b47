"""Calls' side of Stripe's truth: react to a hold that changed elsewhere (webhook,
reconciliation), and repair holds a call forgot. Registered in skod.payments.hooks."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

from skod.calls import notify
from skod.calls.booking import lock_booking, mark_held
from skod.calls.jobs import auto_capture
from skod.calls.lifecycle import settle
from skod.calls.models import BOOKING_STATES, Booking
from skod.core.formats import moment
from skod.extensions import db
from skod.payments import hooks
from skod.payments import services as pay
from skod.payments.models import Payment


def payment_changed(payment: Payment, now: datetime) -> None:
    """A hold authorised behind our back (3-D Secure finished but the page never came back)
    secures the booking; a capture we had no answer for settles the ended call."""
    booking_id, payment_id = payment.booking_id, payment.id
    db.session.commit()
    booking = lock_booking(booking_id)
    payment = db.session.get(Payment, payment_id)
    if payment.purpose == "hold" and payment.status == "held" and booking.status in (
            "awaiting_card", "action_required"):
        mark_held(booking, payment)
        db.session.commit()
        notify.booking_confirmed(booking)
        return
    if payment.purpose == "hold" and payment.status in ("released", "failed") and (
            booking.status == "held" and booking.ended_at is None):
        # The hold is gone at Stripe before the call: the client is asked to authorize again.
        BOOKING_STATES.move(booking, "action_required")
        booking.authorize_requested_at = now
        db.session.commit()
        notify.authorize_needed(booking)
        return
    db.session.commit()
    if booking.ended_at is not None:
        before = booking.status
        booking = settle(booking_id, now)
        if before != booking.status:
            notify.call_charged(booking)


def repair_holds(now: datetime) -> int:
    """Holds a call forgot: a finished call still held is captured (auto-capture rules); a
    cancelled or expired booking still holding money is released."""
    done = auto_capture(now)
    rows = db.session.execute(
        select(Booking.id, Payment.id).join(Payment, Payment.booking_id == Booking.id).where(
            Booking.status.in_(("cancelled", "expired")), Payment.purpose == "hold",
            Payment.status == "held")).all()
    db.session.commit()
    for booking_id, payment_id in rows:
        lock_booking(booking_id)
        payment = pay.lock(payment_id)
        if payment.status == "held" and pay.begin_release(payment):
            db.session.commit()
            pay.send_release(pay.lock(payment_id))
        db.session.commit()
        done += 1
    return done


def evidence(payment: Payment) -> list[tuple[str, str]]:
    """What shows the call took place: its slot and when it was started and ended."""
    from flask_babel import gettext as _

    booking = db.session.get(Booking, payment.booking_id)
    tz, locale = booking.provider.timezone, booking.provider.locale
    return [(_("Call booked for"), moment(booking.start_at, tz, locale)),
            (_("Call started"), moment(booking.started_at, tz, locale)),
            (_("Call ended"), moment(booking.ended_at, tz, locale)),
            (_("Client"), f"{booking.client.name} <{booking.client.email}>"),
            (_("Terms accepted"), moment(booking.terms_accepted_at, tz, locale))]


def recovered(booking_id: int, now: datetime) -> None:
    """The debt of an ended call (its price or its overrun) was paid: the call is complete."""
    booking = lock_booking(booking_id)
    if booking.status == "payment_failed":
        BOOKING_STATES.move(booking, "completed")
    db.session.commit()


def register() -> None:
    from skod.dunning.debts.recovery import on_recovered

    on_recovered("booking", recovered)
    on_recovered("overrun:booking", recovered)
    hooks.on_change("booking_id", payment_changed)
    hooks.on_evidence("booking_id", evidence)
    hooks.on_reconcile(repair_holds)
