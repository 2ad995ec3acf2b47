"""Stripe's retry rules (issue 20, point 8), against the emulator, which keeps a 5xx under its
idempotency key as Stripe does: a create answered 500 is looked up by the Search API before it
is sent again under a new key (one intent either way); a declined SetupIntent confirm tried
again with the same card reaches Stripe again (a key per attempt); a debt whose card is gone
is never charged with an empty payment method."""

from __future__ import annotations

from datetime import timedelta

import pytest
import requests
import stripe

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_DECLINED, CARD_OK, create_card_pm


def reached(emulator, path: str, method: str = "POST") -> int:
    """Requests of that path that reached the emulator's handlers (replays not counted)."""
    r = requests.get(f"{emulator.base_url}/_test/requests",
                     params={"path": path, "method": method}, timeout=5)
    r.raise_for_status()
    return r.json()["count"]


def _overrun_intents(stripe_raw, app, booking_id: int) -> tuple[int, list]:
    """The overrun payment's id and the intents Stripe holds for it (found by search)."""
    from skod.extensions import db
    from skod.payments.models import Payment

    with app.app_context():
        payment_id = db.session.scalar(db.select(Payment.id).where(
            Payment.booking_id == booking_id, Payment.purpose == "overrun"))
    found = stripe_raw.v1.payment_intents.search(
        params={"query": f"metadata['skod_payment_id']:'{payment_id}'"})
    return payment_id, list(found.data)


@pytest.mark.parametrize("after", [True, False], ids=["made-then-500", "500-before-made"])
def test_a_create_answered_500_makes_one_intent(app, client, card_pm, stripe_emulator,
                                                stripe_raw, after):
    prov = f.provider(client)  # 1.00 a minute, 20 minutes held
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=2)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    before = reached(stripe_emulator, "/v1/payment_intents")
    stripe_emulator.control("faults", {"path": "/v1/payment_intents", "status": 500,
                                       "after": after})
    status, ended = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                        json={"minutes": 30}, token=prov["token"])
    assert status == 200, ended
    overrun = next(p for p in ended["payments"] if p["purpose"] == "overrun")
    _payment_id, intents = _overrun_intents(stripe_raw, app, booking["id"])
    creates = reached(stripe_emulator, "/v1/payment_intents") - before
    print(f"after={after}: creates sent {creates}, intents {len(intents)}, "
          f"overrun {overrun['status']} {overrun['amount_captured']}")
    assert len(intents) == 1 and intents[0].status == "succeeded"
    assert overrun["status"] == "captured" and overrun["amount_captured"] == 1000
    assert overrun["stripe_payment_intent_id"] == intents[0].id
    # made then 500: found by the search, no second create; 500 first: one more, new key
    assert creates == (1 if after else 2)
    assert ended["status"] == "completed"


def test_the_same_key_gets_the_stored_500_back(stripe_emulator, stripe_raw):
    customer = stripe_raw.v1.customers.create(params={"email": "five@example.org"})
    before = reached(stripe_emulator, "/v1/customers")
    stripe_emulator.control("faults", {"path": "/v1/customers", "status": 500})
    params = {"email": "five-hundred@example.org"}
    for _ in range(2):  # the second answer is the stored one: the customer is not made
        with pytest.raises(stripe.APIError) as exc:
            stripe_raw.v1.customers.create(params=params,
                                           options={"idempotency_key": f"k-{customer.id}"})
        assert exc.value.http_status == 500
    assert reached(stripe_emulator, "/v1/customers") - before == 1  # the 500, not its replay
    found = stripe_raw.v1.customers.search(params={"query": "email:'five-hundred@example.org'"})
    assert found.data == []


def test_an_empty_payment_method_is_refused_like_stripe(stripe_raw):
    customer = stripe_raw.v1.customers.create(params={"email": "empty@example.org"})
    with pytest.raises(stripe.InvalidRequestError) as exc:
        stripe_raw.v1.payment_intents.create(params={
            "amount": 1000, "currency": "eur", "customer": customer.id, "payment_method": "",
            "confirm": True, "off_session": True, "allowed_payment_method_types": ["card"]})
    assert exc.value.http_status == 400
    assert exc.value.code == "parameter_invalid_empty" and exc.value.param == "payment_method"


