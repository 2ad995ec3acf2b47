"""The emulator answers as Stripe does at the pinned API version (scripts/emulator/).

Each test drives the emulator with the stripe SDK (or `requests` where the SDK cannot do wrong)
and checks one rule of the strict layer: refused parameters and versions, pinned response
shapes, idempotent replay, off-session 3-D Secure, and the test controls with the webhook events
they send (received by a small HTTP server here, signatures verified).
"""

from __future__ import annotations

import uuid

import pytest
import requests
import stripe

from tests.support import stripe_helpers
from tests.support.receiver import receiving
from tests.support.stripe_helpers import CARD_3DS, CARD_OK, create_card_pm

HOOK_SECRET = "whsec_contract_test"
HOLD_WINDOW = 7 * 24 * 3600
CARD_REFUND_PENDING = "4000000000007726"
CARD_REFUND_FAILS = "4000000000005126"


# --- helpers -----------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def receiver(stripe_emulator):
    yield from receiving(stripe_emulator, HOOK_SECRET, "contract")


@pytest.fixture
def customer_with(stripe_raw):
    """customer_with(number) -> (customer id, attached card PaymentMethod id)."""
    return lambda number=CARD_OK: stripe_helpers.saved_card(stripe_raw, number)


def hold(stripe_raw, customer_with, amount: int = 5000, number: str = CARD_OK, **extra):
    customer, pm = customer_with(number)
    params = {"amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
              "capture_method": "manual", "confirm": True,
              "allowed_payment_method_types": ["card"]}
    params.update(extra)
    return stripe_raw.v1.payment_intents.create(params=params)


def paid(stripe_raw, customer_with, number: str = CARD_OK, amount: int = 4000):
    customer, pm = customer_with(number)
    return stripe_raw.v1.payment_intents.create(params={
        "amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
        "confirm": True, "automatic_payment_methods": {"enabled": True,
                                                       "allow_redirects": "never"}})


def assert_pinned_intent(obj: dict) -> None:
    assert "charges" not in obj
    assert obj["latest_charge"] is None or isinstance(obj["latest_charge"], str)
    for field in ("amount_capturable", "amount_received", "cancellation_reason",
                  "capture_method", "setup_future_usage"):
        assert field in obj, field


def test_stripe_js_is_served(stripe_emulator):
    r = requests.get(stripe_emulator.js_url, timeout=10)
    assert r.status_code == 200
    assert "confirmCardSetup" in r.text and r.headers["Content-Type"].startswith(
        "application/javascript")


# --- parameters and version --------------------------------------------------------------------
def test_payment_method_types_refused_on_payment_intent(stripe_raw):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.create(params={
            "amount": 1000, "currency": "eur", "payment_method_types": ["card"]})
    assert exc.value.http_status == 400
    assert exc.value.code == "payment_method_types_no_longer_supported"
    assert exc.value.param == "payment_method_types"


def test_payment_method_types_refused_on_setup_intent(stripe_raw):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.setup_intents.create(params={"payment_method_types": ["card"]})
    assert exc.value.http_status == 400
    assert exc.value.code == "payment_method_types_no_longer_supported"


def test_unknown_nested_parameter_refused(stripe_raw):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.create(params={
            "amount": 1000, "currency": "eur",
            "payment_method_options": {"card": {"capture_method": "manual", "bogus": "1"}}})
    assert exc.value.code == "parameter_unknown"
    assert exc.value.param == "payment_method_options[card][bogus]"
    assert "Received unknown parameter: payment_method_options[card][bogus]" in str(exc.value)


def test_request_option_is_not_a_body_parameter(stripe_emulator):
    r = requests.post(f"{stripe_emulator.base_url}/v1/customers",
                      data={"email": "a@example.org", "idempotency_key": "x"},
                      headers={"Authorization": "Bearer sk_test_skod",
                               "Stripe-Version": stripe.api_version}, timeout=10)
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "idempotency_key"


@pytest.mark.parametrize("version", [None, "2020-08-27"])
def test_request_without_the_pinned_version_refused(stripe_emulator, version):
    headers = {"Authorization": "Bearer sk_test_skod"}
    if version:
        headers["Stripe-Version"] = version
    r = requests.get(f"{stripe_emulator.base_url}/v1/customers", headers=headers, timeout=10)
    assert r.status_code == 400
    error = r.json()["error"]
    assert error["type"] == "invalid_request_error"
    assert error["code"] == "api_version_invalid"
    ok = requests.get(f"{stripe_emulator.base_url}/v1/customers", timeout=10,
                      headers=dict(headers, **{"Stripe-Version": stripe.api_version}))
    assert ok.status_code == 200


