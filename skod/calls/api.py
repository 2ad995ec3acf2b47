"""API: book a call, give the card, start / end / cancel / move, read bookings."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import select

from skod.accounts.auth import reach, require_provider
from skod.calls import booking as booking_svc
from skod.calls import lifecycle, notify, reschedule
from skod.calls.models import Booking
from skod.calls.schemas import (
    BookingCreatedSchema,
    BookingCreateSchema,
    BookingSchema,
    CardResultSchema,
    EndSchema,
    MoveSchema,
    PaymentMethodSchema,
    payment_block,
)
from skod.core.clock import utcnow
from skod.core.errors import Conflict, PaymentProblem
from skod.core.signing import make_token
from skod.extensions import db
from skod.payments import saved_card_api

blp = Blueprint("calls_api", __name__, description="Bookings of paid calls")


def _booking(booking_id: int) -> tuple[Booking, str]:
    return reach(Booking, "booking", booking_id)


def _provider_booking(booking_id: int) -> Booking:
    return reach(Booking, "booking", booking_id, "provider")[0]


@blp.post("/bookings")
@blp.arguments(BookingCreateSchema)
@blp.response(201, BookingCreatedSchema)
def create_booking(data: dict):
    booking, step = booking_svc.book(offer_id=data["offer_id"], start_at=data["start_at"],
                                     client=data["client"], now=utcnow(),
                                     form_token=data["form_token"])
    return {"id": booking.id, "status": booking.status,
            "client_token": make_token("booking", booking.id),
            "manage_url": notify.manage_url(booking), "payment": payment_block(booking, step)}


@blp.post("/bookings/<int:booking_id>/payment-method")
@blp.arguments(PaymentMethodSchema)
@blp.response(200, CardResultSchema)
def give_card(data: dict, booking_id: int):
    _booking(booking_id)
    return _card_given(booking_id, data["payment_method"], utcnow(), saved=False)


def _card_given(booking_id: int, payment_method: str, now, *, saved: bool) -> dict:  # noqa: ANN001
    result = booking_svc.attach_card(booking_id, payment_method, now, saved=saved)
    if result["status"] == "failed":
        # The attempt is recorded on its payment row; the client may try another card.
        raise PaymentProblem("the card was declined", {"payment_method": [result["error"]["code"]]},
                             code=result["error"]["kind"] or "card_declined")
    _confirm_if_secured(booking_id, result)
    return result


saved_card_api.add_routes(
    blp, Booking, "booking", payable=lambda b: b.status in ("awaiting_card", "action_required"),
    pay=lambda booking_id, pm, now: _card_given(booking_id, pm, now, saved=True),
    result_schema=CardResultSchema)


@blp.post("/bookings/<int:booking_id>/card-setup")
@blp.response(200, CardResultSchema)
def card_setup(booking_id: int):
    """The secret the page confirms to (re)enter the card: a near call's PaymentIntent
    (`intent: payment`, one 3-D Secure for the hold and the saved card) or a SetupIntent."""
    _booking(booking_id)
    return booking_svc.card_setup(booking_id, utcnow())


@blp.post("/bookings/<int:booking_id>/confirm")
@blp.response(200, BookingSchema)
def confirm(booking_id: int):
    """After the card step on the page: read the hold back from Stripe. The booking is
    confirmed (e-mail) by whichever comes first, this call or the webhook."""
    _booking(booking_id)
    booking, secured_now = booking_svc.refresh_hold(booking_id, utcnow())
    if secured_now:
        _confirm_if_secured(booking_id, {"status": booking.status})
    return booking


def _confirm_if_secured(booking_id: int, result: dict) -> None:
    if result.get("status") in ("held", "card_saved"):
        notify.booking_confirmed(db.session.get(Booking, booking_id))


@blp.get("/bookings/<int:booking_id>")
@blp.response(200, BookingSchema)
def get_booking(booking_id: int):
    return _booking(booking_id)[0]


@blp.get("/bookings")
@blp.response(200, BookingSchema(many=True))
def list_bookings():
    provider = require_provider()
    return db.session.scalars(select(Booking).where(Booking.provider_id == provider.id)
                              .order_by(Booking.start_at))


@blp.post("/bookings/<int:booking_id>/start")
@blp.response(200, BookingSchema)
def start(booking_id: int):
    """Start a held call: from START_EARLY_MINUTES before its start time, else 409
    `too_early` (a 409 `not_held` for a call that is not paid)."""
    _provider_booking(booking_id)
    return lifecycle.start_call(booking_id, utcnow())


@blp.post("/bookings/<int:booking_id>/end")
@blp.arguments(EndSchema)
@blp.response(200, BookingSchema)
def end(data: dict, booking_id: int):
    _provider_booking(booking_id)
    booking, ended_now = lifecycle.end_call(booking_id, utcnow(), minutes=data.get("minutes"))
    if ended_now:
        notify.call_charged(booking)
    return booking


@blp.post("/bookings/<int:booking_id>/no-show")
@blp.response(200, BookingSchema)
def no_show(booking_id: int):
    _provider_booking(booking_id)
    booking = lifecycle.mark_no_show(booking_id, utcnow())
    notify.booking_cancelled(booking)
    return booking


@blp.post("/bookings/<int:booking_id>/cancel")
@blp.response(200, BookingSchema)
def cancel(booking_id: int):
    booking, role = _booking(booking_id)
    was = booking.status
    booking = lifecycle.cancel_booking(booking_id, role, utcnow())
    if was != booking.status:
        notify.booking_cancelled(booking)
    return booking


@blp.post("/bookings/<int:booking_id>/move")
@blp.arguments(MoveSchema)
@blp.response(200, BookingSchema)
def move(data: dict, booking_id: int):
    """The client moves the call (inside the free-cancel window, else 409 `too_late_to_move`);
    the provider proposes the new time, which the client accepts or declines."""
    _booking_row, role = _booking(booking_id)
    if role == "provider":
        booking = reschedule.propose(booking_id, data["start_at"], utcnow())
        notify.move_proposed(booking)
        return booking
    booking = reschedule.move(booking_id, data["start_at"], "client", utcnow())
    notify.booking_moved(booking)
    return booking


@blp.post("/bookings/<int:booking_id>/proposal/<any(accept, decline):answer>")
@blp.response(200, BookingSchema)
def answer_proposal(booking_id: int, answer: str):
    """The client's answer to the provider's proposed time (409 `no_proposal` without one)."""
    booking, _role = reach(Booking, "booking", booking_id, "client")
    if booking.proposed_start_at is None:
        raise Conflict("no new time was proposed", code="no_proposal")
    if answer == "decline":
        booking = reschedule.decline(booking_id)
        notify.move_declined(booking)
        return booking
    booking = reschedule.move(booking_id, booking.proposed_start_at, "provider", utcnow())
    notify.booking_moved(booking)
    return booking
