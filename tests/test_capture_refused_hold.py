"""No hold left live (issue 20, point 7): a capture Stripe refuses while the intent is still
`requires_capture` is captured once more under a new key when the refusal was transient, else
the hold is cancelled at Stripe before the debt is opened; no smart retry is made on a card that
still carries one of the provider's holds."""

from __future__ import annotations

from datetime import timedelta

from tests import factories as f
from tests.dunning_support import receivable_of
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OK

REFUSED = {"decline_code": "insufficient_funds", "advice_code": "try_again_later"}
#: a refusal that says the capture itself cannot be made: no second try, the hold goes
TOO_LARGE = {"type": "invalid_request_error", "code": "amount_too_large",
             "param": "amount_to_capture",
             "message": "amount_to_capture must be at most amount_capturable."}


def _ended(client, card_pm, stripe_emulator, fault: dict | None, times: int = 1):
    """A held call ended after the next `times` captures of its intent were made to fail."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    [payment] = f.get(client, booking)["payments"]
    pi_id = payment["stripe_payment_intent_id"]
    if fault is not None:
        stripe_emulator.control("faults", {
            "path": f"/v1/payment_intents/{pi_id}/capture", "times": times, **fault})
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": 9}, token=prov["token"])
    assert status == 200, body
    return booking, body, pi_id


def _intent(stripe_raw, pi_id: str):
    return stripe_raw.v1.payment_intents.retrieve(pi_id)


def test_a_transient_refusal_is_captured_once_more_under_a_new_key(
        app, client, card_pm, stripe_emulator, stripe_raw):
    _booking, body, pi_id = _ended(client, card_pm, stripe_emulator, {"status": 500})
    intent = _intent(stripe_raw, pi_id)
    print("after a 500:", intent.status, intent.amount_received, body["payments"][0]["status"])
    assert intent.status == "succeeded" and intent.amount_received == 900
    assert body["status"] == "completed" and body["payments"][0]["status"] == "captured"
    # the first key's 500 is stored (Stripe keeps it): a second capture reached the emulator
    reached = stripe_emulator_requests(stripe_emulator, f"/v1/payment_intents/{pi_id}/capture")
    assert reached == 2


def test_a_refused_capture_leaves_no_live_hold_before_the_debt_opens(
        app, client, card_pm, stripe_emulator, stripe_raw):
    booking, body, pi_id = _ended(client, card_pm, stripe_emulator,
                                  {"status": 400, "error": TOO_LARGE})
    intent = _intent(stripe_raw, pi_id)
    print("after amount_too_large:", intent.status, intent.amount_capturable,
          body["status"], body["payments"][0]["status"])
    assert intent.status == "canceled" and intent.amount_received == 0
    assert body["status"] == "payment_failed" and body["payments"][0]["status"] == "failed"
    # one capture only: a refusal about the capture itself is not tried again
    assert stripe_emulator_requests(stripe_emulator,
                                    f"/v1/payment_intents/{pi_id}/capture") == 1
    debt = receivable_of(app, f"booking:{booking['id']}")
    assert debt is not None and debt.status == "open"


def test_a_capture_failing_twice_cancels_the_hold(app, client, card_pm, stripe_emulator,
                                                 stripe_raw):
    _booking, body, pi_id = _ended(client, card_pm, stripe_emulator, {"status": 500}, times=2)
    intent = _intent(stripe_raw, pi_id)
    print("after two 500s:", intent.status, body["payments"][0]["status"])
    assert intent.status == "canceled"
    assert body["payments"][0]["status"] == "failed"


def test_a_cancel_that_gets_a_500_is_sent_again_by_reconciliation(
        app, client, card_pm, stripe_emulator, stripe_raw, now):
    """The cancel's 500 is stored under its key: reconciliation ends the hold under a new one."""
    prov = f.provider(client)
    booking = f.book(client, prov["offer_id"], f.start_in(timedelta(days=1)))
    assert f.pay(client, booking, card_pm(CARD_OK).id)["status"] == "held"
    pi_id = f.get(client, booking)["payments"][0]["stripe_payment_intent_id"]
    stripe_emulator.control("faults", {"path": f"/v1/payment_intents/{pi_id}/capture",
                                       "status": 400, "error": TOO_LARGE, "times": 5})
    stripe_emulator.control("faults", {"path": f"/v1/payment_intents/{pi_id}/cancel",
                                       "status": 500})
    status, body = api(client, "POST", f"/api/v1/bookings/{booking['id']}/end",
                       json={"minutes": 9}, token=prov["token"])
    assert status == 200 and body["payments"][0]["status"] == "capture_pending"
    assert _intent(stripe_raw, pi_id).status == "requires_capture"  # still live: not failed
    f.tick(app, now + timedelta(minutes=10))
    intent = _intent(stripe_raw, pi_id)
    payment = f.get(client, booking)["payments"][0]
    print("cancel 500 then reconcile:", intent.status, payment["status"],
          stripe_emulator_requests(stripe_emulator, f"/v1/payment_intents/{pi_id}/cancel"))
    assert intent.status == "canceled" and payment["status"] == "failed"