# --- shapes ------------------------------------------------------------------------------------
@pytest.mark.parametrize("methods", [
    {"allowed_payment_method_types": ["card"]},
    {"automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}},
])
def test_manual_capture_hold_in_pinned_shape(stripe_raw, customer_with, methods):
    customer, pm = customer_with()
    pi = stripe_raw.v1.payment_intents.create(params={
        "amount": 5000, "currency": "eur", "customer": customer, "payment_method": pm,
        "capture_method": "manual", "confirm": True, **methods})
    assert pi.status == "requires_capture"
    assert isinstance(pi.latest_charge, str)
    assert "charges" not in pi
    assert pi.amount_capturable == 5000
    assert pi.amount_received == 0
    expanded = stripe_raw.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]})
    charge = expanded.latest_charge
    assert charge.id == pi.latest_charge
    assert charge.payment_method_details.card.capture_before == charge.created + HOLD_WINDOW
    assert charge.amount_captured == 0


def test_partial_capture_releases_the_rest_without_a_refund(stripe_raw, customer_with):
    pi = hold(stripe_raw, customer_with, amount=5000)
    captured = stripe_raw.v1.payment_intents.capture(pi.id, params={"amount_to_capture": 3000})
    assert captured.status == "succeeded"
    assert captured.amount_received == 3000
    assert captured.amount_capturable == 0
    charge = stripe_raw.v1.charges.retrieve(captured.latest_charge)
    assert charge.amount_captured == 3000
    # Stripe's Charge: amount_refunded counts refunds; the released rest is not one.
    assert charge.amount_refunded == 0
    assert charge.refunded is False
    assert stripe_raw.v1.refunds.list(params={"payment_intent": pi.id}).data == []


# --- idempotency -------------------------------------------------------------------------------
def test_idempotent_replay_mismatch_and_restart(stripe_raw, stripe_emulator):
    email = f"{uuid.uuid4()}@example.org"
    key = f"contract-{uuid.uuid4()}"
    first = stripe_raw.v1.customers.create(params={"email": email},
                                           options={"idempotency_key": key})
    again = stripe_raw.v1.customers.create(params={"email": email},
                                           options={"idempotency_key": key})
    assert again.id == first.id
    assert again.last_response.headers.get("Idempotent-Replayed") == "true"
    assert len(stripe_raw.v1.customers.list(params={"email": email}).data) == 1
    with pytest.raises(stripe.IdempotencyError):
        stripe_raw.v1.customers.create(params={"email": "other@example.org"},
                                       options={"idempotency_key": key})
    stripe_emulator.restart()
    after = stripe_raw.v1.customers.create(params={"email": email},
                                           options={"idempotency_key": key})
    assert after.id == first.id
    assert len(stripe_raw.v1.customers.list(params={"email": email}).data) == 1


# --- 3-D Secure --------------------------------------------------------------------------------
def test_off_session_3ds_is_a_card_error(stripe_raw, customer_with, stripe_emulator,
                                         authenticate_3ds):
    customer, pm = customer_with(CARD_3DS)
    with pytest.raises(stripe.CardError) as exc:
        stripe_raw.v1.payment_intents.create(params={
            "amount": 2500, "currency": "eur", "customer": customer, "payment_method": pm,
            "capture_method": "manual", "confirm": True, "off_session": True})
    assert exc.value.code == "authentication_required"
    intent = exc.value.error.payment_intent
    assert intent.status == "requires_payment_method"
    assert intent.last_payment_error.code == "authentication_required"
    # The customer comes back on-session: Stripe.js confirms with the card, then 3-D Secure.
    r = requests.post(f"{stripe_emulator.base_url}/v1/payment_intents/{intent.id}/confirm",
                      json={"key": "pk_test_skod", "client_secret": intent.client_secret,
                            "payment_method": pm}, timeout=10)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "requires_action"
    assert authenticate_3ds(intent.id, intent.client_secret)["status"] == "requires_capture"


# --- test controls and their events ------------------------------------------------------------
def test_refund_pending_then_succeeded(stripe_raw, stripe_emulator, customer_with, receiver):
    pi = paid(stripe_raw, customer_with, CARD_REFUND_PENDING)
    refund = stripe_raw.v1.refunds.create(params={"payment_intent": pi.id, "amount": 1500})
    assert refund.status == "pending"
    assert refund.payment_intent == pi.id and refund.charge == pi.latest_charge
    settled = stripe_emulator.settle_refund(refund.id)
    assert settled["status"] == "succeeded"
    events = receiver.wait_for(refund.id, {"refund.created", "refund.updated",
                                           "charge.refund.updated"})
    assert events["refund.updated"]["status"] == "succeeded"
    charge = receiver.wait_for(pi.latest_charge, {"charge.refunded"})["charge.refunded"]
    assert charge["amount_refunded"] == 1500 and charge["amount_captured"] == 4000


