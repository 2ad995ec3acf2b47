"""The emulator runs SEPA Direct Debit as Stripe does (scripts/emulator/sepa.py, mandates.py).

Through the stripe SDK: a sepa_debit PaymentMethod from a test IBAN (an invalid IBAN refused), a
SetupIntent confirmed with the client's acceptance makes a mandate, a debit under it stays
`processing` until the test controls settle it (succeeded, events), fail it
(requires_payment_method with the SEPA failure code) or, for the disputed IBAN, settle it and open
a dispute.
"""

from __future__ import annotations

import pytest
import stripe

from tests.support.receiver import receiving

HOOK_SECRET = "whsec_sepa_test"
IBAN_OK = "DE89370400440532013000"
IBAN_FAILS = "AT861904300235473202"
IBAN_DISPUTED = "DE35370400440532013002"
ACCEPTANCE = {"customer_acceptance": {"type": "online", "online": {
    "ip_address": "203.0.113.7", "user_agent": "Mozilla/5.0 (test)"}}}


@pytest.fixture(scope="module")
def receiver(stripe_emulator):
    yield from receiving(stripe_emulator, HOOK_SECRET, "sepa")


def mandated(stripe_raw, iban: str) -> tuple[str, str, str]:
    """(customer, payment method, mandate) after a SetupIntent confirmed with acceptance."""
    customer = stripe_raw.v1.customers.create(params={"email": "client@example.test"}).id
    pm = stripe_raw.v1.payment_methods.create(params={
        "type": "sepa_debit", "sepa_debit": {"iban": iban},
        "billing_details": {"name": "Client SARL", "email": "client@example.test"}})
    setup = stripe_raw.v1.setup_intents.create(params={
        "customer": customer, "payment_method": pm.id, "confirm": True, "usage": "off_session",
        "allowed_payment_method_types": ["sepa_debit"], "mandate_data": ACCEPTANCE})
    assert setup.status == "succeeded" and setup.mandate.startswith("mandate_")
    assert setup.payment_method_types == ["sepa_debit"]
    return customer, pm.id, setup.mandate


def debit(stripe_raw, customer: str, pm: str, mandate: str | None, amount: int = 80000):
    params = {"amount": amount, "currency": "eur", "customer": customer, "payment_method": pm,
              "confirm": True, "off_session": True,
              "allowed_payment_method_types": ["sepa_debit"]}
    if mandate:
        params["mandate"] = mandate
    return stripe_raw.v1.payment_intents.create(params=params)


def test_payment_method_and_mandate(stripe_raw):
    customer, pm_id, mandate_id = mandated(stripe_raw, IBAN_OK)
    pm = stripe_raw.v1.payment_methods.retrieve(pm_id)
    assert (pm.type, pm.sepa_debit.last4, pm.sepa_debit.country) == ("sepa_debit", "3000", "DE")
    assert pm.customer == customer
    mandate = stripe_raw.v1.mandates.retrieve(mandate_id)
    assert (mandate.status, mandate.type, mandate.payment_method) == (
        "active", "multi_use", pm_id)
    assert mandate.customer_acceptance.online.ip_address == "203.0.113.7"
    assert mandate.payment_method_details.type == "sepa_debit"


def test_bad_iban_and_missing_acceptance_are_refused(stripe_raw):
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_methods.create(params={
            "type": "sepa_debit", "sepa_debit": {"iban": "DE89370400440532013009"}})
    assert exc.value.code == "invalid_bank_account_iban"
    customer = stripe_raw.v1.customers.create(params={}).id
    pm = stripe_raw.v1.payment_methods.create(params={
        "type": "sepa_debit", "sepa_debit": {"iban": IBAN_OK}})
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.setup_intents.create(params={
            "customer": customer, "payment_method": pm.id, "confirm": True,
            "allowed_payment_method_types": ["sepa_debit"]})
    assert exc.value.param == "mandate_data"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.setup_intents.create(params={
            "customer": customer, "payment_method": pm.id, "confirm": True,
            "allowed_payment_method_types": ["card"], "mandate_data": ACCEPTANCE})
    assert exc.value.code == "setup_intent_invalid_parameter"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        debit(stripe_raw, customer, pm.id, None)  # no mandate yet for this payment method
    assert exc.value.param == "mandate_data"


def test_debit_processing_then_settled(stripe_raw, stripe_emulator, receiver):
    customer, pm, mandate = mandated(stripe_raw, IBAN_OK)
    intent = debit(stripe_raw, customer, pm, mandate)
    assert intent.status == "processing" and intent.payment_method_types == ["sepa_debit"]
    charge = stripe_raw.v1.charges.retrieve(intent.latest_charge)
    assert charge.status == "pending"
    assert charge.payment_method_details.type == "sepa_debit"
    assert charge.payment_method_details.sepa_debit.mandate == mandate
    receiver.wait_for(intent.id, {"payment_intent.processing"})
    assert stripe_raw.v1.payment_intents.retrieve(intent.id).status == "processing"
    settled = stripe_emulator.settle_debit(intent.id)
    assert (settled["status"], settled["amount_received"]) == ("succeeded", 80000)
    events = receiver.wait_for(intent.id, {"payment_intent.succeeded"})
    assert events["payment_intent.succeeded"]["status"] == "succeeded"
    receiver.wait_for(charge.id, {"charge.pending", "charge.succeeded"})
    with pytest.raises(AssertionError, match="400"):
        stripe_emulator.settle_debit(intent.id)  # settled once


def test_debit_fails(stripe_raw, stripe_emulator, receiver):
    customer, pm, mandate = mandated(stripe_raw, IBAN_OK)
    intent = debit(stripe_raw, customer, pm, None)  # the payment method's own mandate
    failed = stripe_emulator.fail_debit(intent.id, "account_closed")
    assert failed["status"] == "requires_payment_method" and failed["payment_method"] is None
    assert failed["last_payment_error"]["code"] == "account_closed"
    events = receiver.wait_for(intent.id, {"payment_intent.payment_failed"})
    assert events["payment_intent.payment_failed"]["last_payment_error"]["code"] == (
        "account_closed")
    charge = stripe_raw.v1.charges.retrieve(failed["latest_charge"])
    assert (charge.status, charge.failure_code) == ("failed", "account_closed")
    receiver.wait_for(charge.id, {"charge.failed"})
    customer, pm, mandate = mandated(stripe_raw, IBAN_FAILS)
    intent = debit(stripe_raw, customer, pm, mandate)
    answered = stripe_emulator.settle_debit(intent.id)  # the failing IBAN fails when settled
    assert answered["last_payment_error"]["code"] == "insufficient_funds"


def test_disputed_iban(stripe_raw, stripe_emulator, receiver):
    customer, pm, mandate = mandated(stripe_raw, IBAN_DISPUTED)
    intent = debit(stripe_raw, customer, pm, mandate, amount=120000)
    assert stripe_emulator.settle_debit(intent.id)["status"] == "succeeded"
    disputes = stripe_raw.v1.disputes.list(params={"payment_intent": intent.id}).data
    assert len(disputes) == 1 and disputes[0].amount == 120000
    receiver.wait_for(disputes[0].id, {"charge.dispute.created"})


def test_no_manual_capture(stripe_raw):
    customer, pm, mandate = mandated(stripe_raw, IBAN_OK)
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.create(params={
            "amount": 1000, "currency": "eur", "customer": customer, "payment_method": pm,
            "confirm": True, "capture_method": "manual", "mandate": mandate,
            "allowed_payment_method_types": ["sepa_debit"]})
    assert exc.value.param == "capture_method"