def stripe_emulator_requests(emulator, path: str, method: str = "POST") -> int:
    import requests

    r = requests.get(f"{emulator.base_url}/_test/requests",
                     params={"path": path, "method": method}, timeout=5)
    r.raise_for_status()
    return r.json()["count"]


def test_no_smart_retry_on_a_card_with_a_live_hold_of_the_provider(app, client, card_pm,
                                                                   stripe_emulator, stripe_raw):
    from skod.dunning.debts.models import DunningEvent, Receivable
    from skod.extensions import db
    from skod.payments import services as pay
    from skod.payments.models import PAYMENT_STATES
    from tests.dunning_support import project_debt, receivable_of, recovery_payments

    # the milestone's charge is refused once (soft): the debt plans a smart retry at J+1
    _prov, _project, milestone = project_debt(
        client, card_pm, card=CARD_OK, declines=(stripe_emulator, REFUSED))
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    assert debt.next_retry_at is not None
    held = stripe_raw.v1.payment_intents.create(params={  # another hold of the provider
        "amount": 2000, "currency": "eur", "customer": debt.stripe_customer_id,
        "payment_method": debt.stripe_payment_method_id, "confirm": True, "off_session": True,
        "capture_method": "manual", "allowed_payment_method_types": ["card"]})
    assert held.status == "requires_capture"
    with app.app_context():
        hold = pay.new_payment(provider_id=debt.provider_id, client_id=debt.client_id,
                               purpose="hold", amount=2000, currency="EUR", off_session=True,
                               key="test:live-hold", payment_method=debt.stripe_payment_method_id)
        hold.stripe_payment_intent_id = held.id
        hold.stripe_account_id = db.session.get(pay.Payment, debt.payment_id).stripe_account_id
        PAYMENT_STATES.move(hold, "held")
        hold.amount_held_minor = 2000
        db.session.commit()
        hold_id = hold.id
    due = debt.next_retry_at + timedelta(hours=1)
    f.tick(app, due)
    assert recovery_payments(app, debt.id) == []  # no charge while the hold is live
    with app.app_context():
        after = db.session.get(Receivable, debt.id)
        whys = [e.data.get("why") for e in db.session.scalars(db.select(DunningEvent).where(
            DunningEvent.receivable_id == debt.id, DunningEvent.kind == "retry_skipped"))]
        print("live hold: retries", after.retries_done, "skipped", whys,
              "next", after.next_retry_at)
        assert whys == ["live_hold"] and after.next_retry_at > due
        next_at = after.next_retry_at
        hold = pay.lock(hold_id)
        assert pay.begin_release(hold)
        db.session.commit()
        pay.send_release(hold)  # the hold is settled: the retry may go
        db.session.commit()
    f.tick(app, next_at + timedelta(hours=1))
    assert [s for s, _code in recovery_payments(app, debt.id)] == ["captured"]
