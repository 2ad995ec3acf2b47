"""Words shown on the pages: prices, statuses, payment terms; dates and money through
skod.core.formats."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import available_timezones

from flask import current_app
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from skod.core import formats, validation_words
from skod.payments import capture_policy as cp
from skod.payments import decline_labels
from skod.payments.disputes import status_words

ZONES = frozenset(available_timezones())

STATUS_WORDS = {
    "awaiting_card": _l("Waiting for the card"),
    "card_saved": _l("Card saved, payment held the day before"),
    "action_required": _l("Payment to authorize"),
    "held": _l("Confirmed, payment held"),
    "in_progress": _l("In progress"),
    "completed": _l("Completed"),
    "payment_failed": _l("Payment failed"),
    "cancelled": _l("Cancelled"),
    "expired": _l("Expired"),
}

PURPOSE_WORDS = {
    "hold": _l("Call"),
    "overrun": _l("Extra minutes"),
    "late_cancel_fee": _l("Late-cancellation fee"),
    "call_charge": _l("Call (charged after the hold expired)"),
    "answer": _l("Answer"),
    "deposit": _l("Deposit"),
    "milestone": _l("Milestone"),
    "recovery": _l("Payment of an unpaid amount"),
}

def zone(name: str | None, fallback: str) -> str:
    """`name` when it is a known time zone, else `fallback`."""
    return name if name in ZONES else fallback


# the pages' names for the formats of skod.core.formats (one way to write them everywhere)
money = formats.money


def when(dt: datetime, tz: str, locale: str) -> str:
    """Full date and time in `tz` with the zone: "mardi 3 juin 2025, 14:00 (CEST)"."""
    return formats.moment(dt, tz, locale)


def day_label(dt: datetime, tz: str, locale: str) -> str:
    return formats.local_day(dt, tz, locale, "EEEE d MMMM")


def hour(dt: datetime, tz: str, locale: str) -> str:
    """"14:00" in French, "2:00 PM" in English."""
    return formats.clock(dt, tz, locale)


def status_word(status: str) -> str:
    return str(STATUS_WORDS.get(status, status))


def price_words(terms, locale: str) -> str:  # noqa: ANN001 - an Offer or a Booking
    """"90,00 €" (flat) or "1,50 € per minute (minimum 10 minutes)"."""
    price = money(terms.price_minor, terms.currency, locale)
    if terms.pricing == "flat":
        return price
    if terms.minimum_minutes:
        return ngettext("%(price)s per minute (minimum %(num)s minute)",
                        "%(price)s per minute (minimum %(num)s minutes)",
                        terms.minimum_minutes, price=price)
    return _("%(price)s per minute", price=price)


def hold_amount(terms) -> int:  # noqa: ANN001
    return cp.hold_ceiling(terms.pricing, terms.price_minor, terms.minimum_minutes or 0,
                           terms.duration_minutes)


def fee_amount(terms) -> int:  # noqa: ANN001
    return cp.late_cancel_fee(terms.pricing, terms.price_minor, terms.minimum_minutes or 0,
                              terms.duration_minutes, terms.late_cancel_fee_percent or 0)


def terms_lines(terms, locale: str) -> list[str]:  # noqa: ANN001
    """The cancellation and overrun terms, in words, as the client accepts them."""
    hours = int(current_app.config["FREE_CANCEL_HOURS"].total_seconds() // 3600)
    held = money(hold_amount(terms), terms.currency, locale)
    lines = [_("Free cancellation until %(n)s hours before the call.", n=hours)]
    pct = terms.late_cancel_fee_percent or 0
    if pct:
        lines.append(_("Later, or if you do not come, a late-cancellation fee of %(pct)s %% "
                       "of the price (%(amount)s) is charged.", pct=pct,
                       amount=money(fee_amount(terms), terms.currency, locale)))
    if terms.pricing == "flat":
        lines.append(_("%(amount)s is held on your card and charged when the call ends.",
                       amount=held))
    else:
        lines.append(ngettext("%(amount)s is held on your card (rate × %(num)s scheduled "
                              "minute); you pay only the minutes used.",
                              "%(amount)s is held on your card (rate × %(num)s scheduled "
                              "minutes); you pay only the minutes used.",
                              terms.duration_minutes, amount=held))
        lines.append(_("Minutes beyond the scheduled time are charged to the same card as a "
                       "second payment."))
    lines.append(_("The provider can cancel at any time: the amount held is then released."))
    return lines


def purpose_word(purpose: str | None) -> str:
    """A payment's purpose in words; never the code (an unknown one reads "Payment")."""
    return str(PURPOSE_WORDS.get(purpose or "", _l("Payment")))


