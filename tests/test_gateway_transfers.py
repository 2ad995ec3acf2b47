"""The gateway's bank transfers (skod/stripe_transfers.py) against the emulator, on a provider's
connected account: the client's virtual IBAN, a transfer intent and its instructions, what
arrives applied by Stripe, the cash balance and its refund; one domain key, one object.
"""

from __future__ import annotations

import uuid

import pytest
import requests

from skod.stripe_gateway import gateway
from tests.support.connect import new_account, on


def _fund(stripe_raw, customer: str, amount: int, reference: str | None) -> None:
    base = stripe_raw._requestor.base_addresses["api"]
    r = requests.post(f"{base}/_test/customers/{customer}/fund", timeout=10,
                      json={"amount": amount, "currency": "eur", "reference": reference})
    assert r.status_code == 200, r.text


@pytest.fixture
def provider(stripe_raw):
    acct = new_account(stripe_raw)
    customer = stripe_raw.v1.customers.create(params={"email": "c@example.org"},
                                              options=on(acct)).id
    return acct, customer


def test_virtual_iban_transfer_intent_and_cash_balance(app, stripe_raw, provider):
    acct, customer = provider
    with app.app_context():
        gw = gateway().on(acct)
        account = gw.funding_instructions(customer, key=f"funding:{customer}")
        assert account is not None and account.iban.startswith("FR") and account.bic
        metadata = {"skod_payment_id": "9001"}
        key = f"transfer:{uuid.uuid4()}"
        intent = gw.create_transfer_intent(amount=120000, currency="EUR", customer=customer,
                                           key=key, metadata=metadata)
        again = gw.create_transfer_intent(amount=120000, currency="EUR", customer=customer,
                                          key=key, metadata=metadata)
        assert again.id == intent.id  # the same key replays, no second intent
        assert (intent.status, intent.amount_remaining, intent.currency) == (
            "requires_action", 120000, "EUR")
        assert intent.reference and intent.account == account

        _fund(stripe_raw, customer, 50000, intent.reference)
        partial = gw.retrieve_transfer_intent(intent.id)
        assert (partial.status, partial.amount_remaining) == ("requires_action", 70000)
        _fund(stripe_raw, customer, 75000, intent.reference)
        paid = gw.retrieve_transfer_intent(intent.id)
        assert (paid.status, paid.amount_remaining) == ("succeeded", 0)
        assert gw.cash_balance(customer, "EUR") == 5000

        refund = gw.refund_cash_balance(customer, amount=5000, currency="EUR",
                                        key=f"credit-refund:{customer}",
                                        metadata={"skod_case": "1"})
        assert (refund.amount, refund.currency, refund.status) == (5000, "EUR", "pending")
        assert gw.cash_balance(customer, "EUR") == 0
