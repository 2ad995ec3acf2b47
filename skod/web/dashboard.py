"""The provider's dashboard: the money owed (total, and what happened since the last visit),
today's and upcoming calls, past calls, and the call buttons."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from flask import abort, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from skod.calls import lifecycle, notify, reschedule
from skod.calls.models import Booking
from skod.core.clock import iso, utcnow
from skod.core.errors import DomainError
from skod.dunning.debts import sweep_faults, what_next
from skod.dunning.receivables import labels as dunning_labels
from skod.dunning.receivables import overview
from skod.extensions import db
from skod.web import confirm, confirm_labels, display, refund_page
from skod.web.blueprint import bp, current_locale
from skod.web.forms import ActionForm, RefundForm

CANCELLABLE = ("awaiting_card", "card_saved", "action_required", "held")
#: calls that will not happen (again): filed under past calls whatever their date
OVER = ("completed", "cancelled", "payment_failed", "expired")
#: booking attempts the client left before the card step ended (the slot is free again): no
#: call took place and no bank refused anything, so they are no call of the provider's at all
ABANDONED = ("expired",)
PAST_LIMIT = 50


def _row(booking: Booking, tz: str, locale: str, now: datetime) -> dict:
    return {
        "b": booking, "when": display.when(booking.start_at, tz, locale),
        "time": display.hour(booking.start_at, tz, locale),
        "until": display.hour(booking.end_at, tz, locale),
        "status": display.status_word(booking.status),
        "payments": display.booking_payment_lines(booking, locale, provider=True),
        "net": display.net_charged(booking.payments, locale),
        "started_at": iso(booking.started_at),
        "can_start": lifecycle.may_start(booking, now),
        # a held call not yet startable says when Start will appear
        "start_opens": _start_opens(booking, tz, locale)
        if booking.status == "held" and not lifecycle.may_start(booking, now) else None,
        "can_end": booking.status == "in_progress",
        "can_cancel": booking.status in CANCELLABLE,
        "can_no_show": booking.status == "held" and now >= booking.start_at,
        "can_move": booking.status in reschedule.MOVABLE and now < booking.start_at,
        "refundable": refund_page.refund_rows(booking.payments, locale),
        # a call left unpaid: what Skod does about it, and the case's link
        "next": _next_steps(booking.id, locale, tz) if booking.status == "payment_failed"
        else None,
    }


def _start_opens(booking: Booking, tz: str, locale: str) -> str:
    """When Start appears: the hour, or the full date when that falls on the day before."""
    opens, zone = lifecycle.start_opens_at(booking), ZoneInfo(tz)
    if opens.astimezone(zone).date() == booking.start_at.astimezone(zone).date():
        return display.hour(opens, tz, locale)
    return display.when(opens, tz, locale)


def _calls(provider_id: int, now: datetime, tz: str) -> tuple[list, list, list]:
    """(today, upcoming, past) bookings; days are the provider's days. Today and upcoming hold
    only calls still to happen or in progress; past calls are the most recent first."""
    zone = ZoneInfo(tz)
    day_start = datetime.combine(now.astimezone(zone).date(), datetime.min.time(), zone)
    day_end = day_start + timedelta(days=1)
    mine = select(Booking).where(Booking.provider_id == provider_id,
                                 Booking.status.not_in(ABANDONED))
    over = Booking.status.in_(OVER)
    board = db.session.scalars(mine.where(Booking.end_at >= day_start, ~over)
                               .order_by(Booking.start_at)).all()
    today = [b for b in board if b.start_at < day_end]
    upcoming = [b for b in board if b.start_at >= day_end]
    past = db.session.scalars(mine.where((Booking.end_at < day_start) | over)
                              .order_by(Booking.start_at.desc()).limit(PAST_LIMIT)).all()
    return today, upcoming, past


def _money_owed(provider_id: int, now: datetime, tz: str, locale: str) -> dict:
    """The total still owed and what happened to the debts since the last visit (which this
    visit now becomes)."""
    previous = overview.visit(provider_id, now)
    return {"owed": {currency: display.money(amount, currency, locale)
                     for currency, amount in overview.totals(provider_id).items()},
            "since": display.when(previous, tz, locale),
            "news": dunning_labels.news(overview.since(provider_id, previous), locale),
            "stuck": sweep_faults.stuck_count(provider_id)}


@bp.get("/dashboard")
@login_required
def dashboard() -> ResponseReturnValue:
    now, tz, locale = utcnow(), current_user.timezone, current_locale()
    today, upcoming, past = _calls(current_user.id, now, tz)
    rows = {name: [_row(b, tz, locale, now) for b in group]
            for name, group in (("today", today), ("upcoming", upcoming), ("past", past))}
    money = _money_owed(current_user.id, now, tz, locale)
    return render_template("web/dashboard.html", rows=rows, form=ActionForm(), tz=tz,
                           refund_form=RefundForm(), money=money)


def _run(action: str, booking_id: int) -> None:
    now = utcnow()
    if action == "start":
        lifecycle.start_call(booking_id, now)
    elif action == "end":
        booking, ended_now = lifecycle.end_call(booking_id, now)
        if ended_now:
            notify.call_charged(booking)
    elif action == "cancel":
        booking = db.session.get(Booking, booking_id)
        was = booking.status
        booking = lifecycle.cancel_booking(booking_id, "provider", now)
        if booking.status != was:
            notify.booking_cancelled(booking)
    elif action == "no-show":
        notify.booking_cancelled(lifecycle.mark_no_show(booking_id, now))


DONE = {"start": _l("The call has started."), "end": _l("The call has ended."),
        "cancel": _l("The booking is cancelled."), "no-show": _l("The client is marked absent.")}


def _ask(action: str, booking: Booking) -> confirm.Ask | None:
    """The confirmation End and No-show need first (they capture); None when this action
    moves no money now (the service then refuses it or does nothing)."""
    back, locale = url_for("web.dashboard"), current_locale()
    if action == "end" and booking.status in ("held", "in_progress") \
            and booking.ended_at is None:
        return confirm_labels.end_call(booking, utcnow(), locale, back)
    if action == "no-show" and booking.status == "held":
        return confirm_labels.no_show(booking, locale, back)
    return None


@bp.post("/dashboard/bookings/<int:booking_id>/<action>")
@login_required
def booking_action(booking_id: int, action: str) -> ResponseReturnValue:
    booking = db.session.get(Booking, booking_id)
    if booking is None or booking.provider_id != current_user.id or action not in DONE:
        abort(404)
    if not ActionForm().validate_on_submit():
        abort(400)
    if (asked := confirm.before(lambda: _ask(action, booking))) is not None:
        return asked
    try:
        _run(action, booking_id)
    except DomainError as err:
        db.session.rollback()
        flash(display.error_text(err), "error")
    else:
        _said_after(booking_id, action)
    return redirect(url_for("web.dashboard"))


def _next_steps(booking_id: int, locale: str, tz: str) -> what_next.NextSteps | None:
    """The open debt of a call (its price or fee, else its overrun), said to the provider."""
    return (what_next.for_source(f"booking:{booking_id}", locale, tz)
            or what_next.for_source(f"overrun:booking:{booking_id}", locale, tz))


def _said_after(booking_id: int, action: str) -> None:
    """What the action did; when ending the call (or the no-show fee) ended in a refused
    charge, that at once, with what Skod does next (what_next.py)."""
    done = str(DONE[action])
    steps = None
    if action in ("end", "no-show"):
        steps = _next_steps(booking_id, current_locale(), current_user.timezone)
    if steps is None:
        flash(done, "success")
        return
    flash(what_next.flash_text(done, steps), "error")