def test_a_declined_setup_tried_again_with_the_same_card_reaches_stripe(
        app, client, stripe_emulator, stripe_raw):
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    declined = create_card_pm(stripe_raw, CARD_DECLINED).id
    for attempt in (1, 2):
        status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/payment-method",
                           json={"payment_method": declined}, token=booking["client_token"])
        # the SetupIntent of the booking (its id is not kept after a refusal: the newest)
        seti = stripe_raw.v1.setup_intents.list(params={"limit": 1}).data[0].id
        path = f"/v1/setup_intents/{seti}/confirm"
        print(f"attempt {attempt}: {status} {body.get('error', {}).get('code')}; "
              f"confirms reached {reached(stripe_emulator, path)}")
        assert status in (402, 422), body
        assert reached(stripe_emulator, path) == attempt  # not a replay of the first

def test_a_debt_whose_card_was_detached_is_not_charged(app, client, card_pm, stripe_emulator,
                                                       stripe_raw):
    from skod.dunning.debts.models import DunningEvent, Receivable
    from skod.extensions import db
    from skod.payments import cards
    from skod.payments.models import Payment
    from tests.dunning_support import project_debt, receivable_of, recovery_payments

    _prov, _project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    assert debt.stripe_payment_method_id and debt.next_retry_at is not None
    with app.app_context():
        account = db.session.get(Payment, debt.payment_id).stripe_account_id
    stripe_raw.v1.payment_methods.detach(debt.stripe_payment_method_id)
    with app.app_context():  # the payment_method.detached webhook
        cards.card_detached({"id": debt.stripe_payment_method_id}, debt.opened_at, account)
    before = reached(stripe_emulator, "/v1/payment_intents")
    f.tick(app, debt.next_retry_at + timedelta(hours=1))
    sent = reached(stripe_emulator, "/v1/payment_intents") - before
    with app.app_context():
        after = db.session.get(Receivable, debt.id)
        print("detached card: creates sent", sent, "card", after.stripe_payment_method_id,
              "next retry", after.next_retry_at)
        skipped = db.session.scalar(db.select(DunningEvent.data).where(
            DunningEvent.receivable_id == debt.id, DunningEvent.kind == "retry_skipped"))
        assert (after.stripe_payment_method_id, after.next_retry_at) == (None, None)
        assert skipped["why"] == "no_card"
        # the notice sent by this tick offers a bank transfer: that intent alone is made
        from skod.dunning.transfers.models import TransferIntent

        offered = db.session.scalars(db.select(TransferIntent.stripe_payment_intent_id).where(
            TransferIntent.receivable_id == debt.id)).all()
    assert len(offered) == 1 and sent == len(offered)
    for intent in offered:
        assert stripe_raw.v1.payment_intents.retrieve(
            intent, options={"stripe_account": account}).payment_method_types == [
            "customer_balance"]  # not a card charge
    assert recovery_payments(app, debt.id) == []


@pytest.mark.parametrize("after", [True, False], ids=["made-then-500", "500-before-made"])
def test_customer_and_setup_creates_answered_500_make_one_object(app, stripe_emulator,
                                                                 stripe_raw, after):
    """The gateway's other creates: the customer found by the Search API, the SetupIntent by
    the customer's list (SetupIntents have no search); sent again only when none exists."""
    import uuid

    from skod.stripe_gateway import gateway

    tag = uuid.uuid4().hex[:12]
    with app.app_context():
        gw = gateway()
        before = reached(stripe_emulator, "/v1/customers")
        stripe_emulator.control("faults", {"path": "/v1/customers", "status": 500,
                                           "after": after})
        customer = gw.create_customer(email=f"{tag}@example.org", name="Five", key=f"c:{tag}",
                                      metadata={"skod_client_id": tag})
        customers = reached(stripe_emulator, "/v1/customers") - before
        stripe_emulator.control("faults", {"path": "/v1/setup_intents", "status": 500,
                                           "after": after})
        setup = gw.create_setup_intent(customer=customer, key=f"s:{tag}",
                                       metadata={"skod_booking_id": tag})
    found = stripe_raw.v1.customers.search(params={"query": f"metadata['skod_client_id']:'{tag}'"})
    setups = stripe_raw.v1.setup_intents.list(params={"customer": customer})
    print(f"after={after}: customer creates {customers}, customers {len(found.data)}, "
          f"setups {len(setups.data)}")
    assert [c.id for c in found.data] == [customer]
    assert [s.id for s in setups.data] == [setup.id]
    assert customers == (1 if after else 2)
