"""Booking a call and securing its card: book, attach the card, place or renew the hold.

A near call (the hold fits in a customer-initiated hold) gets a page intent at booking: one
PaymentIntent the page confirms with the card, so ONE 3-D Secure challenge both holds the ceiling
and saves the card. A far call saves the card with a SetupIntent; its hold comes later,
off-session. An API client that sends its own card (payment-method) keeps the server-side flow.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from skod.accounts.clients import client_for
from skod.accounts.models import Provider
from skod.calls.models import ACTIVE, BOOKING_STATES, Booking
from skod.catalog.models import Offer
from skod.catalog.services import bookable_offer, offer_slots
from skod.core.errors import Conflict, Invalid, NotFound
from skod.extensions import db
from skod.payments import capture_policy as cp
from skod.payments import cards, connect, saved_cards
from skod.payments import services as pay
from skod.payments.cards import StripeUnavailable
from skod.stripe_gateway import GatewayError


def book(*, offer_id: int, start_at: datetime, client: dict, now: datetime,
         form_token: str | None = None) -> tuple[Booking, dict]:
    """Take the slot, then open the card step with Stripe. 409 when the slot is taken.
    Returns the booking and the card step for the page: {"client_secret", "intent"}.
    `form_token`: the booking form's one-time token; the same form sent again (double click,
    a page restored by the back button) gets the booking it made, never a second one."""
    offer = bookable_offer(offer_id, "call")
    connect.require_payments(db.session.get(Provider, offer.provider_id))
    # One booking at a time per provider: the provider row is the lock (a second send of
    # one form waits here, then finds the first one's booking).
    db.session.get(Provider, offer.provider_id, with_for_update=True)
    if form_token:
        made = db.session.scalar(select(Booking).where(Booking.offer_id == offer.id,
                                                       Booking.form_token == form_token))
        if made is not None:
            return _form_sent_again(made, start_at, client, now)
    if start_at <= now:
        raise Invalid("this time is in the past", {"start_at": ["must be in the future"]})
    end_at = start_at + timedelta(minutes=offer.duration_minutes)
    check_slot(offer, start_at, end_at, now)
    booking = Booking(
        provider_id=offer.provider_id, offer_id=offer.id,
        client=client_for(offer.provider_id, client),
        start_at=start_at, end_at=end_at, status="awaiting_card",
        payment_mode=cp.hold_mode(pay.policy(), now, end_at),
        pricing=offer.pricing, price_minor=offer.price_minor, currency=offer.currency,
        minimum_minutes=offer.minimum_minutes or 0, duration_minutes=offer.duration_minutes,
        late_cancel_fee_percent=offer.late_cancel_fee_percent or 0, terms_accepted_at=now,
        created_at=now, form_token=form_token,
    )
    db.session.add(booking)
    db.session.commit()  # the slot is ours before we talk to Stripe
    return _first_card_step(booking.id, now)


def _first_card_step(booking_id: int, now: datetime) -> tuple[Booking, dict]:
    """The new booking's card step, under the booking's row lock as every other card step: a
    second send of the same form (which found this booking) waits for it and then reads the
    intent it opened, instead of opening another one beside it. Stripe unreachable: the
    booking expires and its slot is free again."""
    try:
        step = _open_card_step(lock_booking(booking_id), now)
    except GatewayError as err:
        db.session.rollback()
        booking = lock_booking(booking_id)
        BOOKING_STATES.move(booking, "expired")
        db.session.commit()
        raise StripeUnavailable("the payment provider could not be reached") from err
    db.session.commit()
    return db.session.get(Booking, booking_id), step


def _form_sent_again(made: Booking, start_at: datetime, client: dict,
                     now: datetime) -> tuple[Booking, dict]:
    """The booking this form already made, with its card step (the open one: no new intent),
    or nothing for a secured one (the page shows it). 409 `form_used` when the form now
    asks for another time or another person, or its booking is over: a form books once."""
    same = made.start_at == start_at and made.client.email.lower() == client["email"].lower()
    if not same or made.status not in ACTIVE:
        db.session.rollback()
        raise Conflict("this booking form was already used", code="form_used")
    booking_id = made.id
    db.session.commit()  # the provider lock is not needed any more
    if made.status in ("held", "card_saved", "in_progress"):
        return made, {}
    step = card_setup(booking_id, now)
    return db.session.get(Booking, booking_id), step


def check_slot(offer: Offer, start_at: datetime, end_at: datetime, now: datetime,
               ignore: int | None = None) -> None:
    """409 unless the slot is free; `ignore`: the booking being moved (its own time does not
    block its new one)."""
    clash = db.session.scalar(
        select(Booking.id).where(
            Booking.provider_id == offer.provider_id, Booking.status.in_(ACTIVE),
            Booking.start_at < end_at, Booking.end_at > start_at, Booking.id != (ignore or 0),
        ).limit(1)
    )
    if clash is not None:
        raise Conflict("this slot was just taken", code="slot_taken")
    day = start_at.date()
    free = offer_slots(offer, day - timedelta(days=1), day + timedelta(days=1), now,
                       ignore=ignore)
    if not any(s.start == start_at for s in free):
        raise Conflict("this slot is not available", code="slot_unavailable")




def _open_card_step(booking: Booking, now: datetime) -> dict:
    if booking.payment_mode == "hold":
        return _page_step(booking, now)
    cards.open_setup(booking, booking.client, f"booking:{booking.id}")
    return {"client_secret": booking.setup_client_secret, "intent": "setup"}


def _page_step(booking: Booking, now: datetime) -> dict:
    """The page intent's secret (the booking is locked by the caller)."""
    return cards.page_step(booking, now, ref=f"booking:{booking.id}", outcome=_hold_outcome,
                           new_hold=lambda b: _new_hold(b, off_session=False),
                           relock=lock_booking)


