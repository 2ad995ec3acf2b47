"""The gateway's SEPA half (skod/stripe_sepa.py) against the emulator.

A SetupIntent for sepa_debit that the client confirms with the mandate's acceptance; a debit under
the mandate, `processing` until the bank answers (the emulator's control), then `succeeded`; the
same key sends the debit once; the account and the mandate as the pages show them.
"""

from __future__ import annotations

import uuid

from skod.stripe_gateway import gateway
from tests.test_emulator_sepa import ACCEPTANCE, IBAN_OK


def test_mandate_then_debit(app, stripe_raw, stripe_emulator):
    customer = stripe_raw.v1.customers.create(params={"email": "client@example.test"}).id
    with app.app_context():
        gw = gateway()
        setup = gw.create_sepa_setup(customer=customer, key=f"test:{uuid.uuid4()}",
                                     metadata={"skod_project_id": "1"})
        assert (setup.status, setup.mandate) == ("requires_payment_method", None)
        assert setup.client_secret.startswith(setup.id)
    pm = stripe_raw.v1.payment_methods.create(params={
        "type": "sepa_debit", "sepa_debit": {"iban": IBAN_OK},
        "billing_details": {"name": "Client SARL", "email": "client@example.test"}})
    stripe_raw.v1.setup_intents.confirm(setup.id, params={"payment_method": pm.id,
                                                          "mandate_data": ACCEPTANCE})
    key = f"test:{uuid.uuid4()}"
    with app.app_context():
        gw = gateway()
        done = gw.retrieve_sepa_setup(setup.id)
        assert (done.status, done.payment_method) == ("succeeded", pm.id)
        assert done.mandate
        debit = dict(amount=250000, currency="EUR", customer=customer, payment_method=pm.id,
                     mandate=done.mandate, key=key, metadata={"skod_payment_id": "77"})
        intent = gw.debit(**debit)
        assert (intent.status, intent.amount, intent.currency) == ("processing", 250000, "EUR")
        assert gw.debit(**debit).id == intent.id  # the same key: one debit
        assert gw.bank_account_summary(pm.id) == {"country": "DE", "last4": "3000",
                                                   "bank_code": "37040"}
        assert gw.mandate_reference(done.mandate)["status"] == "active"
    stripe_emulator.settle_debit(intent.id)
    with app.app_context():
        settled = gateway().retrieve_intent(intent.id)
        assert (settled.status, settled.amount_received) == ("succeeded", 250000)
