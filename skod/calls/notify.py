"""E-mails of a call's life, to the client and the provider, in each one's language."""

from __future__ import annotations

from datetime import datetime

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from skod.calls import place
from skod.calls.models import Booking
from skod.core import formats
from skod.core.money import Money
from skod.core.signing import make_token
from skod.core.urls import public_url
from skod.invoicing.issuing import documents_for
from skod.notifications import ics, mail

#: a booking that no longer stands: its .ics cancels the event
GONE = ("cancelled", "expired")


def manage_url(booking: Booking) -> str:
    return public_url(f"/b/{booking.id}/{make_token('booking', booking.id)}")


def _when(booking: Booking, tz: str, locale: str) -> str:
    return formats.moment(booking.start_at, tz, locale)


def _details(booking: Booking, tz: str, locale: str,
             other: tuple[str, str] | None = None) -> list[tuple[str, str]]:
    """The call's facts; `other` is the other side (the provider for the client's copy)."""
    where = place.words(booking.offer.place_kind, booking.offer.place_detail)
    return [
        (_("Call"), booking.offer.title),
        other or (_("With"), booking.provider.name),
        (_("When"), _when(booking, tz, locale)),
        *([where] if where else []),
        _length(booking),
        (_("Reference"), f"#{booking.id}"),
    ]


def _length(booking: Booking) -> tuple[str, str]:
    """A call billed by the minute and ended gives the minutes billed (a 13-minute call is
    not "20 minutes"); before it ends, or at a flat price, the time booked."""
    if booking.pricing != "flat" and booking.minutes_billed is not None:
        return _("Minutes billed"), formats.minutes(booking.minutes_billed)
    return _("Duration"), formats.minutes(booking.duration_minutes)


def invitation(booking: Booking, now: datetime | None = None) -> bytes:
    """The booking's .ics: the meeting place as LOCATION, the place and the booking's page in
    the DESCRIPTION, CANCEL once it no longer stands."""
    offer, link, gone = booking.offer, manage_url(booking), booking.status in GONE
    where = place.words(offer.place_kind, offer.place_detail)
    said = [_("%(label)s: %(detail)s", label=where[0], detail=where[1])] if where else []
    description = "\n".join([*said, link])
    return ics.invitation(
        uid=f"booking-{booking.id}@skod", start=booking.start_at, end=booking.end_at,
        summary=f"{offer.title} - {booking.provider.name}", description=description,
        organizer_email=booking.provider.email, attendee_email=booking.client.email, url=link,
        status="CANCELLED" if gone else "CONFIRMED",
        location=place.location(offer.place_kind, offer.place_detail),
        # a cancelled booking changes no more: its CANCEL is one step past the last invitation
        sequence=booking.calendar_sequence + (1 if gone else 0), stamp=now)


def _send_client(booking: Booking, subject: str, paragraphs: list[str], action: str | None,
                 attachments: list | None = None, invoice_ids: list[int] | None = None) -> None:
    client = booking.client
    with force_locale(client.locale):
        ctx = {
            "greeting": _("Hello %(name)s,", name=client.name),
            "paragraphs": paragraphs, "action_url": manage_url(booking) if action else None,
            "action_label": action, "details": _details(booking, client.timezone, client.locale),
        }
    mail.send(mail.build(to=client.email, template="message", subject=subject, context=ctx,
                         locale=client.locale, attachments=attachments), invoice_ids)


def _send_provider(booking: Booking, subject: str, paragraphs: list[str]) -> None:
    provider = booking.provider
    with force_locale(provider.locale):
        ctx = {"greeting": _("Hello %(name)s,", name=provider.name), "paragraphs": paragraphs,
               "action_url": public_url("/dashboard"), "action_label": _("Open your dashboard"),
               # the provider's own copy names the client, not the provider
               "details": _details(booking, provider.timezone, provider.locale, (
                   _("Client"), f"{booking.client.name} <{booking.client.email}>"))}
    mail.send(mail.build(to=provider.email, template="message", subject=subject, context=ctx,
                         locale=provider.locale))


def booking_confirmed(booking: Booking) -> None:
    """Card secured: confirmation with the .ics and the manage link; the provider is told."""
    client = booking.client
    invite = invitation(booking)
    with force_locale(client.locale):
        held = booking.status == "held"
        ceiling = Money(booking.payments[-1].amount_requested_minor if booking.payments
                        else booking.price_minor, booking.currency).format(client.locale)
        lines = [_("Your call is booked."),
                 _("We hold %(amount)s on your card; you are charged only for the call.",
                   amount=ceiling) if held else
                 _("Your card is saved; the amount is held the day before the call.")]
        _send_client(booking, _("Your call with %(name)s is booked", name=booking.provider.name),
                     lines, _("Manage or cancel your booking"),
                     [("invitation.ics", "text/calendar", invite)])
    with force_locale(booking.provider.locale):
        _send_provider(booking, _("New booking #%(id)s", id=booking.id),
                       [_("A client booked a call and secured the payment.")])


def authorize_needed(booking: Booking) -> None:
    with force_locale(booking.client.locale):
        _send_client(booking, _("Action needed: authorize the payment of your call"),
                     [_("Your bank did not approve the payment for your call without you."),
                      _("Please confirm your card, or use another one, before the call; "
                        "otherwise the call will be cancelled.")],
                     _("Authorize the payment"))


