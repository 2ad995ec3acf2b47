"""Bad input answers 400, 404, 413 or 422 with the JSON error body, and changes nothing."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest
from sqlalchemy.exc import DataError

from tests import factories
from tests.conftest import STRIPE_WEBHOOK_SECRET
from tests.support.api import api


def _error(resp, status: int) -> dict:
    assert resp.status_code == status, (resp.status_code, resp.get_data(as_text=True)[:300])
    body = resp.get_json()
    assert set(body) == {"error"} and {"code", "message"} <= set(body["error"]), body
    return body["error"]


def _count(app, model) -> int:
    from skod.extensions import db

    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(model))


def _providers(app) -> int:
    from skod.accounts.models import Provider

    return _count(app, Provider)


SIGN_UP = {"email": "new@example.test", "password": "a long passphrase", "name": "New",
           "slug": "new-one", "timezone": "Europe/Paris"}


def test_a_body_that_is_not_json_is_400_and_creates_nothing(app, client):
    for body in ("x", '{"email": ', "\xff"):
        err = _error(client.post("/api/v1/providers", data=body,
                                 content_type="application/json"), 400)
        assert err["code"] == "malformed_json"
    err = _error(client.post("/api/v1/providers", json=[SIGN_UP]), 422)
    assert err["code"] == "invalid"
    assert _providers(app) == 0


def test_nul_bytes_are_refused_in_bodies_and_queries(app, client):
    prov = factories.provider(client)
    before = _providers(app)
    # in a body: the field is named, like every other control character (test_control_chars)
    err = _error(client.post("/api/v1/providers", json={**SIGN_UP, "name": "a\x00b"}), 422)
    assert err["fields"] == {"name": ["a NUL character is not accepted"]}
    _error(client.get(f"/api/v1/offers/{prov['offer_id']}/slots?from=2030-01-01%00&to=x"), 400)
    _error(client.get("/api/v1/providers/a%00b"), 400)
    assert _providers(app) == before


def test_ids_above_the_database_integer_are_404_in_paths_and_422_in_bodies(app, client):
    prov = factories.provider(client)
    for path in ("/api/v1/bookings/2147483648", "/api/v1/payments/99999999999999999999/refunds",
                 "/api/v1/offers/9223372036854775808/slots?from=2030-01-01&to=2030-01-02"):
        resp = client.get(path, headers={"Authorization": f"Bearer {prov['token']}"})
        assert _error(resp, 404)["code"] == "not_found"
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": 2**31, "start_at": "2030-01-01T10:00:00Z", "accept_terms": True,
        "client": {"email": "c@example.test", "name": "C"}})
    assert status == 422 and "offer_id" in body["error"]["fields"], body


@pytest.mark.parametrize("start", ["0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z",
                                   "1999-12-31T10:00:00Z", "2101-01-01T10:00:00Z"])
def test_dates_outside_the_supported_years_are_422(app, client, start):
    prov = factories.provider(client)
    status, body = api(client, "POST", "/api/v1/bookings", json={
        "offer_id": prov["offer_id"], "start_at": start, "accept_terms": True,
        "client": {"email": "c@example.test", "name": "C"}})
    assert status == 422 and "start_at" in body["error"]["fields"], body
    resp = client.get(f"/api/v1/offers/{prov['offer_id']}/slots?from={start[:10]}&to=2030-01-01")
    _error(resp, 422)


@pytest.mark.parametrize("amount", [0, 100_000_000, 2**31, 2**63 - 1, 2**70])
def test_prices_above_the_ceiling_are_422_and_no_offer_is_made(app, client, amount):
    from skod.catalog.models import Offer

    prov = factories.provider(client)
    before = _count(app, Offer)
    status, body = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "title": "Big", "duration_minutes": 30,
        "price": {"amount_minor": amount, "currency": "EUR"}})
    assert status == 422, body
    assert "amount_minor" in body["error"]["fields"]["price"]
    assert _count(app, Offer) == before


def test_the_amount_ceiling_itself_is_accepted(client):
    prov = factories.provider(client)
    status, body = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "title": "Top", "duration_minutes": 30,
        "price": {"amount_minor": 99_999_999, "currency": "EUR"}})
    assert status == 201, body


def test_refund_and_milestone_amounts_above_the_ceiling_are_422(client):
    prov = factories.provider(client)
    status, body = api(client, "POST", "/api/v1/payments/1/refund", token=prov["token"],
                       json={"amount_minor": 2**31})
    assert status == 422, body
    status, body = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "title": "P", "currency": "EUR", "client": {"email": "c@example.test", "name": "C"},
        "milestones": [{"title": "M", "amount_minor": 10**8, "expected_on": "2030-01-01"}]})
    assert status == 422, body


def test_texts_longer_than_their_column_are_422(app, client):
    long_email = "a" * 300 + "@example.test"
    status, body = api(client, "POST", "/api/v1/providers", json={**SIGN_UP,
                                                                   "email": long_email})
    assert status == 422 and "email" in body["error"]["fields"], body
    assert _providers(app) == 0


def test_bodies_above_the_api_limit_are_413_json(app, client):
    huge = {**SIGN_UP, "email": "a" * (1024 * 1024) + "@example.test"}
    err = _error(client.post("/api/v1/providers", json=huge), 413)
    assert err["code"] == "request_entity_too_large"
    assert _providers(app) == 0


def test_availability_and_slot_queries_are_bounded(client):
    prov = factories.provider(client)
    many = [[f"{h:02d}:00", f"{h:02d}:30"] for h in range(24)] + [["23:40", "23:50"]]
    status, body = api(client, "PUT", "/api/v1/availability", token=prov["token"],
                       json={"timezone": "Europe/Paris", "weekly": {"mon": many}})
    assert status == 422 and "weekly" in body["error"]["fields"], body
    resp = client.get(f"/api/v1/offers/{prov['offer_id']}/slots?from=2030-01-01&to=2030-03-05")
    assert "to" in _error(resp, 422)["fields"]


def test_a_message_offer_has_no_slots(client):
    prov = factories.provider(client)
    status, offer = api(client, "POST", "/api/v1/offers", token=prov["token"], json={
        "kind": "message", "title": "Ask", "price": {"amount_minor": 500, "currency": "EUR"}})
    assert status == 201, offer
    resp = client.get(f"/api/v1/offers/{offer['id']}/slots?from=2030-01-01&to=2030-01-02")
    _error(resp, 404)


def test_a_wrong_method_is_405_with_allow(client):
    resp = client.delete("/api/v1/providers")
    _error(resp, 405)
    assert "POST" in resp.headers["Allow"]


def _signed_post(client, raw: bytes):
    ts = int(time.time())
    sig = hmac.new(STRIPE_WEBHOOK_SECRET.encode(), f"{ts}.".encode() + raw,
                   hashlib.sha256).hexdigest()
    return client.post("/stripe/webhook", data=raw, content_type="application/json",
                       headers={"Stripe-Signature": f"t={ts},v1={sig}"})


GOOD = {"id": "evt_bad_1", "object": "event", "type": "charge.dispute.created",
        "created": 1, "data": {"object": {"id": "dp_1", "object": "dispute"}}}


@pytest.mark.parametrize("raw", [
    json.dumps({**GOOD, "id": {"x": 1}}).encode(),
    json.dumps({**GOOD, "id": 12}).encode(),
    json.dumps({**GOOD, "data": {"object": [1, 2]}}).encode(),
    json.dumps({**GOOD, "data": "x"}).encode(),
    json.dumps({**GOOD, "data": {"object": {"id": {"a": 1}}}}).encode(),
    json.dumps({**GOOD, "type": ["a"]}).encode(),
    json.dumps(GOOD).encode("utf-16"),
    json.dumps({**GOOD, "type": "a\x00b"}).encode(),
    b"not json",
    b"[1, 2]",
], ids=["id-object", "id-number", "object-list", "data-string", "object-id-object",
        "type-list", "utf16", "nul", "not-json", "array"])
def test_signed_webhook_bodies_of_the_wrong_shape_are_400_and_not_stored(app, client, raw):
    from skod.webhooks.models import StripeEvent

    err = _error(_signed_post(client, raw), 400)
    assert err["code"] == "bad_signature"
    assert _count(app, StripeEvent) == 0


def test_webhook_bodies_above_the_limit_are_413_and_not_stored(app, client):
    from skod.webhooks.models import StripeEvent

    big = {**GOOD, "data": {"object": {"id": "dp_1", "pad": "x" * (300 * 1024)}}}
    _error(_signed_post(client, json.dumps(big).encode()), 413)
    assert _count(app, StripeEvent) == 0


def test_a_database_error_of_input_is_a_json_422_not_a_500():
    """The last line of defence: a DataError the schemas missed is rolled back and answered."""
    from skod import create_app

    fresh = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})

    @fresh.get("/api/v1/_raise")
    def _raise():
        raise DataError("INSERT ...", {}, ValueError("value out of range"))

    resp = fresh.test_client().get("/api/v1/_raise")
    assert _error(resp, 422)["code"] == "invalid"