def test_refund_fails_later(stripe_raw, stripe_emulator, customer_with, receiver):
    pi = paid(stripe_raw, customer_with, CARD_REFUND_FAILS)
    refund = stripe_raw.v1.refunds.create(params={"payment_intent": pi.id})
    assert refund.status == "succeeded" and refund.amount == 4000
    assert stripe_raw.v1.charges.retrieve(pi.latest_charge).amount_refunded == 4000
    failed = stripe_emulator.fail_refund(refund.id)
    assert failed["status"] == "failed"
    assert failed["failure_reason"] == "lost_or_stolen_card"
    assert stripe_raw.v1.charges.retrieve(pi.latest_charge).amount_refunded == 0
    events = receiver.wait_for(refund.id, {"refund.failed", "refund.updated"})
    assert events["refund.failed"]["status"] == "failed"


def test_hold_lapse_then_capture_refused(stripe_raw, stripe_emulator, customer_with, receiver):
    pi = hold(stripe_raw, customer_with)
    expired = stripe_emulator.expire_hold(pi.id)
    assert expired["status"] == "canceled"
    assert expired["cancellation_reason"] == "expired"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.capture(pi.id)
    assert exc.value.code == "payment_intent_unexpected_state"
    assert exc.value.error.payment_intent.status == "canceled"
    events = receiver.wait_for(pi.id, {"payment_intent.amount_capturable_updated",
                                       "payment_intent.canceled"})
    assert events["payment_intent.canceled"]["cancellation_reason"] == "expired"
    assert events["payment_intent.amount_capturable_updated"]["amount_capturable"] == 5000
    for obj in events.values():
        assert_pinned_intent(obj)


def test_api_cancel_sends_canceled_with_its_reason(stripe_raw, customer_with, receiver):
    pi = hold(stripe_raw, customer_with)
    canceled = stripe_raw.v1.payment_intents.cancel(
        pi.id, params={"cancellation_reason": "requested_by_customer"})
    assert canceled.cancellation_reason == "requested_by_customer"
    event = receiver.wait_for(pi.id, {"payment_intent.canceled"})["payment_intent.canceled"]
    assert event["cancellation_reason"] == "requested_by_customer"
    assert_pinned_intent(event)


def test_dispute_opened_and_lost(stripe_raw, stripe_emulator, customer_with, receiver):
    pi = paid(stripe_raw, customer_with)
    dispute = stripe_emulator.dispute(pi.id, reason="fraudulent")
    assert dispute["status"] == "needs_response"
    assert dispute["evidence_details"]["due_by"] == dispute["created"] + 7 * 24 * 3600
    assert dispute["charge"] == pi.latest_charge and dispute["payment_intent"] == pi.id
    assert stripe_raw.v1.charges.retrieve(pi.latest_charge).disputed is True
    fetched = stripe_raw.v1.disputes.retrieve(dispute["id"])
    assert fetched.amount == 4000 and fetched.is_charge_refundable is False
    listed = stripe_raw.v1.disputes.list(params={"payment_intent": pi.id}).data
    assert [d.id for d in listed] == [dispute["id"]]
    closed = stripe_emulator.close_dispute(dispute["id"], "lost")
    assert closed["status"] == "lost"
    events = receiver.wait_for(dispute["id"], {"charge.dispute.created",
                                               "charge.dispute.funds_withdrawn",
                                               "charge.dispute.closed"})
    assert events["charge.dispute.closed"]["status"] == "lost"
    assert events["charge.dispute.created"]["object"] == "dispute"
    assert "charge.dispute.funds_reinstated" not in events


def test_server_side_confirm_needs_return_url_or_no_redirects(stripe_raw, customer_with):
    customer, pm = customer_with()
    base = {"amount": 1000, "currency": "eur", "customer": customer, "payment_method": pm,
            "confirm": True}
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.create(params=base)
    assert exc.value.param == "return_url"
    assert stripe_raw.v1.payment_intents.create(
        params=dict(base, return_url="https://skod.example/back")).status == "succeeded"


def test_setup_future_usage_saves_the_card_and_setup_succeeded_is_sent(
        stripe_raw, customer_with, receiver):
    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    pm = create_card_pm(stripe_raw)
    pi = stripe_raw.v1.payment_intents.create(params={
        "amount": 1200, "currency": "eur", "customer": customer.id, "payment_method": pm.id,
        "confirm": True, "setup_future_usage": "off_session",
        "allowed_payment_method_types": ["card"]})
    assert pi.status == "succeeded" and pi.setup_future_usage == "off_session"
    assert stripe_raw.v1.payment_methods.retrieve(pm.id).customer == customer.id
    si = stripe_raw.v1.setup_intents.create(params={
        "customer": customer.id, "usage": "off_session",
        "automatic_payment_methods": {"enabled": True, "allow_redirects": "never"}})
    other = create_card_pm(stripe_raw)
    done = stripe_raw.v1.setup_intents.confirm(si.id, params={"payment_method": other.id})
    assert done.status == "succeeded"
    assert stripe_raw.v1.payment_methods.retrieve(other.id).customer == customer.id
    receiver.wait_for(si.id, {"setup_intent.succeeded"})
    receiver.wait_for(other.id, {"payment_method.attached"})
