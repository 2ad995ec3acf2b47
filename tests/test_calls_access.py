"""Who may touch a booking, bad input, and the double End race on PostgreSQL."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def test_double_end_captures_once(app, card_pm, stripe_raw, outbox):
    client = app.test_client()
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    outbox.clear()
    barrier = threading.Barrier(2)
    results: list[tuple[int, dict]] = []

    def end() -> None:
        c = app.test_client()
        barrier.wait()
        results.append(api(c, "POST", f"/api/v1/bookings/{booking['id']}/end",
                           json={"minutes": 12}, token=prov["token"]))

    threads = [threading.Thread(target=end) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(s for s, _ in results) == [200, 200]
    body = f.get(client, booking)
    assert body["status"] == "completed" and len(body["payments"]) == 1
    pi_id = body["payments"][0]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, pi_id) == 1200
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1  # exactly one capture acted
    assert len(outbox.to("client@example.test")) == 1  # one receipt


def test_other_provider_gets_404_and_client_token_is_scoped(client, card_pm):
    alice, bob = f.provider(client), f.provider(client)
    a1 = f.book(client, alice["offer_id"], f.start_in(timedelta(days=1)))
    a2 = f.book(client, alice["offer_id"], f.start_in(timedelta(days=1, hours=2)),
                email="other@example.test")
    path = f"/api/v1/bookings/{a1['id']}"
    assert api(client, "GET", path, token=bob["token"])[0] == 404
    assert api(client, "POST", f"{path}/cancel", token=bob["token"])[0] == 404
    assert api(client, "POST", f"{path}/end", json={}, token=bob["token"])[0] == 404
    assert api(client, "GET", path, token=alice["token"])[0] == 200
    assert api(client, "GET", path, token=a1["client_token"])[0] == 200
    # client token of booking 2 on booking 1: nothing to see
    assert api(client, "GET", path, token=a2["client_token"])[0] == 404
    assert api(client, "POST", f"{path}/payment-method", json={"payment_method": "pm_x"},
               token=a2["client_token"])[0] == 404
    assert api(client, "POST", f"{path}/cancel", token=a2["client_token"])[0] == 404
    # a client cannot act as the provider, and nobody gets in without a token
    assert api(client, "POST", f"{path}/start", token=a1["client_token"])[0] == 403
    assert api(client, "GET", path)[0] == 401
    assert api(client, "GET", path, token="forged.token.value")[0] == 404
    # the provider list shows only the provider's own bookings
    status, listed = api(client, "GET", "/api/v1/bookings", token=bob["token"])
    assert status == 200 and listed == []


def test_slot_taken_is_409_and_changes_nothing(client):
    prov = f.provider(client)
    start = f.start_in(timedelta(days=1))
    f.book(client, prov["offer_id"], start)
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": start.isoformat(), "accept_terms": True,
        "client": {"email": "second@example.test", "name": "Second"}})
    assert status == 409 and body["error"]["code"] == "slot_taken"
    status, listed = api(client, "GET", "/api/v1/bookings", token=prov["token"])
    assert len(listed) == 1


@pytest.mark.parametrize(
    ("change", "status", "field"),
    [
        ({"start_at": "2020-01-01T10:00:00Z"}, 422, "start_at"),
        ({"accept_terms": False}, 422, "accept_terms"),
        ({"client": {"email": "not-an-email", "name": "X"}}, 422, "client"),
        ({"offer_id": 999999}, 404, None),
        ({"start_at": "tomorrow"}, 422, "start_at"),
    ],
)
def test_bad_booking_input(client, change, status, field):
    prov = f.provider(client)
    payload = {"offer_id": prov["offer_id"], "accept_terms": True,
               "start_at": f.start_in(timedelta(days=1)).isoformat(),
               "client": {"email": "c@example.test", "name": "C"}}
    payload.update(change)
    got, body = api(client, "POST", "/api/v1/bookings", json=payload)
    assert got == status, body
    assert "message" in body["error"]
    if field:
        assert field in body["error"]["fields"]
    assert api(client, "GET", "/api/v1/bookings", token=prov["token"])[1] == []


@pytest.mark.parametrize(
    ("price", "field"),
    [({"amount_minor": 0, "currency": "EUR"}, "price"),
     ({"amount_minor": -5, "currency": "EUR"}, "price"),
     ({"amount_minor": 1000, "currency": "XYZ"}, "price")],
)
def test_bad_offer_is_422(client, price, field):
    prov = f.provider(client)
    status, body = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "title": "x", "duration_minutes": 30, "pricing": "flat", "price": price})
    assert status == 422 and field in body["error"]["fields"]
    assert len(api(client, "GET", "/api/v1/offers", token=prov["token"])[1]) == 1


def test_start_refuses_an_unpaid_call(client):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/start",
                       token=prov["token"])
    assert status == 409 and body["error"]["code"] == "not_held"


def test_openapi_document_lists_the_api(client):
    status, doc = api(client, "GET", "/api/openapi.json")
    assert status == 200
    for path in ("/api/v1/bookings", "/api/v1/bookings/{booking_id}/end",
                 "/api/v1/offers/{offer_id}/slots", "/api/v1/providers", "/api/v1/auth/tokens"):
        assert path in doc["paths"], path
