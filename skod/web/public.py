"""Public pages: the landing page, a provider's page and the booking page of one offer."""

from __future__ import annotations

import secrets
from collections import OrderedDict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, make_response, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import ngettext
from sqlalchemy import select

from skod.accounts import public_profile
from skod.accounts.models import Provider
from skod.catalog.models import Offer
from skod.catalog.services import availability_of, bookable_offer, offer_slots
from skod.core import formats
from skod.core.clock import iso, utcnow
from skod.core.errors import Conflict, NotFound
from skod.extensions import db
from skod.web import booking_window, calendar, display
from skod.web.blueprint import bp, current_locale

SLOT_DAYS = 14


@bp.get("/")
def landing() -> ResponseReturnValue:
    return render_template("web/landing.html")


def provider_or_404(slug: str) -> Provider:
    provider = db.session.scalar(select(Provider).where(Provider.slug == slug))
    if provider is None:
        abort(404)
    return provider


@bp.get("/p/<slug>")
def provider_page(slug: str) -> ResponseReturnValue:
    provider = provider_or_404(slug)
    offers = db.session.scalars(select(Offer).where(
        Offer.provider_id == provider.id, Offer.status == "active", Offer.kind == "call")
        .order_by(Offer.id)).all()
    locale = current_locale()
    cards = [{"offer": o, "price": display.price_words(o, locale),
              "fee": o.late_cancel_fee_percent} for o in offers]
    questions = [{"offer": o, "price": display.money(o.price_minor, o.currency, locale)}
                 for o in db.session.scalars(select(Offer).where(
                     Offer.provider_id == provider.id, Offer.status == "active",
                     Offer.kind == "message").order_by(Offer.id))]
    return render_template("web/provider.html", provider=provider, cards=cards,
                           questions=questions,
                           languages=public_profile.language_names(provider, locale))


def hours_zone(provider: Provider) -> str:
    """The zone the provider's weekly hours are kept in (their own zone until they set hours)."""
    avail = availability_of(provider.id)
    return avail.timezone if avail else provider.timezone


def slot_days(offer: Offer, provider_tz: str, tz: str, locale: str, now: datetime,
              ignore: int | None = None, days: tuple[date, date] | None = None) -> list:
    """Free slots of the next SLOT_DAYS days (or of `days`, first and last), grouped by day
    in the client's zone `tz` (`ignore`: a booking being moved)."""
    first = now.astimezone(ZoneInfo(provider_tz)).date()
    first, last = days or (first, first + timedelta(days=SLOT_DAYS - 1))
    slots = offer_slots(offer, first, last, now, ignore=ignore)
    days: OrderedDict[str, dict] = OrderedDict()
    for slot in slots:
        key = slot.start.astimezone(ZoneInfo(tz)).date().isoformat()
        day = days.setdefault(key, {"date": key, "label": display.day_label(slot.start, tz, locale),
                                    "slots": []})
        day["slots"].append({"value": iso(slot.start), "label": display.hour(slot.start, tz,
                                                                            locale)})
    return list(days.values())


def bookable_or_abort(provider: Provider, offer_id: int, kind: str) -> Offer:
    """The provider's offer a client opens: 404 when missing or archived; while it is paused,
    a page that says so (409), as the API answers `offer_unavailable`."""
    offer = db.session.get(Offer, offer_id)
    if offer is None or offer.provider_id != provider.id:
        abort(404)
    try:
        return bookable_offer(offer_id, kind)
    except NotFound:
        abort(404)
    except Conflict:
        abort(make_response(render_template("web/offer_paused.html", provider=provider,
                                            offer=offer), 409))


@bp.get("/p/<slug>/o/<int:offer_id>")
def book_page(slug: str, offer_id: int) -> ResponseReturnValue:
    """The booking page. `tz`: the visitor's zone (the page's script reads it without a
    reload; the hours' zone until then), `month` ("2027-01"): the month navigation, `day`:
    the day whose times are open."""
    provider = provider_or_404(slug)
    offer = bookable_or_abort(provider, offer_id, "call")
    provider_tz = hours_zone(provider)
    tz = display.zone(request.args.get("tz"), provider_tz)
    locale, now = current_locale(), utcnow()
    shown = booking_window.window(now.astimezone(ZoneInfo(tz)).date(), request.args.get("month"))
    days = slot_days(offer, provider_tz, tz, locale, now, days=(shown.first, shown.last))
    config = {"offer_id": offer.id, "timezone": tz, "locale": locale,
              "has_tz": "tz" in request.args, "messages": display.js_messages(),
              # one token per form shown: sent twice, it finds the booking it made
              "form_token": secrets.token_urlsafe(24)}
    return render_template(
        "web/book.html", provider=provider, offer=offer, tz=tz, config=config, days=days,
        months=month_view(days, shown, tz, locale), window=shown,
        zones=booking_window.zone_choices(ZONE_CHOICES, locale),
        open_day=booking_window.open_day(days, request.args.get("day")),
        zone_words=booking_window.zone_words(tz, now, locale),
        price=display.price_words(offer, locale), terms=display.terms_lines(offer, locale))


#: the time-zone switcher's choices: every region/city zone of the tz database
ZONE_CHOICES = tuple(sorted(z for z in display.ZONES
                           if "/" in z and not z.startswith(("Etc/", "SystemV/"))))


def month_view(days: list, shown: booking_window.Window, tz: str, locale: str) -> list:
    """The month calendar of the bookable days (skod.web.calendar)."""
    counts = {date.fromisoformat(d["date"]): len(d["slots"]) for d in days}
    labels = {day: ngettext("%(day)s, %(num)s free time", "%(day)s, %(num)s free times", n,
                            day=formats.day(day, locale, "EEEE d MMMM"))
              for day, n in counts.items()}
    return calendar.months(labels, counts, shown.first, shown.last, locale)
