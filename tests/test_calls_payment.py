"""Paid calls against the Stripe emulator over HTTP and PostgreSQL: hold, capture, overrun."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_3DS, CARD_OK, js_headers


def _held_call(client, card_pm, **offer):
    prov = f.provider(client, **offer)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert booking["payment"]["mode"] == "hold"
    assert booking["payment"]["client_secret"].startswith("pi_")  # the page intent
    assert booking["payment"]["intent"] == "payment"
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    return prov, booking


@pytest.mark.usefixtures("start_any_time")
def test_near_per_minute_call_captures_exact_minutes(client, card_pm, stripe_raw, outbox):
    prov, booking = _held_call(client, card_pm)
    hold = f.get(client, booking)["payments"][0]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"], pi["capture_method"]) == ("requires_capture", 2000,
                                                                   "manual")
    assert hold["capture_before"] is not None
    # confirmation mail with the invitation and the manage link
    confirm = outbox.to("client@example.test")[0]
    assert any(p.get_filename() == "invitation.ics" for p in confirm.iter_attachments())
    assert f"/b/{booking['id']}/" in confirm.get_body(("plain",)).get_content()

    tok = prov["token"]
    assert api(client, "POST", f"/api/v1/bookings/{booking['id']}/start", token=tok)[0] == 200
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 17}, token=tok)
    assert status == 200 and ended["status"] == "completed"
    assert ended["amount_due"] == 1700
    [payment] = ended["payments"]
    assert (payment["status"], payment["amount_captured"], payment["amount_held"]) == (
        "captured", 1700, 0)
    assert f.captured_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == 1700


def test_flat_call_captures_the_flat_price(client, card_pm, stripe_raw):
    prov, booking = _held_call(client, card_pm, pricing="flat", duration_minutes=30,
                               price={"amount_minor": 9000, "currency": "EUR"})
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 41}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed"
    pi_id = ended["payments"][0]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 9000


def test_overrun_captures_hold_and_charges_the_rest(client, card_pm, stripe_raw):
    prov, booking = _held_call(client, card_pm)  # 20 minutes at 1.00 EUR: hold 20.00
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 25}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed"
    hold, overrun = ended["payments"]
    assert (hold["purpose"], hold["amount_captured"]) == ("hold", 2000)
    assert (overrun["purpose"], overrun["status"], overrun["amount_captured"]) == (
        "overrun", "captured", 500)
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 2000
    second = stripe_raw.v1.payment_intents.retrieve(overrun["stripe_payment_intent_id"])
    assert (second["status"], second["amount"]) == ("succeeded", 500)


def test_three_d_secure_card_through_the_api(client, card_pm, stripe_raw, authenticate_3ds):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    pm = card_pm(CARD_3DS).id
    first = f.pay(client, booking, pm)
    assert first["status"] == "requires_action" and first["intent"] == "setup"
    # the client completes the card's challenge (what Stripe.js does on the page)
    setup_id = first["client_secret"].split("_secret_")[0]
    stripe_raw.v1.setup_intents.confirm(setup_id)
    second = f.pay(client, booking, pm)
    assert second["status"] == "requires_action"  # the hold itself asks for 3-D Secure
    pi_id = second["client_secret"].split("_secret_")[0]
    authenticate_3ds(pi_id, second["client_secret"])
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/confirm",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "held"
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "requires_capture"


def test_auto_capture_when_the_provider_forgets(app, client, card_pm, stripe_raw):
    prov, booking = _held_call(client, card_pm)
    body = f.get(client, booking)
    assert body["status"] == "held"
    end_at = parse_iso(body["end_at"])
    f.tick(app, end_at + timedelta(hours=1))
    assert f.get(client, booking)["status"] == "held"  # still inside the grace
    f.tick(app, end_at + timedelta(hours=2, minutes=1))
    done = f.get(client, booking)
    assert done["status"] == "completed" and done["amount_due"] == 2000
    assert f.captured_at_emulator(stripe_raw, done["payments"][0]["stripe_payment_intent_id"]) \
        == 2000


def test_declined_card_is_402_and_another_card_can_follow(client, card_pm, stripe_raw):
    from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/payment-method",
                       json={"payment_method": card_pm(CARD_OFF_SESSION_DECLINE).id},
                       token=booking["client_token"])
    assert status == 402 and body["error"]["fields"]["payment_method"] == ["generic_decline"]
    after = f.get(client, booking)
    assert after["status"] == "awaiting_card" and after["payments"][0]["status"] == "failed"
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "held"}
    statuses = [p["status"] for p in f.get(client, booking)["payments"]]
    assert statuses == ["failed", "held"]


def test_zero_minutes_owed_releases_instead_of_capturing(client, card_pm, stripe_raw):
    prov, booking = _held_call(client, card_pm)  # per minute, no minimum
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 0}, token=prov["token"])
    assert status == 200 and ended["status"] == "completed" and ended["amount_due"] == 0
    [hold] = ended["payments"]
    assert (hold["status"], hold["amount_captured"]) == ("released", 0)
    assert stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])["status"] \
        == "canceled"


def test_page_intent_confirmed_once_by_webhook_then_page(app, client, card_pm, stripe_raw,
                                                         outbox):
    """The page confirms the page intent; the webhook comes first, then the page's /confirm:
    the booking is held with the intent's card saved, and confirmed (one e-mail) once."""
    from skod.calls.models import Booking
    from skod.core.clock import utcnow
    from skod.extensions import db
    from skod.payments.events import intent_changed

    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    secret = booking["payment"]["client_secret"]
    pi_id = secret.split("_secret_")[0]
    pm = card_pm(CARD_OK).id
    # What Stripe.js confirmCardPayment does with the publishable key and the client secret.
    r = requests.post(f"{app.config['STRIPE_API_BASE']}/v1/payment_intents/{pi_id}/confirm",
                      json={"key": app.config["STRIPE_PUBLISHABLE_KEY"], "client_secret": secret,
                            "payment_method": pm}, headers=js_headers(), timeout=10)
    assert r.status_code == 200 and r.json()["status"] == "requires_capture", r.text
    with app.app_context():
        intent_changed({"id": pi_id, "object": "payment_intent"}, utcnow(), prov["account"])
        row = db.session.get(Booking, booking["id"])
        assert (row.status, row.stripe_payment_method_id) == ("held", pm)
    assert len(outbox.to("client@example.test")) == 1
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/confirm",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "held"
    [hold] = body["payments"]
    assert (hold["status"], hold["amount_held"]) == ("held", 2000)
    assert len(outbox.to("client@example.test")) == 1
