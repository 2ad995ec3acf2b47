"""The webhook: stored exactly once, refused when forged, and Stripe's truth applied once."""

from __future__ import annotations

import json
import logging
import random
import re
import time
from collections import Counter
from datetime import timedelta

import pytest

from skod.extensions import db
from skod.payments.models import Payment
from skod.webhooks.models import StripeEvent
from tests import factories as f
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK
from tests.webhook_support import deliver, event, signed

STATUS_OF = {"requires_capture": "held", "succeeded": "captured", "canceled": "released"}


def _rows(app) -> int:
    with app.app_context():
        return db.session.scalar(db.select(db.func.count()).select_from(StripeEvent))


@pytest.mark.parametrize("case", ["forged", "old", "not_json", "no_header", "not_an_event"])
def test_bad_deliveries_are_400_and_nothing_is_stored(app, client, case):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    body = json.dumps(event("payment_intent.succeeded", {"id": "pi_x"}))
    headers = {"Stripe-Signature": signed(body, secret)}
    if case == "forged":
        headers = {"Stripe-Signature": signed(body, "whsec_someone_else")}
    elif case == "old":
        headers = {"Stripe-Signature": signed(body, secret, int(time.time()) - 301)}
    elif case == "not_json":
        body = "{not json"
        headers = {"Stripe-Signature": signed(body, secret)}
    elif case == "no_header":
        headers = {}
    elif case == "not_an_event":
        body = json.dumps({"hello": "world"})
        headers = {"Stripe-Signature": signed(body, secret)}
    resp = client.post("/stripe/webhook", data=body, headers=headers)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "bad_signature"
    assert _rows(app) == 0


def test_rotated_secrets_are_both_accepted(app, client):
    old = app.config["STRIPE_WEBHOOK_SECRET"]
    app.config["STRIPE_WEBHOOK_SECRET"] = f"whsec_new_one,{old}"
    try:
        for secret in ("whsec_new_one", old):
            ev = event("customer.created", {"id": "cus_x", "object": "customer"})
            assert deliver(client, ev, secret).status_code == 200
    finally:
        app.config["STRIPE_WEBHOOK_SECRET"] = old
    assert _rows(app) == 2


def test_unknown_type_is_stored_and_ignored_and_duplicate_is_a_no_op(app, client):
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    ev = event("customer.created", {"id": "cus_1", "object": "customer"})
    first = deliver(client, ev, secret)
    again = deliver(client, ev, secret)
    assert first.get_json() == {"received": True, "duplicate": False}
    assert again.status_code == 200 and again.get_json()["duplicate"] is True
    with app.app_context():
        [row] = db.session.scalars(db.select(StripeEvent)).all()
        assert (row.status, row.attempts) == ("ignored", 0)


def _fleet(client, card_pm, n: int) -> list[dict]:
    """n held calls of one provider."""
    prov = f.provider(client)
    out = []
    for i in range(n):
        booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1, hours=i)),
                         email=f"fleet{i}@example.test")
        f.pay(client, booking, card_pm(CARD_OK).id)
        out.append(booking | {"provider_token": prov["token"]})
    return out


def test_2000_shuffled_deliveries_with_duplicates(app, client, card_pm, stripe_raw, caplog):
    bookings = _fleet(client, card_pm, 20)
    intents = [f.get(client, b)["payments"][0]["stripe_payment_intent_id"] for b in bookings]
    # Our own End for 5 of them; behind our back (dashboard, expiry) 5 captured, 5 cancelled.
    for b in bookings[:5]:
        api(client, "POST", f"/api/v1/bookings/{b['id']}/end", json={"minutes": 7},
            token=b["provider_token"])
    for pi in intents[5:10]:
        stripe_raw.v1.payment_intents.capture(pi, params={"amount_to_capture": 1500})
    for pi in intents[10:15]:
        stripe_raw.v1.payment_intents.cancel(pi)
    kinds = ["payment_intent.amount_capturable_updated", "payment_intent.succeeded",
             "payment_intent.canceled", "charge.captured", "payment_intent.requires_action"]
    unique = []
    for i in range(1600):
        pi = intents[i % len(intents)]
        kind = kinds[i % len(kinds)]
        obj = ({"id": f"ch_{i}", "object": "charge", "payment_intent": pi}
               if kind.startswith("charge") else {"id": pi, "object": "payment_intent"})
        unique.append(event(kind, obj))
    deliveries = unique + random.Random(7).sample(unique, 400)
    random.Random(11).shuffle(deliveries)
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    caplog.set_level(logging.INFO, logger="skod.core.states")
    statuses = Counter(deliver(client, ev, secret).status_code for ev in deliveries)
    assert statuses == {200: 2000}
    with app.app_context():
        events = db.session.scalars(db.select(StripeEvent)).all()
        assert len(events) == 1600
        assert {e.status for e in events} == {"processed"}
        assert all(e.attempts == 1 for e in events)
        for payment in db.session.scalars(db.select(Payment)):
            truth = stripe_raw.v1.payment_intents.retrieve(payment.stripe_payment_intent_id)
            assert payment.status == STATUS_OF[truth["status"]], payment.id
    moves = Counter(re.sub(r"^payment (\d+): .*$", r"\1", r.getMessage())
                    for r in caplog.records if re.match(r"payment \d+: \w+ -> \w+$",
                                                         r.getMessage()))
    assert len(moves) == 10 and set(moves.values()) == {1}  # the 10 changed behind our back
    with app.app_context():
        captured = db.session.scalars(db.select(Payment).where(
            Payment.stripe_payment_intent_id.in_(intents[5:10]))).all()
        assert {p.amount_captured_minor for p in captured} == {1500}


