"""Moving a call from the pages: the client picks a new time on the booking's signed page
(inside the free-cancel window), or answers the provider's proposal there; the provider
proposes a new time from the dashboard. The rules are `calls.reschedule`'s."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required

from skod.calls import notify, reschedule
from skod.calls.models import Booking
from skod.core.clock import parse_iso, utcnow
from skod.core.errors import DomainError
from skod.extensions import db
from skod.web import display
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm
from skod.web.manage import booking_or_404
from skod.web.public import hours_zone, slot_days


def _slots(booking: Booking, tz: str) -> list:
    return slot_days(booking.offer, hours_zone(booking.provider), tz, current_locale(), utcnow(),
                     ignore=booking.id)


def _page(booking: Booking, tz: str, action: str, back: str) -> str:
    locale = current_locale()
    return render_template("web/move.html", booking=booking, tz=tz, action=action, back=back,
                           form=ActionForm(), days=_slots(booking, tz),
                           now_booked=display.when(booking.start_at, tz, locale))


def _new_start():  # noqa: ANN202 - a datetime, or None for a missing or bad choice
    value = request.form.get("start_at", "")
    try:
        return parse_iso(value) if value else None
    except ValueError:
        return None


def _apply(run, done: str) -> bool:  # noqa: ANN001 - a callable that moves or proposes
    """Run the service; a refusal (slot taken, too late) becomes a message, nothing changed."""
    start = _new_start()
    if not ActionForm().validate_on_submit() or start is None:
        flash(_("Choose one of the times offered."), "error")
        return False
    try:
        run(start)
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
        return False
    flash(done, "success")
    return True


@bp.route("/b/<int:booking_id>/<token>/move", methods=["GET", "POST"])
def client_move(booking_id: int, token: str) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, token)
    manage = url_for("web.manage", booking_id=booking.id, token=token)
    if not reschedule.client_may_move(booking, utcnow()):
        flash(_("This call can no longer be moved here: cancel it or ask %(name)s.",
                name=booking.provider.name), "error")
        return redirect(manage)
    if request.method == "POST" and _apply(
            lambda start: notify.booking_moved(
                reschedule.move(booking.id, start, "client", utcnow())),
            _("Your call is moved. A new calendar invitation is on its way.")):
        return redirect(manage)
    return _page(booking, booking.client.timezone, request.path, manage)


@bp.post("/b/<int:booking_id>/<token>/proposal/<any(accept, decline):answer>")
def client_answer(booking_id: int, token: str, answer: str) -> ResponseReturnValue:
    booking = booking_or_404(booking_id, token)
    manage = url_for("web.manage", booking_id=booking.id, token=token)
    if not ActionForm().validate_on_submit() or booking.proposed_start_at is None:
        return redirect(manage)
    try:
        if answer == "accept":
            notify.booking_moved(reschedule.move(booking.id, booking.proposed_start_at,
                                                 "provider", utcnow()))
            flash(_("Your call is moved. A new calendar invitation is on its way."), "success")
        else:
            notify.move_declined(reschedule.decline(booking.id))
            flash(_("You keep the time booked."), "success")
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
    return redirect(manage)


@bp.route("/dashboard/bookings/<int:booking_id>/move", methods=["GET", "POST"])
@login_required
def provider_move(booking_id: int) -> ResponseReturnValue:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.provider_id != current_user.id:
        abort(404)
    if request.method == "POST" and _apply(
            lambda start: notify.move_proposed(reschedule.propose(booking.id, start, utcnow())),
            _("The new time is proposed to the client; the call moves when they accept.")):
        return redirect(url_for("web.dashboard"))
    return _page(booking, current_user.timezone, request.path, url_for("web.dashboard"))
