"""An event already processed is never processed again: not when Stripe delivers the same id
again, not when its task runs a second time (a redelivered Celery message), not by the sweep."""

from __future__ import annotations

from datetime import timedelta

from skod.extensions import db
from skod.webhooks.models import StripeEvent
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event

CLIENT = "client@example.test"


def _dashboard_refund(client, card_pm, stripe_raw) -> tuple[dict, dict]:
    """A 15-minute call (1500 captured), then 600 refunded from the Stripe dashboard."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), kind="business")
    f.pay(client, booking, card_pm(CARD_OK).id)
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": 15}, token=prov["token"])
    assert status == 200
    pi_id = body["payments"][0]["stripe_payment_intent_id"]
    stripe_raw.v1.refunds.create(params={"payment_intent": pi_id, "amount": 600})
    return prov, event("charge.refunded", {"id": "ch_dash", "object": "charge",
                                           "payment_intent": pi_id})


def _state(app, client, prov) -> dict:
    """What the event may change: our refunds, the credit notes, the stored event."""
    from skod.payments.refunds import Refund

    with app.app_context():
        refunds = [(r.amount_minor, r.status) for r in db.session.scalars(db.select(Refund))]
        [row] = db.session.scalars(db.select(StripeEvent)).all()
        stored = (row.id, row.status, row.attempts, row.processed_at)
    invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])[1]
    notes = sorted(i["number"] for i in invoices if i["kind"] == "credit_note")
    return {"refunds": refunds, "notes": notes, "event": stored}


def test_a_processed_event_is_not_processed_again(app, client, card_pm, stripe_raw, outbox,
                                                  now):
    from skod.webhooks.jobs import sweep_events
    from skod.webhooks.processing import process

    prov, ev = _dashboard_refund(client, card_pm, stripe_raw)
    outbox.clear()
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    assert deliver(client, ev, secret).get_json() == {"received": True, "duplicate": False}
    first = _state(app, client, prov)
    assert first["refunds"] == [(600, "succeeded")] and len(first["notes"]) == 1
    assert first["event"][1:3] == ("processed", 1)
    mails = len(outbox.to(CLIENT))
    assert mails == 1  # the credit note went to the client

    # Stripe sends the same event again (its retry after a lost 200)
    assert deliver(client, ev, secret).get_json() == {"received": True, "duplicate": True}
    # the task of the event runs once more (a Celery message delivered twice), and the sweep
    with app.app_context():
        assert process(first["event"][0], now + timedelta(minutes=5)) == "processed"
        assert sweep_events(now + timedelta(hours=1)) == 0
    assert _state(app, client, prov) == first  # same attempts, same processed_at, no new row
    assert len(outbox.to(CLIENT)) == mails
