"""Far calls (card saved, hold placed by the scheduler), cancellations, abandoned bookings."""

from __future__ import annotations

from datetime import timedelta

from skod.core.clock import parse_iso
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE, CARD_OK


def test_far_call_saves_the_card_and_tick_places_the_hold(app, client, card_pm, stripe_raw):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    assert booking["payment"]["mode"] == "save_card"
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "card_saved"}
    assert f.get(client, booking)["payments"] == []  # no hold yet
    f.tick(app, start - timedelta(hours=25))
    assert f.get(client, booking)["payments"] == []
    f.tick(app, start - timedelta(hours=24))
    body = f.get(client, booking)
    assert body["status"] == "held"
    [hold] = body["payments"]
    pi = stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])
    assert (pi["status"], pi["amount"]) == ("requires_capture", 2000)
    f.tick(app, start - timedelta(hours=23))  # a second tick places nothing more
    assert len(f.get(client, booking)["payments"]) == 1


def test_off_session_decline_sends_authorize_link_then_cancels(app, client, card_pm, outbox):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start, email="late@example.test")
    assert f.pay(client, booking, card_pm(CARD_OFF_SESSION_DECLINE).id)["status"] == "card_saved"
    assert not f.slot_free(client, prov["offer_id"], start)
    outbox.clear()
    f.tick(app, start - timedelta(hours=24))
    body = f.get(client, booking)
    assert body["status"] == "action_required"
    assert body["payments"][0]["status"] == "failed"
    assert body["payments"][0]["last_error_code"] == "generic_decline"  # the decline code
    [mail] = outbox.to("late@example.test")
    text = mail.get_body(("plain",)).get_content()
    assert f"/b/{booking['id']}/" in text
    f.tick(app, start - timedelta(hours=3))
    assert f.get(client, booking)["status"] == "action_required"
    outbox.clear()
    f.tick(app, start - timedelta(hours=2))
    body = f.get(client, booking)
    assert (body["status"], body["cancel_reason"]) == ("cancelled", "not_authorized")
    assert f.slot_free(client, prov["offer_id"], start)
    assert len(outbox.to("late@example.test")) == 1 and len(outbox.to(prov["email"])) == 1


def test_authorize_link_lets_the_client_pay_with_another_card(app, client, card_pm):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    f.pay(client, booking, card_pm(CARD_OFF_SESSION_DECLINE).id)
    f.tick(app, start - timedelta(hours=24))
    assert f.get(client, booking)["status"] == "action_required"
    status, setup = api(client, "POST", f"/api/v1/bookings/{booking['id']}/card-setup",
                        token=booking["client_token"])
    assert status == 200 and setup["client_secret"].startswith("seti_")
    # The real clock is 10 days before the call: the new card is saved, the hold comes later.
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "card_saved"


def test_free_cancel_releases_the_hold(client, card_pm, stripe_raw):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "cancelled" and body["cancelled_by"] == "client"
    [hold] = body["payments"]
    assert hold["status"] == "released"
    assert stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])["status"] \
        == "canceled"


def test_late_cancel_captures_the_fee(client, card_pm, stripe_raw):
    prov = f.provider(client)  # 20 min x 1.00 EUR scheduled, fee 50 % of that
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel",
                       token=booking["client_token"])
    assert status == 200 and body["status"] == "cancelled"
    [hold] = body["payments"]
    assert (hold["status"], hold["amount_captured"]) == ("captured", 1000)
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 1000


def test_provider_cancel_releases_even_late(client, card_pm, stripe_raw):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(hours=5)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/cancel",
                       token=prov["token"])
    assert status == 200 and body["cancelled_by"] == "provider"
    pi_id = body["payments"][0]["stripe_payment_intent_id"]
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "canceled"


def test_abandoned_booking_frees_its_slot(app, client):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=2))
    booking = f.book(client, prov["offer_id"], start)
    assert not f.slot_free(client, prov["offer_id"], start)
    created = parse_iso(f.get(client, booking)["start_at"]) - timedelta(days=2)
    f.tick(app, created + timedelta(hours=1))
    assert f.get(client, booking)["status"] == "expired"
    assert f.slot_free(client, prov["offer_id"], start)


def test_unfinished_3ds_on_a_near_call_frees_the_slot_after_the_ttl(app, client, card_pm,
                                                                   stripe_raw, now):
    from tests.support.stripe_helpers import CARD_3DS

    prov = f.provider(client)
    start = f.start_in(timedelta(hours=3))  # inside AUTH_DEADLINE + 1 h: the page has time
    booking = f.book(client, prov["offer_id"], start)
    pm = card_pm(CARD_3DS).id
    setup = f.pay(client, booking, pm)
    stripe_raw.v1.setup_intents.confirm(setup["client_secret"].split("_secret_")[0])
    assert f.pay(client, booking, pm)["status"] == "requires_action"
    f.tick(app, now + timedelta(minutes=5))  # the client is still on the page
    assert f.get(client, booking)["status"] == "action_required"
    f.tick(app, now + timedelta(minutes=31))  # PENDING_BOOKING_TTL is 30 minutes
    body = f.get(client, booking)
    assert (body["status"], body["cancel_reason"]) == ("expired", "abandoned")
    pi_id = body["payments"][0]["stripe_payment_intent_id"]
    assert stripe_raw.v1.payment_intents.retrieve(pi_id)["status"] == "canceled"
    assert f.slot_free(client, prov["offer_id"], start)


def test_slots_respect_the_minimum_notice(client):
    prov = f.provider(client)
    too_soon = f.start_in(timedelta(minutes=0))  # the next whole hour: under one hour away
    assert not f.slot_free(client, prov["offer_id"], too_soon)
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": too_soon.isoformat(), "accept_terms": True,
        "client": {"email": "soon@example.test", "name": "Soon"}})
    assert status == 409 and body["error"]["code"] == "slot_unavailable"