def lock_booking(booking_id: int) -> Booking:
    booking = db.session.get(Booking, booking_id, with_for_update=True, populate_existing=True)
    if booking is None:
        raise NotFound("booking not found")
    return booking


def attach_card(booking_id: int, payment_method: str, now: datetime, *,
                saved: bool = False) -> dict:
    """Save the client's card, then hold now (near call) or later (far call). `saved`: the
    card is one the client saved with this provider before (pay_with_saved_card checked the
    code that unlocks it): it is used as it is, on-session, without a new SetupIntent."""
    booking = lock_booking(booking_id)
    hold = booking.hold_payment()
    if hold is not None and hold.status == "requires_action":
        return {"status": "requires_action", "client_secret": pay.client_secret_of(hold)}
    if booking.status not in ("awaiting_card", "card_saved", "action_required"):
        raise Conflict(f"the booking is {booking.status}", code="invalid_state")
    if booking.start_at <= now:
        raise Conflict("this call has already started", code="too_late")
    if saved:
        pm = saved_cards.use_saved(booking, booking.client, payment_method)
    else:
        if not booking.stripe_setup_intent_id:  # a near call opened a page intent instead
            cards.guarded(lambda: cards.open_setup(booking, booking.client,
                                                   f"booking:{booking.id}"))
        pm = cards.confirmed_card(booking, booking.client, f"booking:{booking.id}",
                                  payment_method)
    if pm is None:
        return {"status": "requires_action", "client_secret": booking.setup_client_secret,
                "intent": "setup"}
    if cp.hold_mode(pay.policy(), now, booking.end_at) == "save_card":
        if booking.status != "card_saved":
            BOOKING_STATES.move(booking, "card_saved")
        db.session.commit()
        return {"status": "card_saved"}
    cards.guarded(lambda: cards.drop_page_intent(booking, now,
                                                 lambda: _next_hold_key(booking)))
    return place_hold(booking, off_session=False, now=now)


def _next_hold_key(booking: Booking) -> str:
    """The idempotency key of the booking's next try at a hold (the try is counted)."""
    booking.hold_attempts += 1
    return f"hold:booking:{booking.id}:{booking.hold_attempts}"