def cancelled_unpaid(booking: Booking) -> None:
    with force_locale(booking.client.locale):
        _send_client(booking, _("Your call was cancelled"),
                     [_("The payment of your call could not be secured in time, so the call "
                        "was cancelled. You were not charged.")], None)
    with force_locale(booking.provider.locale):
        _send_provider(booking, _("Booking #%(id)s cancelled: payment not secured", id=booking.id),
                       [_("The client did not authorize the payment in time; the slot is free "
                          "again.")])


def booking_cancelled(booking: Booking) -> None:
    fee = booking.amount_due_minor or 0
    invoices = documents_for("booking", booking.id) if fee else []
    with force_locale(booking.client.locale):
        lines = [_("The call was cancelled.")]
        if fee:
            lines.append(_("A late-cancellation fee of %(amount)s applies.",
                           amount=Money(fee, booking.currency).format(booking.client.locale)))
        else:
            lines.append(_("The amount held on your card is released."))
        # the CANCEL removes the event the confirmation's invitation put in the calendar
        _send_client(booking, _("Your call was cancelled"), lines, None, invoice_ids=invoices,
                     attachments=[("cancel.ics", "text/calendar", invitation(booking))])
    with force_locale(booking.provider.locale):
        line = (_("You cancelled the call.") if booking.cancelled_by == "provider"
                else _("The client cancelled the call."))
        _send_provider(booking, _("Booking #%(id)s cancelled", id=booking.id), [line])


def call_charged(booking: Booking) -> None:
    if booking.status != "completed":
        return
    invoices = documents_for("booking", booking.id)
    with force_locale(booking.client.locale):
        amount = Money(booking.amount_due_minor or 0, booking.currency)
        _send_client(booking, _("Receipt for your call"),
                     [_charged_sentence(booking, amount.format(booking.client.locale))]
                     + ([_("Your invoice is attached.")] if invoices else []),
                     _("See your booking"), invoice_ids=invoices)


def _charged_sentence(booking: Booking, amount: str) -> str:
    """A flat price pays for the slot booked, whatever the minutes used: never "for N minutes"."""
    if booking.pricing == "flat":
        return ngettext("Your call is over. You were charged %(amount)s for the %(num)s-minute "
                        "call.", "Your call is over. You were charged %(amount)s for the "
                        "%(num)s-minute call.", booking.duration_minutes, amount=amount)
    return ngettext("Your call is over. You were charged %(amount)s for %(num)s minute.",
                    "Your call is over. You were charged %(amount)s for %(num)s minutes.",
                    booking.minutes_billed or 0, amount=amount)


def reminder(booking: Booking, hours: int) -> None:
    """The call is in `hours` hours: both sides get the time, the place and the booking's page."""
    with force_locale(booking.client.locale):
        _send_client(booking, _("Reminder: your call with %(name)s, %(when)s", name=(
            booking.provider.name), when=_when(booking, booking.client.timezone,
                                               booking.client.locale)),
                     [_in_hours(hours), _where_line(booking, False)], _("See your booking"))
    with force_locale(booking.provider.locale):
        _send_provider(booking, _("Reminder: call #%(id)s, %(when)s", id=booking.id, when=_when(
            booking, booking.provider.timezone, booking.provider.locale)),
            [_in_hours(hours), _where_line(booking, True)])


def _in_hours(hours: int) -> str:
    return ngettext("Your call starts in %(num)s hour.", "Your call starts in %(num)s hours.",
                    hours)


def _where_line(booking: Booking, provider: bool) -> str:
    where = place.words(booking.offer.place_kind, booking.offer.place_detail)
    if where is not None:
        return _("%(label)s: %(detail)s", label=where[0], detail=where[1])
    if provider:
        return _("Your offer names no meeting place: tell the client how to join the call.")
    return _("%(name)s tells you how to join the call.", name=booking.provider.name)


def booking_moved(booking: Booking) -> None:
    """The call moved: the client's calendar event is updated by the new invitation (same UID,
    higher SEQUENCE); the provider is told the new time."""
    with force_locale(booking.client.locale):
        _send_client(booking, _("Your call with %(name)s has moved", name=booking.provider.name),
                     [_("Your call now takes place on %(when)s. The price is unchanged.",
                        when=_when(booking, booking.client.timezone, booking.client.locale))],
                     _("See your booking"), [("invitation.ics", "text/calendar",
                                             invitation(booking))])
    with force_locale(booking.provider.locale):
        _send_provider(booking, _("Booking #%(id)s moved", id=booking.id), [
            _("The call now takes place on %(when)s.", when=_when(
                booking, booking.provider.timezone, booking.provider.locale))])


def move_proposed(booking: Booking) -> None:
    """The provider asks to move the call: the client answers on the booking's page."""
    client = booking.client
    with force_locale(client.locale):
        new = formats.moment(booking.proposed_start_at, client.timezone, client.locale)
        _send_client(booking, _("%(name)s proposes another time for your call",
                                name=booking.provider.name),
                     [_("%(name)s proposes to move your call to %(when)s, at the same price.",
                        name=booking.provider.name, when=new),
                      _("Accept or decline on your booking's page; until then the call stays "
                        "as booked.")], _("Answer"))


def move_declined(booking: Booking) -> None:
    with force_locale(booking.provider.locale):
        _send_provider(booking, _("Booking #%(id)s: the new time was declined", id=booking.id),
                       [_("The client keeps the time booked.")])
