"""The emulator's bank transfers: customer_balance, eu_bank_transfer (scripts/emulator/transfers.py,
cash_balance.py), driven with the real stripe SDK on a connected account.

A virtual IBAN per customer, stable; a transfer PaymentIntent waiting in requires_action with
its instructions; transfers arriving by the test control, reconciled by reference (partial,
full, excess kept in the cash balance) with the events Stripe sends; a cash balance refunded.
"""

from __future__ import annotations

import pytest
import requests
import stripe

from tests.support.connect import new_account, on, receiver_fixtures, wait_events

connect_hook, platform_hook = receiver_fixtures("transfer")
TRANSFER = {"funding_type": "bank_transfer",
            "bank_transfer": {"type": "eu_bank_transfer", "eu_bank_transfer": {"country": "FR"}}}


def fund(stripe_raw, customer: str, amount: int, reference: str | None) -> requests.Response:
    base = stripe_raw._requestor.base_addresses["api"]
    return requests.post(f"{base}/_test/customers/{customer}/fund", timeout=10,
                         json={"amount": amount, "currency": "eur", "reference": reference})


def transfer_intent(stripe_raw, acct: str, customer: str, amount: int):
    return stripe_raw.v1.payment_intents.create(params={
        "amount": amount, "currency": "eur", "customer": customer, "confirm": True,
        "allowed_payment_method_types": ["customer_balance"],
        "payment_method_data": {"type": "customer_balance"},
        "payment_method_options": {"customer_balance": TRANSFER},
        "metadata": {"case": "1"}}, options=on(acct))


@pytest.fixture
def account_and_customer(stripe_raw):
    acct = new_account(stripe_raw)
    customer = stripe_raw.v1.customers.create(params={"email": "client@example.org"},
                                              options=on(acct)).id
    return acct, customer


def test_funding_instructions_give_one_stable_french_iban(stripe_raw, account_and_customer):
    acct, customer = account_and_customer
    params = {"currency": "eur", "funding_type": "bank_transfer",
              "bank_transfer": TRANSFER["bank_transfer"]}
    first = stripe_raw.v1.customers.funding_instructions.create(customer, params=params,
                                                                 options=on(acct))
    again = stripe_raw.v1.customers.funding_instructions.create(customer, params=params,
                                                                 options=on(acct))
    [address] = first.bank_transfer.financial_addresses
    iban = address.iban.iban
    assert first.object == "funding_instructions" and address.type == "iban"
    assert iban.startswith("FR") and len(iban) == 27
    digits = "".join(str(int(c, 36)) for c in iban[4:] + iban[:4])
    assert int(digits) % 97 == 1  # a valid IBAN
    assert again.bank_transfer.financial_addresses[0].iban.iban == iban
    other = stripe_raw.v1.customers.create(params={}, options=on(acct)).id
    theirs = stripe_raw.v1.customers.funding_instructions.create(other, params=params,
                                                                  options=on(acct))
    assert theirs.bank_transfer.financial_addresses[0].iban.iban != iban
    with pytest.raises(stripe.InvalidRequestError):  # another account does not see the customer
        stripe_raw.v1.customers.funding_instructions.create(customer, params=params)


def test_a_transfer_intent_waits_with_its_instructions(stripe_raw, account_and_customer):
    acct, customer = account_and_customer
    pi = transfer_intent(stripe_raw, acct, customer, 120000)
    assert pi.status == "requires_action"
    assert pi.payment_method_types == ["customer_balance"]
    shown = pi.next_action.display_bank_transfer_instructions
    assert pi.next_action.type == "display_bank_transfer_instructions"
    assert (shown.amount_remaining, shown.currency, shown.type) == (120000, "eur",
                                                                    "eu_bank_transfer")
    assert shown.reference and shown.financial_addresses[0].iban.iban.startswith("FR")
    with pytest.raises(stripe.InvalidRequestError) as exc:  # the virtual account is a customer's
        stripe_raw.v1.payment_intents.create(params={
            "amount": 100, "currency": "eur", "confirm": True,
            "allowed_payment_method_types": ["customer_balance"],
            "payment_method_data": {"type": "customer_balance"},
            "payment_method_options": {"customer_balance": TRANSFER}}, options=on(acct))
    assert exc.value.param == "customer"


