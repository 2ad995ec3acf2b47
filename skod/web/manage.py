"""The client's booking page (signed link): details, payment state, cancel, authorize, .ics."""

from __future__ import annotations

from flask import Response, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from skod.calls import lifecycle, notify, place, reschedule
from skod.calls.models import Booking
from skod.core.clock import utcnow
from skod.core.errors import DomainError
from skod.core.signing import signed_or_404
from skod.extensions import db
from skod.invoicing import queries
from skod.web import confirm, confirm_labels, display
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm

CANCELLABLE = ("awaiting_card", "card_saved", "action_required", "held")
TO_AUTHORIZE = ("awaiting_card", "action_required")


def booking_or_404(booking_id: int, token: str) -> Booking:
    return signed_or_404(Booking, "booking", booking_id, token)


def _view(booking: Booking, token: str) -> dict:
    locale, tz = current_locale(), booking.client.timezone
    return {
        "booking": booking, "token": token, "tz": tz,
        "when": display.when(booking.start_at, tz, locale),
        "until": display.hour(booking.end_at, tz, locale),
        "status": display.status_word(booking.status),
        "payments": display.booking_payment_lines(booking, locale),
        "terms": _terms(booking, locale),
        "price": display.price_words(booking, locale),
        "place": place.words(booking.offer.place_kind, booking.offer.place_detail),
        "calendar": booking.status not in notify.GONE,
        "can_cancel": booking.status in CANCELLABLE,
        "can_move": reschedule.client_may_move(booking, utcnow()),
        "proposal": display.when(booking.proposed_start_at, tz, locale)
        if booking.proposed_start_at and booking.status in reschedule.MOVABLE else None,
        "cancel_preview": display.cancel_preview(booking, utcnow(), locale),
        "authorize": booking.status in TO_AUTHORIZE,
        "form": ActionForm(),
        "config": {"booking_id": booking.id, "client_token": token,
                   "manage_url": url_for("web.manage", booking_id=booking.id, token=token),
                   "name": booking.client.name, "email": booking.client.email,
                   "messages": display.js_messages()},
    }


def _terms(booking: Booking, locale: str) -> list[str]:
    """The terms while the call stands; once it no longer does, what became of the hold
    (a cancelled call's page never says an amount "is held" any more)."""
    if booking.status not in notify.GONE:
        return display.terms_lines(booking, locale)
    if booking.status == "expired":  # the card step was left: no bank refused anything
        return [_("This booking was not completed: the card step was not finished in time. "
                  "The time is free again and nothing was charged.")]
    fee = booking.amount_due_minor or 0
    if fee:
        return [_("The booking is cancelled. A late-cancellation fee of %(amount)s was "
                  "charged; the rest of the amount held on your card is released.",
                  amount=display.money(fee, booking.currency, locale))]
    return [_("The booking is cancelled. The amount held on your card is released: nothing "
              "was charged.")]


@bp.get("/b/<int:booking_id>/<token>")
def manage(booking_id: int, token: str) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, token)
    return render_template("web/manage.html", **_view(booking, token),
                           invoices=queries.for_client("booking", booking.id))


@bp.post("/b/<int:booking_id>/<token>/cancel")
def manage_cancel(booking_id: int, token: str) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, token)
    back = url_for("web.manage", booking_id=booking_id, token=token)
    if not ActionForm().validate_on_submit():
        return redirect(back)
    # it may cost the late fee: say so and ask first (free ones too: the slot is lost)
    asked = confirm.before(lambda: confirm_labels.client_cancel(
        booking, utcnow(), current_locale(), back) if booking.status in CANCELLABLE else None)
    if asked is not None:
        return asked
    was = booking.status
    try:
        booking = lifecycle.cancel_booking(booking.id, "client", utcnow())
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
    else:
        if booking.status != was:
            notify.booking_cancelled(booking)
        flash(_("Your booking is cancelled."), "success")
    return redirect(back)


@bp.get("/b/<int:booking_id>/<token>/invite.ics")
def manage_ics(booking_id: int, token: str) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, token)
    body = notify.invitation(booking, utcnow())
    return Response(body, mimetype="text/calendar", headers={
        "Content-Disposition": f'attachment; filename="booking-{booking.id}.ics"'})
