"""What a call costs when it does not happen as booked: the no-show fee, the late fee charged
off-session when no hold is placed yet, and the minimum billed for a started call.

Amounts are checked at the emulator, not only on our rows. Where the rule needs an instant the
real clock cannot give (after the start of a call booked an hour ahead), the service is called
with `now`, as the API and the scheduler call it.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

#: a flat 90.00 EUR call with a 40 % late-cancel fee: fee 36.00, rest 54.00
FLAT = {"pricing": "flat", "duration_minutes": 30, "late_cancel_fee_percent": 40,
        "price": {"amount_minor": 9000, "currency": "EUR"}}


def test_no_show_captures_the_fee_from_the_hold_and_releases_the_rest(app, client, card_pm,
                                                                      stripe_raw):
    from skod.calls import lifecycle

    prov = f.provider(client, **FLAT)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    start = parse_iso(f.get(client, booking)["start_at"])
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/no-show",
                       token=prov["token"])
    assert status == 409  # not before the start: the client may still come
    with app.app_context():
        lifecycle.mark_no_show(booking["id"], start + timedelta(minutes=15))
    body = f.get(client, booking)
    assert (body["status"], body["cancel_reason"], body["amount_due"]) == (
        "cancelled", "no_show", 3600)
    [hold] = body["payments"]
    assert (hold["purpose"], hold["status"], hold["amount_captured"]) == ("hold", "captured",
                                                                         3600)
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"]) == ("succeeded", 9000)  # the hold was the whole price
    assert f.captured_at_emulator(stripe_raw, pi["id"]) == 3600  # 54.00 released to the card


def test_late_cancel_without_a_hold_charges_the_fee_off_session(app, client, card_pm,
                                                                stripe_raw):
    from skod.calls import lifecycle

    prov = f.provider(client, **FLAT)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "card_saved"}
    assert f.get(client, booking)["payments"] == []  # the hold comes HOLD_LEAD before the start
    with app.app_context():  # the client cancels 20 h before, the hold not placed yet
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=20))
    body = f.get(client, booking)
    assert (body["status"], body["cancelled_by"], body["amount_due"]) == ("cancelled", "client",
                                                                          3600)
    [fee] = body["payments"]
    assert (fee["purpose"], fee["status"], fee["amount_captured"]) == ("late_cancel_fee",
                                                                       "captured", 3600)
    pi = stripe_raw.v1.payment_intents.retrieve(fee["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("succeeded", 3600,
                                                                   "automatic")
    assert f.captured_at_emulator(stripe_raw, pi["id"]) == 3600
    with app.app_context():  # cancelling again charges nothing more
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=19))
    assert len(f.get(client, booking)["payments"]) == 1


def test_early_cancel_without_a_hold_charges_nothing(app, client, card_pm):
    from skod.calls import lifecycle

    prov = f.provider(client, **FLAT)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    f.pay(client, booking, card_pm(CARD_OK).id)
    with app.app_context():
        lifecycle.cancel_booking(booking["id"], "client", start - timedelta(hours=25))
    body = f.get(client, booking)
    assert (body["status"], body["payments"]) == ("cancelled", [])


def _held_per_minute(client, card_pm, minimum: int) -> tuple[dict, dict]:
    prov = f.provider(client, minimum_minutes=minimum)  # 1.00 EUR a minute, 20 scheduled
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    return prov, booking


@pytest.mark.usefixtures("start_any_time")
def test_a_short_started_call_is_billed_the_offer_minimum(client, card_pm, stripe_raw):
    prov, booking = _held_per_minute(client, card_pm, minimum=5)
    path = f"/api/v1/bookings/{booking['id']}"
    assert api(client, "POST", f"{path}/start", token=prov["token"])[0] == 200
    status, ended = api(client, "POST", f"{path}/end", json={}, token=prov["token"])  # timer
    assert status == 200 and ended["status"] == "completed"
    assert ended["minutes_billed"] <= 1 and ended["amount_due"] == 500
    [hold] = ended["payments"]
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 500


def test_a_started_call_is_billed_at_least_one_minute(app, client, card_pm, stripe_raw):
    from skod.calls import lifecycle

    _prov, booking = _held_per_minute(client, card_pm, minimum=0)
    start = parse_iso(f.get(client, booking)["start_at"])
    with app.app_context():  # ended within the second it started: still its first minute
        lifecycle.start_call(booking["id"], start)
        lifecycle.end_call(booking["id"], start)
    body = f.get(client, booking)
    assert (body["status"], body["minutes_billed"], body["amount_due"]) == ("completed", 1, 100)
    [hold] = body["payments"]
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 100