def test_a_burst_is_drained_by_one_queued_task(app, client, monkeypatch, redis_url):
    """With Redis, the intake queues one drain per burst (SET NX flag) instead of one task per
    event; the drain clears the flag first, then processes every stored event."""
    import redis

    from skod.webhooks import tasks

    url = redis_url
    flag = redis.Redis.from_url(url)
    flag.delete(tasks.DRAIN_FLAG)
    monkeypatch.setitem(app.config, "CELERY", dict(app.config["CELERY"], broker_url=url,
                                                   task_always_eager=False))
    app.extensions.pop("skod_wakeup_redis", None)
    flag.set(tasks.DRAIN_FLAG, "1")  # a drain is already queued: the burst queues nothing
    secret = app.config["STRIPE_WEBHOOK_SECRET"]
    for i in range(3):
        ev = event("customer.created", {"id": f"cus_{i}", "object": "customer"})
        assert deliver(client, ev, secret).status_code == 200
    with app.app_context():
        assert {e.status for e in db.session.scalars(db.select(StripeEvent))} == {"received"}
        assert tasks.drain_events() == 3  # the queued drain runs
        assert {e.status for e in db.session.scalars(db.select(StripeEvent))} == {"ignored"}
    assert not flag.exists(tasks.DRAIN_FLAG)
    app.extensions.pop("skod_wakeup_redis", None)


def test_sweep_processes_events_whose_wake_up_was_lost(app, client, now):
    from skod.webhooks.intake import store

    with app.app_context():
        event_id = store(event("customer.created", {"id": "cus_lost", "object": "customer"}))
        from skod.webhooks.jobs import sweep_events

        assert sweep_events(now) == 0  # inside the grace: maybe still queued
        assert sweep_events(now + timedelta(minutes=2)) == 1
        assert db.session.get(StripeEvent, event_id).status == "ignored"


def test_failed_event_is_listed_and_replayed(app, client, card_pm, stripe_emulator):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, b, card_pm(CARD_OK).id)
    pi_id = f.get(client, b)["payments"][0]["stripe_payment_intent_id"]
    ev = event("payment_intent.succeeded", {"id": pi_id, "object": "payment_intent"})
    stripe_emulator.stop()  # the handler cannot read the intent back
    try:
        assert deliver(client, ev, app.config["STRIPE_WEBHOOK_SECRET"]).status_code == 200
    finally:
        stripe_emulator.start()
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["skod", "events", "list"]).output
    assert ev["id"] in listing and "failed" in listing and "attempts=1" in listing
    with app.app_context():
        row = db.session.scalar(db.select(StripeEvent))
        assert row.traceback and "GatewayError" in row.last_error
        row_id = row.id
    result = runner.invoke(args=["skod", "events", "replay", str(row_id)])
    assert result.exit_code == 0 and result.output.strip() == "processed"
    assert runner.invoke(args=["skod", "events", "list"]).output.strip() == ""
    with app.app_context():
        assert db.session.get(StripeEvent, row_id).attempts == 2


def test_replaying_an_unknown_event_says_so(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["skod", "events", "replay", "987654"])
    assert result.exit_code != 0
    assert "no stored Stripe event has the id 987654" in result.output
    assert "busy" not in result.output
