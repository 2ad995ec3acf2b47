"""The emulator's 3-D Secure test cards behave as Stripe documents them (docs.stripe.com/testing,
"Authentication and setup"; issue 20, point 10), driven with the stripe SDK:
4000002500003155 asks on-session and when set up, then passes off-session once set up;
4000002760003184 asks every time, off-session too, set up or not; 4000003800000446 asks
on-session and passes off-session as if already set up."""

from __future__ import annotations

import uuid

import pytest
import stripe

from tests.support.stripe_helpers import CARD_3DS, CARD_3DS_ALWAYS, create_card_pm

CARD_SET_UP = "4000003800000446"


def _customer_and_card(stripe_raw, number: str) -> tuple[str, str]:
    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    return customer.id, create_card_pm(stripe_raw, number).id


def _set_up(stripe_raw, customer: str, pm: str) -> None:
    """A SetupIntent confirmed with the card and authenticated (as Stripe.js's second confirm
    after the challenge)."""
    si = stripe_raw.v1.setup_intents.create(params={
        "customer": customer, "usage": "off_session", "payment_method": pm,
        "allowed_payment_method_types": ["card"]})
    si = stripe_raw.v1.setup_intents.confirm(si.id, params={"payment_method": pm})
    assert si.status == "requires_action"
    assert stripe_raw.v1.setup_intents.confirm(si.id).status == "succeeded"


def _off_session(stripe_raw, customer: str, pm: str):  # noqa: ANN202
    return stripe_raw.v1.payment_intents.create(params={
        "amount": 2500, "currency": "eur", "customer": customer, "payment_method": pm,
        "confirm": True, "off_session": True, "allowed_payment_method_types": ["card"]})


def _asks(stripe_raw, customer: str, pm: str) -> bool:
    try:
        _off_session(stripe_raw, customer, pm)
    except stripe.CardError as err:
        assert err.code == "authentication_required"
        return True
    return False


def test_3155_passes_off_session_once_set_up(stripe_raw):
    customer, pm = _customer_and_card(stripe_raw, CARD_3DS)
    stripe_raw.v1.payment_methods.attach(pm, params={"customer": customer})
    assert _asks(stripe_raw, customer, pm)  # attached without a setup: the bank asks
    _set_up(stripe_raw, customer, pm)
    pi = _off_session(stripe_raw, customer, pm)
    print("3155 after setup, off-session:", pi.status)
    assert pi.status == "succeeded"
    on_session = stripe_raw.v1.payment_intents.create(params={  # on-session still asks
        "amount": 2500, "currency": "eur", "customer": customer, "payment_method": pm,
        "confirm": True, "allowed_payment_method_types": ["card"]})
    assert on_session.status == "requires_action"


def test_3184_asks_every_time_even_once_set_up(stripe_raw):
    customer, pm = _customer_and_card(stripe_raw, CARD_3DS_ALWAYS)
    _set_up(stripe_raw, customer, pm)
    assert _asks(stripe_raw, customer, pm)
    assert _asks(stripe_raw, customer, pm)


@pytest.mark.parametrize("off_session, status", [(True, "succeeded"),
                                                 (False, "requires_action")])
def test_0446_passes_off_session_as_if_set_up(stripe_raw, off_session, status):
    customer, pm = _customer_and_card(stripe_raw, CARD_SET_UP)
    stripe_raw.v1.payment_methods.attach(pm, params={"customer": customer})
    params = {"amount": 2500, "currency": "eur", "customer": customer, "payment_method": pm,
              "confirm": True, "allowed_payment_method_types": ["card"]}
    if off_session:
        params["off_session"] = True
    assert stripe_raw.v1.payment_intents.create(params=params).status == status


def test_a_3155_payment_saved_for_later_passes_off_session(stripe_raw, authenticate_3ds):
    """The page's path: one challenge on-session with setup_future_usage sets the card up."""
    customer, pm = _customer_and_card(stripe_raw, CARD_3DS)
    pi = stripe_raw.v1.payment_intents.create(params={
        "amount": 2500, "currency": "eur", "customer": customer, "payment_method": pm,
        "confirm": True, "setup_future_usage": "off_session",
        "allowed_payment_method_types": ["card"]})
    assert pi.status == "requires_action"
    assert authenticate_3ds(pi.id, pi.client_secret)["status"] == "succeeded"
    assert _off_session(stripe_raw, customer, pm).status == "succeeded"
