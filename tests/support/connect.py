"""Stripe Connect on the emulator: helpers shared by the tests of scripts/emulator/ Connect."""

from __future__ import annotations

import time
import uuid

import pytest
import requests
import stripe

from tests.support.receiver import receiving
from tests.support.stripe_helpers import CARD_OK

CONTROLLER = {"fees": {"payer": "account"}, "losses": {"payments": "stripe"},
              "stripe_dashboard": {"type": "full"}}
CARD = {"number": CARD_OK, "exp_month": 12, "exp_year": 2030, "cvc": "123"}
#: the signing secrets of the test receivers (one per kind of endpoint)
CONNECT_SECRET = "whsec_connect_test"
PLATFORM_SECRET = "whsec_platform_test"


def receiver_fixtures(name: str) -> tuple:
    """(connect_hook, platform_hook): module-scoped fixtures of two webhook receivers at the
    emulator, a Connect endpoint (connected accounts' events) and the platform's, registered
    under ids of `name` (each module its own). In a test module:
    `connect_hook, platform_hook = receiver_fixtures("flows")`."""

    @pytest.fixture(scope="module")
    def connect_hook(stripe_emulator):  # noqa: ANN001, ANN202
        yield from receiving(stripe_emulator, CONNECT_SECRET, f"connect-{name}", connect=True)

    @pytest.fixture(scope="module")
    def platform_hook(stripe_emulator):  # noqa: ANN001, ANN202
        yield from receiving(stripe_emulator, PLATFORM_SECRET, f"platform-{name}")

    return connect_hook, platform_hook


def new_account(stripe_raw, onboard: bool = True) -> str:
    acct = stripe_raw.v1.accounts.create(params={
        "controller": CONTROLLER, "country": "FR", "email": f"{uuid.uuid4()}@example.org"}).id
    if onboard:
        control(stripe_raw, f"accounts/{acct}/onboard")
    return acct


def control(stripe_raw, path: str) -> dict:
    base = stripe_raw._requestor.base_addresses["api"]
    r = requests.post(f"{base}/_test/{path}", json={}, timeout=10)
    assert r.status_code == 200, r.text
    return r.json()


def on(acct: str | None) -> dict:
    return {"stripe_account": acct} if acct else {}


def customer_and_card(stripe_raw, acct: str | None, number: str = CARD_OK) -> tuple[str, str]:
    """A customer of `acct` (None: the platform) with a card of `number` attached."""
    customer = stripe_raw.v1.customers.create(params={"email": "c@example.org"},
                                              options=on(acct)).id
    pm = stripe_raw.v1.payment_methods.create(params={"type": "card",
                                                      "card": dict(CARD, number=number)},
                                              options=on(acct)).id
    stripe_raw.v1.payment_methods.attach(pm, params={"customer": customer}, options=on(acct))
    return customer, pm


def pay(stripe_raw, acct: str | None, amount: int = 4000, **extra):
    customer, pm = customer_and_card(stripe_raw, acct)
    params = {"amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
              "confirm": True, "automatic_payment_methods": {"enabled": True,
                                                             "allow_redirects": "never"}}
    params.update(extra)
    return stripe_raw.v1.payment_intents.create(params=params, options=on(acct))


def assert_missing(call) -> None:
    with pytest.raises(stripe.InvalidRequestError) as exc:
        call()
    assert exc.value.http_status == 404
    assert exc.value.code == "resource_missing"


def wait_events(hook, event_type: str, acct: str, timeout: float = 15.0) -> list[dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [e for e in hook.events() if e["type"] == event_type and e.get("account") == acct]
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"no {event_type} for {acct}")