# the pages' name for the payment domain's words of a failure
failure_words = decline_labels.failure_words


def booking_payment_lines(booking, locale: str,  # noqa: ANN001
                          provider: bool = False) -> list[str]:
    """A call's payments in words; the hold of a call cancelled late (or a no-show) was
    captured as the fee, so it is named as the fee, not as the call."""
    fee_taken = booking.status == "cancelled" and bool(booking.amount_due_minor)
    fee_word = _("No-show fee") if booking.cancel_reason == "no_show" else str(
        PURPOSE_WORDS["late_cancel_fee"])
    return [payment_line(p, locale, fee_word if fee_taken and p.purpose == "hold" else None,
                         provider) for p in booking.payments]


def payment_line(payment, locale: str, label: str | None = None,  # noqa: ANN001
                 provider: bool = False) -> str:
    """One payment's state in words: "Call: 20,00 € held", "Deposit: failed. The card has
    expired." — purpose and decline codes never reach the page; `label` names it instead.
    The provider's pages read why it failed as a fact ("insufficient funds on the client's
    card"), never the card holder's advice ("please use another card")."""
    purpose = label or purpose_word(payment.purpose)
    cur = payment.currency
    words = {
        "created": _("being set up"),
        "requires_action": _("waiting for the card holder's authentication"),
        "held": _("%(amount)s held", amount=money(payment.amount_held_minor, cur, locale)),
        "capture_pending": _("being charged"),
        "processing": _("debit in progress at the bank"),
        "captured": _charged_words(payment, locale),
        "released": _("released, nothing charged"),
        "refunded": _charged_words(payment, locale),
        "failed": _("failed (%(why)s)", why=decline_labels.provider_words(
            payment.last_error_code, payment.last_error_kind)) if provider
        else _("failed. %(why)s", why=failure_words(payment.last_error_code)),
        "waived": _("%(amount)s not charged: below the minimum card payment",
                    amount=money(payment.amount_requested_minor, cur, locale)),
    }
    if payment.status == "released" and payment.last_error_code == "hold_expired":
        words["released"] = _("the hold expired at the bank, nothing charged")
    if payment.dispute_status:
        return _("%(purpose)s: %(state)s (disputed by the client: %(dispute)s)",
                 purpose=purpose, state=words.get(payment.status, payment.status),
                 dispute=status_words(payment.dispute_status))
    return _("%(purpose)s: %(state)s", purpose=purpose,
             state=words.get(payment.status, payment.status))


def _charged_words(payment, locale: str) -> str:  # noqa: ANN001
    """What a captured payment cost the client and, with a platform fee, what the provider
    receives of it (the fee kept, net of its refunded part)."""
    words = _client_charged_words(payment, locale)
    fee = (payment.application_fee_minor or 0) - (payment.application_fee_refunded_minor or 0)
    if fee <= 0:
        return words
    cur = payment.currency
    kept = payment.amount_captured_minor - min(payment.amount_refunded_minor or 0,
                                               payment.amount_captured_minor)
    return _("%(words)s; platform fee %(fee)s, you receive %(rest)s", words=words,
             fee=money(fee, cur, locale), rest=money(kept - fee, cur, locale))


def _client_charged_words(payment, locale: str) -> str:  # noqa: ANN001
    """What a captured payment finally cost the client: never the gross alone after a refund."""
    cur, charged = payment.currency, payment.amount_captured_minor
    refunded = min(payment.amount_refunded_minor or 0, charged)
    if not refunded:
        return _("%(amount)s charged", amount=money(charged, cur, locale))
    if refunded >= charged:
        return _("%(charged)s charged, refunded in full",
                 charged=money(charged, cur, locale))
    return _("%(charged)s charged, %(refunded)s refunded: %(net)s net",
             charged=money(charged, cur, locale), refunded=money(refunded, cur, locale),
             net=money(charged - refunded, cur, locale))


