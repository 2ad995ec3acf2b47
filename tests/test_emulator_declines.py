"""The emulator declines cards as Stripe does (scripts/emulator/declines.py).

Scripted outcomes (POST /_test/declines) and Stripe's decline test cards, driven with the stripe
SDK: the 402 card_error carries only fields of Stripe's error object, with Stripe's code /
decline_code / advice codes; the intent goes back to requires_payment_method without its card and
keeps last_payment_error; payment_intent.payment_failed and charge.failed are sent.
"""

from __future__ import annotations

import uuid

import pytest
import requests
import stripe

from tests.support import stripe_helpers
from tests.support.receiver import receiving
from tests.support.stripe_helpers import CARD_3DS, CARD_OK, create_card_pm

HOOK_SECRET = "whsec_declines_test"
#: the fields of Stripe's error object at the pinned version (the SDK is generated from them)
ERROR_FIELDS = frozenset(stripe.ErrorObject.__annotations__) - {"user_message"}


@pytest.fixture(scope="module")
def receiver(stripe_emulator):
    yield from receiving(stripe_emulator, HOOK_SECRET, "declines")


@pytest.fixture
def saved_card(stripe_raw):
    """saved_card(number) -> (customer id, PaymentMethod id attached to it)."""
    return lambda number=CARD_OK: stripe_helpers.saved_card(stripe_raw, number)


def charge(stripe_raw, customer: str, pm: str, off_session: bool = True, **extra):
    """Create and confirm an intent with the saved card (the gateway's call)."""
    params = {"amount": 3000, "currency": "eur", "customer": customer, "payment_method": pm,
              "confirm": True, "allowed_payment_method_types": ["card"], **extra}
    if off_session:
        params["off_session"] = True
    return stripe_raw.v1.payment_intents.create(params=params)


def declined(stripe_raw, customer: str, pm: str, **extra) -> stripe.CardError:
    with pytest.raises(stripe.CardError) as exc:
        charge(stripe_raw, customer, pm, **extra)
    assert exc.value.http_status == 402
    return exc.value


def test_scripted_decline_in_stripes_shape(stripe_raw, stripe_emulator, saved_card, receiver):
    customer, pm = saved_card()
    stripe_emulator.script_declines(pm, {
        "decline_code": "insufficient_funds", "advice_code": "try_again_later",
        "network_advice_code": "02", "network_decline_code": "51"})
    err = declined(stripe_raw, customer, pm)
    body = err.json_body["error"]
    assert set(body) <= ERROR_FIELDS, set(body) - ERROR_FIELDS
    assert (body["type"], body["code"], body["decline_code"]) == (
        "card_error", "card_declined", "insufficient_funds")
    assert (body["advice_code"], body["network_advice_code"], body["network_decline_code"]) == (
        "try_again_later", "02", "51")
    assert body["message"] == "Your card has insufficient funds."
    assert body["doc_url"].endswith("/card-declined")
    assert body["payment_method"]["id"] == pm
    intent = body["payment_intent"]
    assert (intent["status"], intent["payment_method"]) == ("requires_payment_method", None)
    last = intent["last_payment_error"]
    assert (last["decline_code"], last["advice_code"], last["charge"]) == (
        "insufficient_funds", "try_again_later", body["charge"])
    failed_charge = stripe_raw.v1.charges.retrieve(body["charge"])
    assert (failed_charge.status, failed_charge.failure_code) == ("failed", "card_declined")
    assert stripe_raw.v1.payment_intents.retrieve(intent["id"]).status == (
        "requires_payment_method")
    events = receiver.wait_for(intent["id"], {"payment_intent.payment_failed"})
    sent = events["payment_intent.payment_failed"]
    assert sent["last_payment_error"]["decline_code"] == "insufficient_funds"
    assert sent["status"] == "requires_payment_method" and "charges" not in sent
    receiver.wait_for(body["charge"], {"charge.failed"})


def test_outcomes_are_taken_in_order_then_the_card_pays(stripe_raw, stripe_emulator,
                                                         saved_card):
    customer, pm = saved_card()
    stripe_emulator.script_declines(pm, {"decline_code": "lost_card"},
                                    {"decline_code": "expired_card"},
                                    {"decline_code": "processing_error"})
    lost = declined(stripe_raw, customer, pm).json_body["error"]
    assert (lost["code"], lost["decline_code"], lost["message"]) == (
        "card_declined", "lost_card", "Your card was declined.")  # Stripe does not say "lost"
    expired = declined(stripe_raw, customer, pm).json_body["error"]
    # Stripe answers an expired card itself: its own code, no decline_code
    assert (expired["code"], expired.get("decline_code"), expired["param"]) == (
        "expired_card", None, "exp_month")
    assert expired["payment_intent"]["last_payment_error"]["code"] == "expired_card"
    error = declined(stripe_raw, customer, pm).json_body["error"]
    assert (error["code"], error.get("decline_code")) == ("processing_error", None)
    assert charge(stripe_raw, customer, pm).status == "succeeded"
    assert charge(stripe_raw, customer, pm).status == "succeeded"


