"""What can still be refunded: a refund in flight (sent, no answer yet) counts against it, so a
second refund can never take the money of the first one twice."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def _captured(client, card_pm) -> tuple[dict, dict]:
    """A per-minute call ended at 15 minutes: 1500 captured of a 2000 hold."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": 15}, token=prov["token"])
    assert status == 200 and body["status"] == "completed"
    return prov, body["payments"][0]


def _in_flight(app, payment_id: int, amount: int) -> None:
    """A refund sent to Stripe whose answer has not come back (worker crash, timeout)."""
    from skod.extensions import db
    from skod.payments.refunds import Refund

    with app.app_context():
        db.session.add(Refund(payment_id=payment_id, amount_minor=amount, status="pending",
                              idempotency_key=f"refund:payment:{payment_id}:1"))
        db.session.commit()


def test_a_refund_in_flight_counts_against_what_is_left(app, client, card_pm, stripe_raw):
    prov, payment = _captured(client, card_pm)
    pi_id = payment["stripe_payment_intent_id"]
    _in_flight(app, payment["id"], 1000)
    path = f"/api/v1/payments/{payment['id']}/refund"
    status, body = api(client, "POST", path, json={"amount_minor": 600}, token=prov["token"])
    # what is left said in money, never in cents ("at most 500 can be refunded")
    [said] = body["error"]["fields"]["amount_minor"]
    assert status == 422 and "5,00" in said and "500" not in said, said
    assert f.refunds_at_emulator(stripe_raw, pi_id) == []  # nothing sent
    status, body = api(client, "POST", path, json={}, token=prov["token"])  # "all that is left"
    assert status == 201 and (body["amount_minor"], body["status"]) == (500, "succeeded")
    assert f.refunds_at_emulator(stripe_raw, pi_id) == [500]
    status, body = api(client, "POST", path, json={}, token=prov["token"])
    assert status == 409 and body["error"]["code"] == "fully_refunded"
    assert f.refunds_at_emulator(stripe_raw, pi_id) == [500]


def test_a_failed_refund_gives_its_amount_back(app, client, card_pm, stripe_raw):
    from skod.extensions import db
    from skod.payments.refunds import Refund

    prov, payment = _captured(client, card_pm)
    _in_flight(app, payment["id"], 1000)
    with app.app_context():  # Stripe refused it: nothing left the account
        db.session.execute(db.update(Refund).values(status="failed"))
        db.session.commit()
    status, body = api(client, "POST", f"/api/v1/payments/{payment['id']}/refund",
                       json={"amount_minor": 1500}, token=prov["token"])
    assert status == 201 and body["amount_minor"] == 1500
    assert f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]) == [1500]
