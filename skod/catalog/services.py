"""Offers (create, edit, pause, resume, archive), availability and free slots of a provider."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select

from skod.accounts.models import Provider
from skod.catalog.models import OFFER_STATES, Availability, Offer
from skod.catalog.slots import Slot, free_slots
from skod.core.errors import Conflict, Invalid, NotFound
from skod.core.money import CurrencyError, check_currency
from skod.core.states import IllegalTransition
from skod.extensions import db

MAX_SLOT_RANGE_DAYS = 62


def create_offer(provider: Provider, data: dict) -> Offer:
    """A new offer of `data["kind"]`; the fields of the other kind are ignored."""
    offer = Offer(provider_id=provider.id, kind=data.get("kind", "call"))
    _apply_terms(offer, data)
    db.session.add(offer)
    db.session.commit()
    return offer


def update_offer(provider: Provider, offer_id: int, data: dict) -> Offer:
    """New terms for the provider's offer (its kind stays); bookings and questions already
    made keep the terms they copied. Nothing is changed when a term is refused."""
    offer = own_offer(provider, offer_id, for_update=True)
    if offer.status == "archived":
        raise Conflict("an archived offer cannot be changed", code="offer_archived")
    if data.get("kind", offer.kind) != offer.kind:
        raise Invalid("the kind of an offer cannot change", {"kind": ["cannot change"]})
    try:
        _apply_terms(offer, dict(data, kind=offer.kind))
    except Invalid:
        db.session.rollback()
        raise
    db.session.commit()
    return offer


def set_offer_status(provider: Provider, offer_id: int, status: str) -> Offer:
    """Pause, resume or archive the provider's offer (OFFER_STATES); a second click on the
    same button changes nothing; 409 `offer_archived` once archived."""
    offer = own_offer(provider, offer_id, for_update=True)
    if offer.status != status:
        try:
            OFFER_STATES.move(offer, status)
        except IllegalTransition as err:
            db.session.rollback()
            raise Conflict("an archived offer stays archived", code="offer_archived") from err
    db.session.commit()
    return offer


def own_offer(provider: Provider, offer_id: int, *, for_update: bool = False) -> Offer:
    """One of the provider's offers; 404 for another provider's, as for a missing one."""
    offer = db.session.get(Offer, offer_id, with_for_update=for_update)
    if offer is None or offer.provider_id != provider.id:
        raise NotFound("offer not found")
    return offer


def bookable_offer(offer_id: int, kind: str) -> Offer:
    """The offer a client books or asks: 404 when missing, archived or of another kind,
    409 `offer_unavailable` while the provider has paused it."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.kind != kind or offer.status == "archived":
        raise NotFound("offer not found")
    if offer.status != "active":
        raise Conflict("this offer is not available right now", code="offer_unavailable")
    return offer


def _apply_terms(offer: Offer, data: dict) -> None:
    """Write the terms of `offer.kind` from loaded API data (OfferCreateSchema)."""
    price = data["price"]
    try:
        currency = check_currency(price["currency"])
    except CurrencyError as err:
        raise Invalid(str(err), {"price": {"currency": ["unknown currency"]}}) from err
    if price["amount_minor"] <= 0:
        raise Invalid("the price must be positive", {"price": {"amount_minor": ["must be > 0"]}})
    offer.title, offer.description = data["title"], data.get("description")
    offer.price_minor, offer.currency = price["amount_minor"], currency
    if offer.kind == "message":
        _message_terms(offer, data)
    else:
        _call_terms(offer, data)
    set_place(offer, data.get("place"))


def set_place(offer: Offer, given: dict | None) -> None:
    """A call's meeting place (validated by the schema); a question has none."""
    if offer.kind != "call" or not given:
        offer.place_kind = offer.place_detail = None
        return
    offer.place_kind, offer.place_detail = given["kind"], given["detail"].strip()


def _call_terms(offer: Offer, data: dict) -> None:
    """A call: its duration and pricing; no reply window, length or attachments."""
    offer.duration_minutes = data.get("duration_minutes")
    offer.pricing = data.get("pricing", "flat")
    offer.minimum_minutes = data.get("minimum_minutes") or 0
    offer.late_cancel_fee_percent = data.get("late_cancel_fee_percent") or 0
    offer.reply_window_hours, offer.char_limit, offer.attachments_allowed = None, None, False


def _message_terms(offer: Offer, data: dict) -> None:
    """A paid question: a flat price per answer, a reply window inside the hold validity."""
    from skod.messages import policy  # pure rules of messages

    hours = data.get("reply_window_hours")
    if hours is None:
        hours = int(current_app.config["REPLY_WINDOW"].total_seconds() // 3600)
    problem = policy.window_error(policy.Windows.from_config(current_app.config), hours)
    if problem:
        raise Invalid("this reply window is not possible", {"reply_window_hours": [problem]})
    offer.duration_minutes, offer.pricing, offer.minimum_minutes = None, "flat", 0
    offer.late_cancel_fee_percent = 0  # a question is never cancelled late: no fee, no line
    offer.reply_window_hours = hours
    offer.char_limit = data.get("char_limit")
    offer.attachments_allowed = bool(data.get("attachments_allowed"))


def set_availability(provider: Provider, data: dict) -> Availability:
    avail = db.session.scalar(select(Availability).where(Availability.provider_id == provider.id))
    if avail is None:
        avail = Availability(provider_id=provider.id)
        db.session.add(avail)
    avail.timezone = data["timezone"]
    avail.weekly = data["weekly"]
    avail.buffer_minutes = data.get("buffer_minutes", 0)
    db.session.commit()
    return avail


def availability_of(provider_id: int) -> Availability | None:
    return db.session.scalar(select(Availability).where(Availability.provider_id == provider_id))


def offer_slots(offer: Offer, first: date, last: date, now: datetime,
                ignore: int | None = None) -> list[Slot]:
    """Free slots of `offer` for local dates first..last (provider's zone), as UTC; `ignore`:
    a booking being moved, whose own time stays free for it."""
    from skod.calls.models import ACTIVE, Booking  # calls builds on catalog, not the reverse

    if (last - first).days > MAX_SLOT_RANGE_DAYS:
        raise Invalid("the range is too long", {"to": [f"at most {MAX_SLOT_RANGE_DAYS} days"]})
    avail = availability_of(offer.provider_id)
    if avail is None or last < first:
        return []
    tz = ZoneInfo(avail.timezone)
    lo = datetime.combine(first, datetime.min.time(), tz) - timedelta(days=1)
    hi = datetime.combine(last, datetime.max.time(), tz) + timedelta(days=1)
    busy = [Slot(s, e) for s, e in db.session.execute(
        select(Booking.start_at, Booking.end_at).where(
            Booking.provider_id == offer.provider_id, Booking.status.in_(ACTIVE),
            Booking.start_at < hi, Booking.end_at > lo, Booking.id != (ignore or 0)))]
    return free_slots(
        weekly=avail.weekly, tz_name=avail.timezone, first=first, last=last,
        duration=timedelta(minutes=offer.duration_minutes),
        buffer=timedelta(minutes=avail.buffer_minutes), busy=busy,
        not_before=now + current_app.config["MIN_BOOKING_NOTICE"],
    )
