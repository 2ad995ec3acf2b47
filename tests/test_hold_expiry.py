"""Holds that Stripe lets lapse (`cancellation_reason: expired`), told apart from our own
release; and charges below Stripe's minimum, never sent. Events come from the emulator."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.support.api import api
from tests.support.net import wait_until
from tests.support.stripe_helpers import CARD_OK


def _held_call(client, card_pm, **offer):
    prov = f.provider(client, **offer)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    return prov, booking


def _succeeded_intents(stripe_raw, customer: str) -> list[tuple[int, str]]:
    page = stripe_raw.v1.payment_intents.list(params={"customer": customer, "limit": 100})
    return sorted((pi["amount_received"], pi["status"]) for pi in page["data"]
                  if pi["status"] == "succeeded")


def test_a_hold_lapsing_before_the_call_asks_the_client_again(client, card_pm, stripe_emulator,
                                                              stripe_webhooks, outbox):
    prov, booking = _held_call(client, card_pm)
    [hold] = f.get(client, booking)["payments"]
    outbox.clear()
    stripe_emulator.expire_hold(hold["stripe_payment_intent_id"])
    wait_until(lambda: f.get(client, booking)["status"] == "action_required", timeout=20,
               what="booking asks to authorize again")
    [hold] = f.get(client, booking)["payments"]
    assert (hold["status"], hold["last_error_code"]) == ("released", "hold_expired")
    [mail] = outbox.to("client@example.test")
    assert f"/b/{booking['id']}/" in mail.get_body(("plain",)).get_content()


def test_a_capture_after_the_lapse_is_settled_from_stripe_and_charged_once(
        app, client, card_pm, stripe_raw, stripe_emulator):
    """The hold lapsed with no event seen (webhooks muted); End's capture is refused with
    payment_intent_unexpected_state, the intent is read back, and the call's price is charged
    once off-session on the saved card: one succeeded charge of 1500 at the emulator."""
    prov, booking = _held_call(client, card_pm)
    [hold] = f.get(client, booking)["payments"]
    stripe_emulator.expire_hold(hold["stripe_payment_intent_id"])
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 15}, token=prov["token"])
    assert status == 200, ended
    assert ended["status"] == "completed"
    hold, charge = ended["payments"]
    assert (hold["status"], hold["last_error_code"]) == ("failed", "hold_expired")
    assert (charge["purpose"], charge["status"], charge["amount_captured"]) == (
        "call_charge", "captured", 1500)
    customer = stripe_raw.v1.payment_intents.retrieve(
        charge["stripe_payment_intent_id"])["customer"]
    assert _succeeded_intents(stripe_raw, customer) == [(1500, "succeeded")]
    # End again, and a tick: nothing more is charged
    api(client, "POST", f"/api/v1/bookings/{booking['id']}/end", json={"minutes": 15},
        token=prov["token"])
    f.tick(app, f.start_in(timedelta(days=3)))
    assert _succeeded_intents(stripe_raw, customer) == [(1500, "succeeded")]


def test_an_overrun_below_stripes_minimum_is_waived_not_sent(client, card_pm, stripe_raw):
    # 20 minutes at 0.10 EUR: hold 2.00; 21 minutes: 0.10 beyond the hold, below 0.50
    prov, booking = _held_call(client, card_pm, price={"amount_minor": 10, "currency": "EUR"})
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 21}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed"
    hold, overrun = ended["payments"]
    assert (hold["status"], hold["amount_captured"]) == ("captured", 200)
    assert (overrun["purpose"], overrun["status"], overrun["last_error_code"]) == (
        "overrun", "waived", "below_minimum")
    assert overrun["stripe_payment_intent_id"] is None  # never sent to Stripe
    customer = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])[
        "customer"]
    intents = stripe_raw.v1.payment_intents.list(params={"customer": customer})["data"]
    assert [pi["amount"] for pi in intents if pi["status"] != "canceled"] == [200]
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    [invoice] = invoices  # the call, paid; no invoice for the waived 0.10
    assert (invoice["ttc_minor"], invoice["paid"]) == (200, True)
    assert "0,10" in _invoice_text(client, prov, invoice["id"])  # said on the invoice


def _invoice_text(client, prov, invoice_id: int) -> str:
    from io import BytesIO

    from pypdf import PdfReader

    resp = client.get(f"/api/v1/invoices/{invoice_id}/pdf",
                      headers={"Authorization": f"Bearer {prov['token']}"})
    assert resp.status_code == 200
    return "".join(page.extract_text() for page in PdfReader(BytesIO(resp.data)).pages)
