"""Declines through the gateway and onto the Payment row, against the emulator.

An off-session charge of a saved card scripted to decline: the gateway's GatewayError says soft /
hard / authentication_required with the decline code and the advice; services.send_create (and
the scheduler's hold of a far call) record code, kind and advice on the payment.
"""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest

from skod.calls.models import Booking
from skod.extensions import db
from skod.payments import services as pay
from skod.payments.models import FEE, Payment
from skod.stripe_gateway import GatewayError, gateway
from tests import factories as f
from tests.support.stripe_helpers import CARD_OK, create_card_pm


@pytest.fixture
def saved_card(stripe_raw):
    customer = stripe_raw.v1.customers.create(params={"email": f"{uuid.uuid4()}@example.org"})
    pm = create_card_pm(stripe_raw, CARD_OK)
    stripe_raw.v1.payment_methods.attach(pm.id, params={"customer": customer.id})
    return customer.id, pm.id


def off_session_charge(app, customer: str, pm: str) -> GatewayError:
    with app.app_context(), pytest.raises(GatewayError) as exc:
        gateway().create_intent(amount=2500, currency="EUR", customer=customer,
                                payment_method=pm, manual=False, off_session=True,
                                key=f"test:{uuid.uuid4()}", metadata={})
    return exc.value


@pytest.mark.parametrize("outcome, kind, code, decline_code, advice", [
    ({"decline_code": "insufficient_funds", "advice_code": "try_again_later"},
     "soft_decline", "insufficient_funds", "insufficient_funds", "try_again_later"),
    ({"decline_code": "processing_error"}, "soft_decline", "processing_error", None, None),
    ({"decline_code": "lost_card"}, "hard_decline", "lost_card", "lost_card", None),
    ({"decline_code": "expired_card"}, "hard_decline", "expired_card", None, None),
    ({"decline_code": "insufficient_funds", "advice_code": "do_not_try_again"},
     "hard_decline", "insufficient_funds", "insufficient_funds", "do_not_try_again"),
    ({"decline_code": "do_not_honor", "network_advice_code": "03",
      "network_decline_code": "05"},
     "hard_decline", "do_not_honor", "do_not_honor", "do_not_try_again"),
    ({"authentication_required": True}, "authentication_required", "authentication_required",
     "authentication_required", None),
])
def test_gateway_maps_the_decline(app, stripe_emulator, saved_card, outcome, kind, code,
                                  decline_code, advice):
    customer, pm = saved_card
    stripe_emulator.script_declines(pm, outcome)
    err = off_session_charge(app, customer, pm)
    assert (err.kind, err.code, err.decline_code, err.advice) == (
        kind, code, decline_code, advice)
    assert err.intent is not None and err.intent.status == "requires_payment_method"
    assert (err.intent.last_error_code, err.intent.last_error_advice) == (code, advice)


def _fee_payment(client, card_pm) -> tuple[Payment, str]:
    """A far call's client with a saved card, and a `created` off-session fee payment for it
    (what a late cancellation charges): (payment, Stripe customer)."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=10)))
    assert f.pay(client, booking, card_pm(CARD_OK).id) == {"status": "card_saved"}
    row = db.session.get(Booking, booking["id"])
    payment = pay.new_payment(
        provider_id=row.provider_id, client_id=row.client_id, purpose=FEE, amount=1500,
        currency="EUR", off_session=True, key=f"test:fee:{booking['id']}",
        payment_method=row.stripe_payment_method_id, booking_id=row.id)
    db.session.commit()
    return payment, row.client.stripe_customer_id


@pytest.mark.parametrize("outcome, status, code, kind, advice", [
    ({"decline_code": "insufficient_funds", "advice_code": "try_again_later"},
     "failed", "insufficient_funds", "soft_decline", "try_again_later"),
    ({"decline_code": "stolen_card", "network_advice_code": "03"},
     "failed", "stolen_card", "hard_decline", "do_not_try_again"),
    ({"authentication_required": True},
     "failed", "authentication_required", "authentication_required", None),
])
def test_send_create_records_the_decline(app, client, card_pm, stripe_emulator, now, outcome,
                                         status, code, kind, advice):
    with app.app_context():
        payment, customer = _fee_payment(client, card_pm)
        stripe_emulator.script_declines(payment.stripe_payment_method_id, outcome)
        pay.send_create(payment, customer=customer, manual=False, now=now)
        db.session.commit()
        row = db.session.get(Payment, payment.id, populate_existing=True)
        assert (row.status, row.last_error_code, row.last_error_kind, row.last_error_advice) == (
            status, code, kind, advice)
        assert row.stripe_payment_intent_id  # the failed intent is kept, for the pay link


def test_scheduled_hold_declined_then_the_card_pays(app, client, card_pm, stripe_emulator):
    """The far call's hold: the scripted decline lands on the hold's row; the card, script used
    up, pays the next time."""
    prov = f.provider(client)
    start = f.start_in(timedelta(days=10))
    booking = f.book(client, prov["offer_id"], start)
    pm = card_pm(CARD_OK).id
    assert f.pay(client, booking, pm)["status"] == "card_saved"
    stripe_emulator.script_declines(pm, {"decline_code": "card_velocity_exceeded",
                                         "advice_code": "try_again_later"})
    f.tick(app, start - timedelta(hours=24))
    body = f.get(client, booking)
    assert body["status"] == "action_required"
    assert body["payments"][0]["last_error_code"] == "card_velocity_exceeded"
    with app.app_context():
        hold = db.session.get(Payment, body["payments"][0]["id"])
        assert (hold.last_error_kind, hold.last_error_advice) == (
            "soft_decline", "try_again_later")