def place_hold(booking: Booking, *, off_session: bool, now: datetime) -> dict:
    """Hold the ceiling on the saved card. The booking is locked by the caller.

    A hold whose creation got no answer (timeout, crash) is sent again with the same key, so
    Stripe answers with the intent it already made instead of holding the card twice.
    """
    payment = booking.hold_payment()
    if payment is None or payment.status in ("failed", "released"):
        payment = _new_hold(booking, off_session)
    elif payment.status != "created":
        result = _hold_outcome(booking, payment, now)  # already held or waiting for 3-D Secure
        db.session.commit()
        return result
    booking_id, payment_id = booking.id, payment.id
    db.session.commit()  # key stored before the call
    payment = pay.lock(payment_id)  # held during the call: a concurrent try waits, then reads
    if payment.status == "created":
        pay.send_create(payment, customer=cards.customer_of(booking, booking.client), manual=True)
    booking = lock_booking(booking_id)
    result = _hold_outcome(booking, payment, now)
    db.session.commit()
    return result


def _new_hold(booking: Booking, off_session: bool):  # noqa: ANN202
    amount = cp.hold_ceiling(booking.pricing, booking.price_minor, booking.minimum_minutes,
                             booking.duration_minutes)
    return pay.new_payment(
        provider_id=booking.provider_id, client_id=booking.client_id, booking_id=booking.id,
        purpose="hold", amount=amount, currency=booking.currency, off_session=off_session,
        key=_next_hold_key(booking), payment_method=booking.stripe_payment_method_id)


def mark_held(booking: Booking, hold) -> None:  # noqa: ANN001
    """The hold is placed: the booking is secured, and the card the hold used (a page intent
    saves it) becomes the booking's, for overruns and late fees off-session."""
    cards.adopt_card(booking, hold)
    BOOKING_STATES.move(booking, "held")


def _hold_outcome(booking: Booking, payment, now: datetime) -> dict:  # noqa: ANN001
    if payment.status in ("held", "capture_pending", "captured"):
        if booking.status != "held":
            mark_held(booking, payment)
        return {"status": "held"}
    if payment.status == "created":  # no answer yet: the next try sends the same key
        return {"status": "pending"}
    if payment.status == "requires_action":
        if booking.status != "action_required":
            BOOKING_STATES.move(booking, "action_required")
        booking.authorize_requested_at = now
        return {"status": "requires_action", "client_secret": pay.client_secret_of(payment)}
    if booking.status != "action_required" and booking.status != "awaiting_card":
        BOOKING_STATES.move(booking, "action_required")
    booking.authorize_requested_at = now
    return {"status": "failed", "error": {"code": payment.last_error_code,
                                          "kind": payment.last_error_kind}}




def refresh_hold(booking_id: int, now: datetime) -> tuple[Booking, bool]:
    """After the page's card step (confirmCardPayment of the page intent, or 3-D Secure of a
    server-confirmed hold): read the hold back. True when this call secured the booking, so
    that it is confirmed once whether the page or a webhook comes first (both lock the row)."""
    booking = lock_booking(booking_id)
    hold = booking.hold_payment()
    if cards.is_page_intent(hold):
        cards.guarded(lambda: cards.read_page_intent(hold, now))
    moved = False
    if hold is not None and hold.status == "held" and booking.status in (
            "awaiting_card", "card_saved", "action_required"):
        mark_held(booking, hold)
        moved = True
    db.session.commit()
    return booking, moved


def card_setup(booking_id: int, now: datetime) -> dict:
    """The secret the page confirms: a near call's page intent (the open one, or a new one
    after a failed try), else the SetupIntent's (the open one, or a new one after a success).

    Used by the page that authorizes a payment after an off-session failure (new card or 3-D
    Secure), by a client who comes back to a booking left without a card, and by the booking
    page when it tries again.
    """
    booking = lock_booking(booking_id)
    if booking.status not in ("awaiting_card", "card_saved", "action_required"):
        raise Conflict(f"the booking is {booking.status}", code="invalid_state")
    if booking.payment_mode == "hold" and booking.status != "card_saved" and \
            booking.start_at > now:
        try:
            return _page_step(booking, now)
        except GatewayError as err:
            db.session.rollback()
            raise StripeUnavailable("the payment provider could not be reached") from err
    return cards.fresh_setup(booking, booking.client, f"booking:{booking.id}")