def net_charged(payments, locale: str) -> str | None:  # noqa: ANN001
    """The call's total kept from the client (captures less refunds), one currency; None
    when nothing was charged."""
    kept = [p for p in payments if p.status in ("captured", "refunded")]
    if not kept:
        return None
    net = sum(p.amount_captured_minor - min(p.amount_refunded_minor or 0,
                                            p.amount_captured_minor) for p in kept)
    return money(net, kept[0].currency, locale)


def cancel_fee(booking, now: datetime) -> int:  # noqa: ANN001
    """The fee the client pays by cancelling now (0: free), as lifecycle.cancel_booking takes it."""
    from skod.payments.services import policy

    hold = booking.hold_payment()
    held = hold is not None and hold.status == "held"
    outcome = cp.cancellation(policy(), now, booking.start_at, "client",
                              booking.late_cancel_fee_percent)
    if outcome == "fee" and (held or booking.stripe_payment_method_id):
        return fee_amount(booking)
    return 0


def cancel_preview(booking, now: datetime, locale: str) -> str:  # noqa: ANN001
    """What cancelling now would cost the client, in words (as lifecycle.cancel_booking does)."""
    fee = cancel_fee(booking, now)
    if fee:
        return _("Cancelling now costs the late-cancellation fee of %(amount)s.",
                 amount=money(fee, booking.currency, locale))
    hold = booking.hold_payment()
    if hold is not None and hold.status == "held":
        return _("Cancelling now is free: the amount held is released.")
    return _("Cancelling now is free.")


ERROR_WORDS = {
    "not_held": _l("This call is not paid, so it cannot start or be charged."),
    "invalid_state": _l("This is not possible in the booking's current state."),
    "too_late": _l("It is too late for this."),
}


def error_text(err) -> str:  # noqa: ANN001 - a DomainError
    """A domain error in the page's language when we know its code, else its message."""
    if err.code == "too_early":
        minutes = int(current_app.config["START_EARLY"].total_seconds() // 60)
        return ngettext("Too early: this call can be started from %(num)s minute before its "
                        "start time.", "Too early: this call can be started from %(num)s "
                        "minutes before its start time.", minutes)
    return str(ERROR_WORDS.get(err.code) or validation_words.message(err.message))


def js_messages() -> dict:
    """Texts the booking script shows, in the page's language."""
    return {
        "slot_taken": _("This time was just taken. Please choose another one."),
        "pick_slot": _("Please choose a time."),
        # the booking page shown again (back button) after this tab booked; {when}: its time
        "booked_here": _("You have booked this call: {when}."),
        "form_used": _("This form has already booked a call. Choose a time to book another "
                       "one."),
        "required": _("This field is required."),
        "accept_terms": _("Please accept the terms."),
        "iban_failed": _("This bank account could not be used. Check the IBAN."),
        "debit_failed": _("The direct debit was refused. Please pay by card."),
        "card_failed": _("The card was not accepted. Check it or use another card."),
        "network": _("The connection failed. Please try again."),
        "working": _("Please wait..."),
        "failed": _("The payment was not authorized. Please try again or use another card."),
        "too_late": _("It is too late to pay for this call."),
        # the pay page's intent was cancelled: the debt was settled another way meanwhile
        "already_settled": _("This debt is already settled: nothing more will be charged."),
        # the saved card of a returning client (static/js/saved-card.js)
        "invalid_code": _("This is not the code we sent. Check it and try again."),
        "code_expired": _("This code no longer works (expired, used, or too many tries). "
                          "Ask for a new one."),
        "saved_card_unavailable": _("Your saved card can no longer be used. Please enter a "
                                    "card below."),
        "too_many_codes": _("Too many codes were asked for. Please wait a little, or enter "
                            "a card below."),
        # {brand}, {last4}, {expiry} are filled in by the page
        "saved_card_label": _("Your saved card: {brand} ending in {last4}, expires {expiry}"),
        # Stripe.js reports errors in English: the card pages show these instead, by code
        "declines": {code: str(text) for code, text in decline_labels.WORDS.items()},
    }
