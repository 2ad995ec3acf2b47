"""Moving a booked call to another free slot, at the same price.

The client moves it alone while a free cancellation is still possible (the same window: moving
is a cancellation without the cost); the provider proposes a new time at any moment and the call
moves only once the client accepts. The hold follows DESIGN.md section 1: a hold placed for the
old time is kept when it still covers the new end with its safety margin; otherwise it is
released and the saved card is held again HOLD_LEAD before the new start, as for any far call.
Each move raises the .ics SEQUENCE (the calendar updates the event) and resets the reminders.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete

from skod.accounts.models import Provider
from skod.calls.booking import check_slot, lock_booking
from skod.calls.lifecycle import release_hold_of
from skod.calls.models import BOOKING_STATES, Booking, CallReminder
from skod.core.errors import Conflict, Invalid
from skod.extensions import db
from skod.payments import services as pay

#: a booking that can move: its card is saved or held, nothing has started
MOVABLE = ("card_saved", "held")


def client_may_move(booking: Booking, now: datetime) -> bool:
    """Inside the free-cancel window, before anything started."""
    return booking.status in MOVABLE and now <= booking.start_at - pay.policy().free_cancel


def move(booking_id: int, new_start: datetime, by: str, now: datetime) -> Booking:
    """Move the call to `new_start` ("client": inside the free-cancel window; "provider": the
    client accepted the provider's proposal). 409 when the slot is taken or the call may not
    move; the booking is unchanged then."""
    booking = lock_booking(booking_id)
    if by == "client" and booking.status in MOVABLE and not client_may_move(booking, now):
        raise Conflict("too late to move this call: cancel it or ask the provider",
                       code="too_late_to_move")
    db.session.get(Provider, booking.provider_id, with_for_update=True)  # as when booking
    new_end = _free_new_time(booking, new_start, now)
    release = booking.status == "held" and not _hold_covers(booking, new_end)
    if release:
        _back_to_saved_card(booking)
    booking.start_at, booking.end_at = new_start, new_end
    booking.proposed_start_at = None
    booking.calendar_sequence += 1
    db.session.execute(delete(CallReminder).where(CallReminder.booking_id == booking.id))
    db.session.commit()  # the new slot is ours before Stripe is called
    if release:
        release_hold_of(lock_booking(booking_id))
        db.session.commit()
    return db.session.get(Booking, booking_id)


def _free_new_time(booking: Booking, new_start: datetime, now: datetime) -> datetime:
    """The new end, once the booking may move and `new_start` is a free slot (409 / 422)."""
    if booking.status not in MOVABLE:
        raise Conflict(f"a {booking.status} call cannot be moved", code="invalid_state")
    if new_start <= now:
        raise Invalid("this time is in the past", {"start_at": ["must be in the future"]})
    new_end = new_start + timedelta(minutes=booking.duration_minutes)
    check_slot(booking.offer, new_start, new_end, now, ignore=booking.id)
    return new_end


def _hold_covers(booking: Booking, new_end: datetime) -> bool:
    """The hold can still be captured after the new end (auto-capture grace and margin)."""
    hold, p = booking.hold_payment(), pay.policy()
    if hold is None or hold.capture_before is None:
        return False
    return new_end + p.auto_capture_grace <= hold.capture_before - p.safety_margin


def _back_to_saved_card(booking: Booking) -> None:
    """The old hold cannot last until the new time: the booking waits on its saved card (the
    hold is released once the move is committed; a release that fails leaves a hold that
    lapses by itself, never a charge)."""
    if not booking.stripe_payment_method_id:
        raise Conflict("the card is not saved for a later hold: cancel and book again",
                       code="card_not_saved")
    BOOKING_STATES.move(booking, "card_saved")
    booking.payment_mode = "save_card"


def propose(booking_id: int, new_start: datetime, now: datetime) -> Booking:
    """The provider proposes `new_start`; the slot is checked now and again on acceptance."""
    booking = lock_booking(booking_id)
    _free_new_time(booking, new_start, now)
    booking.proposed_start_at = new_start
    db.session.commit()
    return booking


def decline(booking_id: int) -> Booking:
    booking = lock_booking(booking_id)
    booking.proposed_start_at = None
    db.session.commit()
    return booking