def test_transfers_fund_the_intent_by_reference_and_the_excess_stays(
        stripe_raw, account_and_customer, connect_hook):
    acct, customer = account_and_customer
    pi = transfer_intent(stripe_raw, acct, customer, 120000)
    reference = pi.next_action.display_bank_transfer_instructions.reference

    assert fund(stripe_raw, customer, 50000, f"Facture {reference}").status_code == 200
    pi = stripe_raw.v1.payment_intents.retrieve(pi.id, options=on(acct))
    assert pi.status == "requires_action"
    assert pi.next_action.display_bank_transfer_instructions.amount_remaining == 70000
    [partial] = wait_events(connect_hook, "payment_intent.partially_funded", acct)
    assert partial["data"]["object"]["id"] == pi.id

    fund(stripe_raw, customer, 75000, reference)
    pi = stripe_raw.v1.payment_intents.retrieve(pi.id, params={"expand": ["latest_charge"]},
                                                options=on(acct))
    assert pi.status == "succeeded" and pi.amount_received == 120000
    assert pi.latest_charge.payment_method_details.type == "customer_balance"
    balance = stripe_raw.v1.customers.cash_balance.retrieve(customer, options=on(acct))
    assert balance.available.to_dict() == {"eur": 5000}
    assert wait_events(connect_hook, "payment_intent.succeeded", acct)[0]["data"]["object"][
        "id"] == pi.id
    assert wait_events(connect_hook, "charge.succeeded", acct)
    created = wait_events(connect_hook, "customer_cash_balance_transaction.created", acct)
    kinds = sorted(e["data"]["object"]["type"] for e in created
                   if e["data"]["object"]["customer"] == customer)
    assert kinds == ["applied_to_payment", "applied_to_payment", "funded", "funded"]


def test_a_transfer_without_reference_matches_the_one_intent_of_its_amount(
        stripe_raw, account_and_customer):
    acct, customer = account_and_customer
    small = transfer_intent(stripe_raw, acct, customer, 3000)
    large = transfer_intent(stripe_raw, acct, customer, 9000)
    fund(stripe_raw, customer, 9000, None)
    assert stripe_raw.v1.payment_intents.retrieve(large.id, options=on(acct)).status == (
        "succeeded")
    assert stripe_raw.v1.payment_intents.retrieve(small.id, options=on(acct)).status == (
        "requires_action")
    fund(stripe_raw, customer, 1000, "nothing known")  # no match: it stays in the balance
    assert stripe_raw.v1.customers.cash_balance.retrieve(
        customer, options=on(acct)).available.to_dict() == {"eur": 1000}


def test_the_cash_balance_pays_a_new_intent_and_can_be_refunded(stripe_raw,
                                                                account_and_customer):
    acct, customer = account_and_customer
    fund(stripe_raw, customer, 4000, "early")
    pi = transfer_intent(stripe_raw, acct, customer, 2500)
    assert pi.status == "succeeded"
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.refunds.create(params={"origin": "customer_balance", "customer": customer,
                                             "amount": 2000, "currency": "eur"},
                                     options=on(acct))
    assert exc.value.code == "amount_too_large"
    refund = stripe_raw.v1.refunds.create(params={
        "origin": "customer_balance", "customer": customer, "amount": 1500, "currency": "eur"},
        options=on(acct))
    assert refund.status == "pending" and refund.amount == 1500
    listed = stripe_raw.v1.refunds.list(options=on(acct)).data  # the refund lists still work
    assert refund.id in [r.id for r in listed]
    assert stripe_raw.v1.refunds.list(params={"payment_intent": pi.id}, options=on(acct)).data == []
    assert stripe_raw.v1.customers.cash_balance.retrieve(
        customer, options=on(acct)).available.to_dict() == {}


def test_a_canceled_transfer_intent_hands_its_funds_back(stripe_raw, account_and_customer):
    acct, customer = account_and_customer
    pi = transfer_intent(stripe_raw, acct, customer, 9000)
    reference = pi.next_action.display_bank_transfer_instructions.reference
    fund(stripe_raw, customer, 4000, reference)
    canceled = stripe_raw.v1.payment_intents.cancel(pi.id, options=on(acct))
    assert canceled.status == "canceled"
    assert stripe_raw.v1.customers.cash_balance.retrieve(
        customer, options=on(acct)).available.to_dict() == {"eur": 4000}
    moves = stripe_raw.v1.customers.cash_balance_transactions.list(customer, options=on(acct))
    assert [(t.type, t.net_amount, t.ending_balance) for t in moves.data] == [
        ("unapplied_from_payment", 4000, 4000), ("applied_to_payment", -4000, 0),
        ("funded", 4000, 4000)]


def test_the_fund_control_refuses_bad_input(stripe_raw, account_and_customer):
    _acct, customer = account_and_customer
    assert fund(stripe_raw, customer, -5, "x").status_code == 400
    assert fund(stripe_raw, "cus_unknown", 100, "x").status_code == 404


def test_a_confirmed_transfer_intent_keeps_its_amount(stripe_raw, account_and_customer):
    """Changing the amount of an intent waiting for money is not modelled (Stripe's documents
    say what a cancel does to applied funds, not what a new amount does): refused, the intent
    unchanged; other fields update as usual."""
    acct, customer = account_and_customer
    pi = transfer_intent(stripe_raw, acct, customer, 120000)
    fund(stripe_raw, customer, 50000, pi.next_action.display_bank_transfer_instructions.reference)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        stripe_raw.v1.payment_intents.update(pi.id, params={"amount": 70000}, options=on(acct))
    assert refused.value.param == "amount"
    updated = stripe_raw.v1.payment_intents.update(pi.id, params={"metadata": {"case": "2"}},
                                                   options=on(acct))
    shown = updated.next_action.display_bank_transfer_instructions
    assert (updated.amount, shown.amount_remaining, updated.metadata["case"]) == (120000, 70000,
                                                                                 "2")
