"""A capture that gets no answer is sent again; one that Stripe refuses marks payment_failed."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.support.api import api
from tests.support.call_faults import end_with_intent_gone
from tests.support.stripe_helpers import CARD_OK


def test_capture_during_stripe_outage_is_resumed_once(app, client, card_pm, stripe_raw,
                                                      stripe_emulator, now):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    stripe_emulator.stop()
    try:
        status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                           json={"minutes": 9}, token=prov["token"])
    finally:
        stripe_emulator.start()
    assert status == 200
    [payment] = body["payments"]
    assert payment["status"] == "capture_pending" and body["status"] == "held"
    # a second End does not send another capture
    assert api(client, "POST", f"/api/v1/bookings/{booking['id']}/end", json={"minutes": 9},
               token=prov["token"])[1]["payments"][0]["status"] == "capture_pending"
    f.tick(app, now + timedelta(minutes=2))
    body = f.get(client, booking)
    assert body["status"] == "completed" and body["payments"][0]["status"] == "captured"
    pi_id = payment["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 900
    f.tick(app, now + timedelta(minutes=4))  # nothing left to resume
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1


def test_capture_refused_by_stripe_marks_payment_failed(app, client, card_pm):
    _prov, _booking, body = end_with_intent_gone(app, client, card_pm)
    assert body["status"] == "payment_failed"
    [payment] = body["payments"]
    assert payment["status"] == "failed" and payment["last_error_code"]
    assert body["amount_due"] == 1000  # what is owed stays recorded for dunning
