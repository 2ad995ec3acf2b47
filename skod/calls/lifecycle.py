"""A held call's life: start, end (capture, overrun), auto-capture, cancellation, no-show."""

from __future__ import annotations

from datetime import datetime

from flask import current_app

from skod.calls.booking import lock_booking
from skod.calls.models import BOOKING_STATES, Booking
from skod.core.errors import Conflict
from skod.dunning.debts.opening import open_for_payment
from skod.extensions import db
from skod.payments import capture_policy as cp
from skod.payments import cards
from skod.payments import services as pay


def start_opens_at(booking: Booking) -> datetime:
    """The earliest instant a call may be started: START_EARLY before its start time, so a
    call booked for another day cannot be started (and charged) days ahead."""
    return booking.start_at - current_app.config["START_EARLY"]


def may_start(booking: Booking, now: datetime) -> bool:
    return booking.status == "held" and now >= start_opens_at(booking)


def start_call(booking_id: int, now: datetime) -> Booking:
    booking = lock_booking(booking_id)
    if booking.status == "in_progress":
        return booking
    if booking.status != "held":
        raise Conflict(f"a {booking.status} call cannot start: it is not paid",
                       code="not_held")
    if now < start_opens_at(booking):
        minutes = int(current_app.config["START_EARLY"].total_seconds() // 60)
        raise Conflict(f"too early: this call can start from {minutes} minutes before its "
                       "start time", code="too_early")
    BOOKING_STATES.move(booking, "in_progress")
    booking.started_at = now
    db.session.commit()
    return booking


def end_call(booking_id: int, now: datetime, minutes: int | None = None,
             auto: bool = False) -> tuple[Booking, bool]:
    """Capture what the call cost; (booking, True) when this call ended it.

    A second End finds the call ended and gets the booking as is, with False.
    """
    booking = lock_booking(booking_id)
    if booking.ended_at is not None or booking.status not in ("held", "in_progress"):
        db.session.commit()
        return booking, False
    hold = booking.hold_payment()
    if hold is None or hold.status != "held":
        raise Conflict("this call has no hold to capture", code="not_held")
    if minutes is None:
        minutes = _minutes_of(booking, now, auto)
    due = cp.call_amount(booking.pricing, booking.price_minor, booking.minimum_minutes, minutes)
    from_hold, _overrun = cp.split_capture(due, hold.amount_held_minor)  # settle() charges it
    booking.ended_at, booking.minutes_billed = now, minutes
    booking.amount_due_minor, booking.auto_captured = due, auto
    if from_hold == 0:
        # Nothing owed (e.g. 0 minutes at 0 minimum): Stripe would read a capture of 0 as
        # "capture everything", so the hold is released instead.
        return _release_unowed(booking, hold), True
    pay.begin_capture(hold, from_hold)
    db.session.commit()  # the capture is marked as sent: no second End can send it again
    return _finish_capture(booking.id, hold.id, now), True


def _release_unowed(booking: Booking, hold) -> Booking:  # noqa: ANN001
    BOOKING_STATES.move(booking, "completed")
    booking_id = booking.id
    if pay.begin_release(hold):
        db.session.commit()
        pay.send_release(pay.lock(hold.id))
    db.session.commit()
    return db.session.get(Booking, booking_id)


def amount_if_ended(booking: Booking, now: datetime) -> tuple[int, int]:
    """(minutes, amount due) if the provider ended the call at `now`, as end_call counts
    them: what the confirmation before End states. Reads only."""
    minutes = _minutes_of(booking, now, False)
    return minutes, cp.call_amount(booking.pricing, booking.price_minor,
                                   booking.minimum_minutes, minutes)


def _minutes_of(booking: Booking, now: datetime, auto: bool) -> int:
    """Timer minutes when the call was started and ended by the provider; else scheduled."""
    if auto or booking.started_at is None:
        return booking.duration_minutes
    # a call that was started lasted at least its first minute
    return max(1, cp.billable_minutes(int((now - booking.started_at).total_seconds())))


def _finish_capture(booking_id: int, payment_id: int, now: datetime) -> Booking:
    """Send the capture (the payment row stays locked during the call), then settle."""
    payment = pay.lock(payment_id)
    if payment.status == "capture_pending":
        pay.send_capture(payment)
    db.session.commit()
    return settle(booking_id, now)


def settle(booking_id: int, now: datetime) -> Booking:
    """Move an ended call on from what its hold became: completed (after charging any overrun)
    or payment_failed. Safe to call again: from End, from a webhook, from reconciliation."""
    booking = lock_booking(booking_id)
    hold = booking.hold_payment()
    if booking.ended_at is None or booking.status not in ("held", "in_progress") or hold is None:
        db.session.commit()  # not ended, already settled, or a cancelled booking's fee
        return booking
    if hold.status == "captured":
        overrun = (booking.amount_due_minor or 0) - hold.amount_captured_minor
        if overrun > 0 and not any(p.purpose == "overrun" for p in booking.payments):
            db.session.commit()
            return _charge_extra(booking_id, "overrun", overrun, now)
        BOOKING_STATES.move(booking, "completed")
    elif hold.status == "failed" and hold.last_error_code == "hold_expired" and not any(
            p.purpose == "call_charge" for p in booking.payments):
        # The hold lapsed before the capture: the call took place and the card is saved, so
        # the price is charged off-session once (its own key), as the terms said.
        db.session.commit()
        return _charge_extra(booking_id, "call_charge", booking.amount_due_minor or 0, now)
    elif hold.status == "failed":
        BOOKING_STATES.move(booking, "payment_failed")
        # the call took place: what it cost is owed, in this same transaction
        open_for_payment(hold, f"booking:{booking.id}", booking.amount_due_minor or 0, now)
    db.session.commit()
    return booking


def resume_capture(payment_id: int, now: datetime) -> Booking | None:
    """Send again, with the same key, a capture whose answer never came (timeout, crash)."""
    payment = pay.lock(payment_id)
    if payment.status != "capture_pending" or payment.booking_id is None:
        db.session.commit()
        return None
    booking_id = payment.booking_id
    db.session.commit()
    return _finish_capture(booking_id, payment_id, now)


def _charge_extra(booking_id: int, purpose: str, amount: int, now: datetime) -> Booking:
    """A second, off-session payment the client agreed to at booking (overrun or fee)."""
    booking = lock_booking(booking_id)
    payment = pay.new_payment(
        provider_id=booking.provider_id, client_id=booking.client_id, booking_id=booking.id,
        purpose=purpose, amount=amount, currency=booking.currency, off_session=True,
        key=f"{purpose}:booking:{booking.id}", payment_method=booking.stripe_payment_method_id)
    payment_id = payment.id
    db.session.commit()
    payment = pay.lock(payment_id)
    pay.send_create(payment, customer=cards.customer_of(booking, booking.client), manual=False)
    booking = lock_booking(booking_id)
    if purpose in ("overrun", "call_charge"):
        ok = payment.status in ("captured", "waived")
        BOOKING_STATES.move(booking, "completed" if ok else "payment_failed")
    if payment.status == "failed":  # delivered (the call, or the fee agreed at booking)
        source = f"overrun:booking:{booking.id}" if purpose == "overrun" else (
            f"booking:{booking.id}")
        open_for_payment(payment, source, amount, now)
    db.session.commit()
    return booking


def cancel_booking(booking_id: int, by: str, now: datetime, reason: str | None = None) -> Booking:
    """Release, or take the late-cancel fee, as the terms shown at booking say."""
    booking = lock_booking(booking_id)
    if booking.status in ("cancelled", "expired"):
        db.session.commit()
        return booking
    if booking.status not in ("awaiting_card", "card_saved", "action_required", "held"):
        raise Conflict(f"a {booking.status} call cannot be cancelled", code="invalid_state")
    outcome = cp.cancellation(pay.policy(), now, booking.start_at, by,
                              booking.late_cancel_fee_percent)
    fee = _fee(booking)
    return _close(booking, by, now, reason or f"cancelled_by_{by}", fee if outcome == "fee" else 0)


def mark_no_show(booking_id: int, now: datetime) -> Booking:
    """The client did not come: the late-cancel fee, as for a late cancellation."""
    booking = lock_booking(booking_id)
    if booking.status != "held" or now < booking.start_at:
        raise Conflict("only a held call past its start can be marked no-show",
                       code="invalid_state")
    fee = _fee(booking)
    return _close(booking, "provider", now, "no_show", fee)


def _fee(booking: Booking) -> int:
    return cp.late_cancel_fee(booking.pricing, booking.price_minor, booking.minimum_minutes,
                              booking.duration_minutes, booking.late_cancel_fee_percent)


def _close(booking: Booking, by: str, now: datetime, reason: str, fee: int) -> Booking:
    """Cancel the booking; capture `fee` from the hold (or charge it) and release the rest."""
    BOOKING_STATES.move(booking, "cancelled")
    booking.cancelled_at, booking.cancelled_by, booking.cancel_reason = now, by, reason
    hold = booking.hold_payment()
    booking_id = booking.id
    if hold is not None and hold.status == "held" and fee > 0:
        booking.amount_due_minor = fee
        pay.begin_capture(hold, min(fee, hold.amount_held_minor))
        db.session.commit()
        payment = pay.lock(hold.id)
        pay.send_capture(payment)
        if payment.status == "failed":  # the fee agreed at booking is owed all the same
            open_for_payment(payment, f"booking:{booking_id}", fee, now)
    elif hold is not None and pay.begin_release(hold):
        db.session.commit()
        payment = pay.lock(hold.id)
        pay.send_release(payment)
    elif fee > 0 and booking.stripe_payment_method_id:
        booking.amount_due_minor = fee
        db.session.commit()
        return _charge_extra(booking_id, "late_cancel_fee", fee, now)
    db.session.commit()
    return db.session.get(Booking, booking_id)


def release_hold_of(booking: Booking) -> None:
    """Release a hold still open on a booking that will not happen (caller commits after)."""
    hold = booking.hold_payment()
    if hold is None:
        return
    if pay.begin_release(hold):  # a page intent never confirmed is cancelled at Stripe too
        booking_id = booking.id
        db.session.commit()
        pay.send_release(pay.lock(hold.id))
        lock_booking(booking_id)