def test_scripted_authentication_required(stripe_raw, stripe_emulator, saved_card):
    customer, pm = saved_card()
    stripe_emulator.script_declines(pm, {"authentication_required": True},
                                    {"authentication_required": True})
    err = declined(stripe_raw, customer, pm)
    assert (err.code, err.error.decline_code) == ("authentication_required",
                                                  "authentication_required")
    assert err.error.payment_intent.status == "requires_payment_method"
    assert err.error.payment_intent.last_payment_error.code == "authentication_required"
    # on-session, the bank's demand is a 3-D Secure challenge, not an error
    on_session = charge(stripe_raw, customer, pm, off_session=False, capture_method="manual")
    assert on_session.status == "requires_action"
    assert charge(stripe_raw, customer, pm).status == "succeeded"  # script used up


def test_a_3ds_card_scripted_to_decline_declines_after_the_challenge(
        stripe_raw, stripe_emulator, saved_card, authenticate_3ds):
    customer, pm = saved_card(CARD_3DS)
    stripe_emulator.script_declines(pm, {"decline_code": "insufficient_funds"})
    pi = charge(stripe_raw, customer, pm, off_session=False)
    assert pi.status == "requires_action"
    r = requests.post(f"{stripe_emulator.base_url}/v1/payment_intents/{pi.id}/_authenticate",
                      params={"success": "true"},
                      json={"key": "pk_test_skod", "client_secret": pi.client_secret},
                      timeout=10)
    assert r.status_code == 402
    assert r.json()["error"]["decline_code"] == "insufficient_funds"
    assert stripe_raw.v1.payment_intents.retrieve(pi.id).status == "requires_payment_method"


@pytest.mark.parametrize("body, status", [
    ({"outcomes": [{"decline_code": "lost_card"}]}, 400),  # no payment_method
    ({"payment_method": "pm_missing", "outcomes": []}, 404),
    ({"payment_method": "PM", "outcomes": [{"decline_code": "x", "advice_code": "later"}]}, 400),
    ({"payment_method": "PM", "outcomes": [{"decline": "lost_card"}]}, 400),
    ({"payment_method": "PM", "outcomes": [{"advice_code": "try_again_later"}]}, 400),
    ({"payment_method": "PM", "outcomes": [{"authentication_required": True,
                                             "decline_code": "x"}]}, 400),
    ({"payment_method": "PM", "outcomes": "lost_card"}, 400),
])
def test_control_refuses_bad_scripts(stripe_emulator, saved_card, body, status):
    _customer, pm = saved_card()
    if body.get("payment_method") == "PM":
        body = dict(body, payment_method=pm)
    r = requests.post(f"{stripe_emulator.base_url}/_test/declines", json=body, timeout=10)
    assert r.status_code == status, r.text
    assert r.json()["error"]["message"]


def test_empty_script_clears(stripe_raw, stripe_emulator, saved_card):
    customer, pm = saved_card()
    stripe_emulator.script_declines(pm, {"decline_code": "generic_decline"})
    stripe_emulator.script_declines(pm)
    assert charge(stripe_raw, customer, pm).status == "succeeded"


# --- Stripe's decline test cards ---------------------------------------------------------------
DECLINE_CARDS = [  # number, code, decline_code (docs.stripe.com/testing, "Declined payments")
    ("4000000000000002", "card_declined", "generic_decline"),
    ("4000000000009995", "card_declined", "insufficient_funds"),
    ("4000000000009987", "card_declined", "lost_card"),
    ("4000000000009979", "card_declined", "stolen_card"),
    ("4000000000006975", "card_declined", "card_velocity_exceeded"),
    ("4000000000000069", "expired_card", None),
    ("4000000000000127", "incorrect_cvc", None),
    ("4000000000000119", "processing_error", None),
]


@pytest.mark.parametrize("number, code, decline_code", DECLINE_CARDS)
def test_decline_card_cannot_be_attached_nor_charged(stripe_raw, number, code, decline_code):
    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    pm = create_card_pm(stripe_raw, number)
    with pytest.raises(stripe.CardError) as exc:
        stripe_raw.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    assert (exc.value.code, exc.value.error.decline_code) == (code, decline_code)
    assert stripe_raw.v1.payment_methods.retrieve(pm.id).customer is None
    err = declined(stripe_raw, customer.id, pm.id, off_session=False)
    assert (err.code, err.error.decline_code) == (code, decline_code)
    assert err.error.payment_intent.status == "requires_payment_method"


def test_decline_card_fails_its_setup_intent(stripe_raw):
    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    si = stripe_raw.v1.setup_intents.create(params={
        "customer": customer.id, "usage": "off_session",
        "allowed_payment_method_types": ["card"]})
    pm = create_card_pm(stripe_raw, "4000000000009995")
    with pytest.raises(stripe.CardError) as exc:
        stripe_raw.v1.setup_intents.confirm(si.id, params={"payment_method": pm.id})
    assert exc.value.error.decline_code == "insufficient_funds"
    setup = exc.value.error.setup_intent
    assert (setup.status, setup.payment_method) == ("requires_payment_method", None)
    assert setup.last_setup_error.decline_code == "insufficient_funds"
    good = create_card_pm(stripe_raw)
    done = stripe_raw.v1.setup_intents.confirm(si.id, params={"payment_method": good.id})
    assert (done.status, done.last_setup_error) == ("succeeded", None)


def test_card_declining_after_attach(stripe_raw, saved_card):
    customer, pm = saved_card("4000000000000341")  # attaches fine
    err = declined(stripe_raw, customer, pm)
    assert (err.code, err.error.decline_code) == ("card_declined", "generic_decline")
