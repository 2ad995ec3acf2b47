"""Reconciliation converges our rows to Stripe's truth: outage, crash, forgotten holds."""

from __future__ import annotations

import json
from datetime import timedelta

from skod.core.clock import parse_iso
from skod.extensions import db
from skod.payments import services as pay
from skod.payments.models import Payment
from skod.stripe_gateway import gateway
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK


def reconcile(app, at=None) -> dict:
    args = ["skod", "reconcile", "--at", (at or clock.current() + timedelta(hours=1)).isoformat()]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _captures(stripe_raw, pi_id: str) -> int:
    """How many captures acted at the emulator on the intent."""
    return f.captures_at_emulator(stripe_raw, pi_id)


def test_emulator_down_during_captures_then_reconcile(app, client, card_pm, stripe_raw,
                                                      stripe_emulator):
    prov = f.provider(client)
    bookings = []
    for i in range(4):
        b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1, hours=i)),
                   email=f"down{i}@example.test")
        f.pay(client, b, card_pm(CARD_OK).id)
        bookings.append(b)
    # two captures go through, then Stripe goes away in the middle of the others
    for b in bookings[:2]:
        api(client, "POST", f"/api/v1/bookings/{b['id']}/end", json={"minutes": 11},
            token=prov["token"])
    stripe_emulator.stop()
    try:
        for b in bookings[2:]:
            status, body = api(client, "POST", f"/api/v1/bookings/{b['id']}/end",
                               json={"minutes": 11}, token=prov["token"])
            assert status == 200 and body["payments"][0]["status"] == "capture_pending"
    finally:
        stripe_emulator.start()
    report = reconcile(app)
    assert report["changed"] >= 2
    for b in bookings:
        body = f.get(client, b)
        assert body["status"] == "completed", body
        pi_id = body["payments"][0]["stripe_payment_intent_id"]
        assert f.captured_at_emulator(stripe_raw, pi_id) == 1100
        assert _captures(stripe_raw, pi_id) == 1  # exactly one capture
    assert reconcile(app)["changed"] == 0  # converged: nothing more to do


def test_crash_after_the_stripe_capture_before_our_commit(app, client, card_pm, stripe_raw):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, b, card_pm(CARD_OK).id)
    with app.app_context():  # the worker marked the capture as sent, Stripe did it, then died
        payment = pay.lock(db.session.scalar(db.select(Payment.id)))
        pay.begin_capture(payment, 1300)
        db.session.commit()
        gateway().on(payment.stripe_account_id).capture(payment.stripe_payment_intent_id,
                                                        amount=1300, key=payment.capture_key)
        db.session.rollback()
    reconcile(app)
    [payment] = f.get(client, b, prov["token"])["payments"]
    assert (payment["status"], payment["amount_captured"]) == ("captured", 1300)
    assert _captures(stripe_raw, payment["stripe_payment_intent_id"]) == 1  # not sent again


def test_forgotten_hold_of_a_finished_call_is_captured(app, client, card_pm, stripe_raw):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    f.pay(client, b, card_pm(CARD_OK).id)
    body = f.get(client, b)
    end_at = parse_iso(body["end_at"])
    capture_before = parse_iso(body["payments"][0]["capture_before"])
    at = end_at + timedelta(hours=3)
    assert at < capture_before
    reconcile(app, at)
    body = f.get(client, b)
    assert body["status"] == "completed" and body["amount_due"] == 2000
    assert f.captured_at_emulator(stripe_raw, body["payments"][0]["stripe_payment_intent_id"]) \
        == 2000


def test_hold_released_at_stripe_before_the_call_asks_the_client_again(app, client, card_pm,
                                                                       stripe_raw, outbox):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)), email="gone@example.test")
    f.pay(client, b, card_pm(CARD_OK).id)
    pi_id = f.get(client, b)["payments"][0]["stripe_payment_intent_id"]
    stripe_raw.v1.payment_intents.cancel(pi_id)  # expired, or cancelled from the dashboard
    outbox.clear()
    reconcile(app)
    body = f.get(client, b)
    assert body["status"] == "action_required"
    assert body["payments"][0]["status"] == "released"
    assert len(outbox.to("gone@example.test")) == 1


def test_cancelled_booking_still_holding_money_is_released(app, client, card_pm, stripe_raw):
    prov = f.provider(client)
    b = f.book(client, prov["offer_id"], f.start_in(timedelta(days=3)))
    f.pay(client, b, card_pm(CARD_OK).id)
    with app.app_context():  # the release was lost: booking cancelled, hold still held
        from skod.calls.models import BOOKING_STATES, Booking

        booking = db.session.get(Booking, b["id"])
        BOOKING_STATES.move(booking, "cancelled")
        db.session.commit()
    reconcile(app)
    hold = f.get(client, b)["payments"][0]
    assert hold["status"] == "released"
    assert stripe_raw.v1.payment_intents.retrieve(hold["stripe_payment_intent_id"])["status"] \
        == "canceled"


def test_milestone_capture_during_an_outage_is_finished_by_reconciliation(
        app, client, card_pm, stripe_raw, stripe_emulator):
    from tests.test_projects_api import accepted_project, read

    prov, project, body = accepted_project(client, card_pm,
                                           milestones=[("Audit", 40000, 2)])
    [milestone] = body["milestones"]
    assert milestone["status"] == "in_progress"
    stripe_emulator.stop()
    try:
        status, _ = api(client, "POST", f"/api/v1/milestones/{milestone['id']}/complete",
                        json={"note": "report sent"}, token=prov["token"])
    finally:
        stripe_emulator.start()
    assert status == 200
    assert read(client, project)["milestones"][0]["status"] != "paid"
    reconcile(app)
    after = read(client, project)
    assert after["milestones"][0]["status"] == "paid"
    [hold] = after["milestones"][0]["payments"]
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 40000


def test_reply_capture_during_an_outage_is_delivered_after_reconciliation(
        app, client, card_pm, stripe_raw, stripe_emulator, outbox):
    from tests.test_messages_api import ANSWER, CLIENT, held_message, read

    prov, message = held_message(client, card_pm)
    outbox.clear()
    stripe_emulator.stop()
    try:
        status, body = api(client, "POST", f"/api/v1/messages/{message['id']}/reply",
                           json={"body": ANSWER}, token=prov["token"])
    finally:
        stripe_emulator.start()
    assert status in (200, 202, 409), body
    waiting = read(client, message)
    assert waiting["status"] == "replying" and "reply" not in waiting  # not delivered unpaid
    reconcile(app)
    done = read(client, message)
    assert done["status"] == "answered" and done["reply"] == ANSWER
    hold = done["payments"][0]
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 1000
    assert any(ANSWER in m.get_body(("plain",)).get_content() for m in outbox.to(CLIENT))
