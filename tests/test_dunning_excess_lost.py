"""No lost cent (issues #18 and #19): an excess recorded on a debt whose refund was never made
(the process died between settle's commit and the refund) is refunded by a later tick, once;
and a card payment landing on a written-off debt is recovered money, counted and closing the
case as paid (a write-off is the provider's bookkeeping, not a remission of the debt)."""

from __future__ import annotations

from datetime import timedelta

from tests.dunning_paypage_support import debt
from tests.support import clock
from tests.support.api import api

AMOUNT = 7000


def _token(d: dict) -> str:
    return d["path"].rsplit("/", 1)[1]


def _raced_intent(client, stripe_raw, d: dict) -> str:
    """The pay page's intent for the balance, confirmed by the client at Stripe before Skod
    hears of it (an unfinished page, a second tab)."""
    status, step = api(client, "POST", f"/api/v1/pay/{d['id']}/card-setup", token=_token(d))
    assert status == 200 and step["intent"] == "payment", step
    pi_id = step["client_secret"].split("_secret_")[0]
    confirmed = stripe_raw.v1.payment_intents.confirm(pi_id,
                                                      params={"payment_method": d["card"]})
    assert confirmed["status"] == "succeeded"
    return pi_id


def _refunds(stripe_raw, pi_id: str) -> list[int]:
    return [r["amount"] for r in stripe_raw.v1.refunds.list(
        params={"payment_intent": pi_id, "limit": 100}).data]


def _case(app, receivable_id: int) -> tuple[str, int, list[dict]]:
    from skod.dunning.debts.models import DunningEvent, Receivable
    from skod.extensions import db

    with app.app_context():
        r = db.session.get(Receivable, receivable_id)
        timeline = [dict(e.data or {}, kind=e.kind) for e in db.session.scalars(
            db.select(DunningEvent).filter_by(receivable_id=receivable_id)
            .order_by(DunningEvent.id))]
        return r.status, r.paid_minor, timeline


def _tick(app, now) -> dict:
    from skod.dunning.debts import jobs

    with app.app_context():
        return jobs.run_all(now)


def test_an_excess_whose_refund_was_lost_is_refunded_by_a_later_tick_once(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox, monkeypatch):
    from skod.dunning.debts import overpay

    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _raced_intent(client, stripe_raw, d)
    # the process dies right after settle's commit: the excess is recorded, never refunded
    monkeypatch.setattr(overpay, "refund_excess", lambda *args: None)
    status, answer = api(client, "POST", f"/api/v1/receivables/{d['id']}/mark-paid", json={
        "amount_minor": 1000}, token=d["provider"]["token"])
    assert status == 200, answer
    monkeypatch.undo()
    state, paid, timeline = _case(app, d["id"])
    assert (state, paid) == ("paid", AMOUNT)
    assert [e["amount"] for e in timeline if e["kind"] == overpay.OVERPAID] == [1000]
    assert _refunds(stripe_raw, pi_id) == []
    now = clock.current()
    assert _tick(app, now)["dunning_excess_refunds"] == 0  # settle may still be at it
    outbox.clear()
    report = _tick(app, now + overpay.LOST_AFTER + timedelta(minutes=1))
    assert report["dunning_excess_refunds"] == 1
    assert _refunds(stripe_raw, pi_id) == [1000]
    assert [m for m in outbox.to(d["provider"]["email"])
            if "deux fois" in m["Subject"] or "twice" in m["Subject"]]
    # the next ticks find nothing left, and Stripe sees one refund under the excess's key
    assert _tick(app, now + timedelta(hours=1))["dunning_excess_refunds"] == 0
    assert _refunds(stripe_raw, pi_id) == [1000]
    with app.app_context():
        from skod.extensions import db
        from skod.payments.refunds import Refund

        [key] = db.session.scalars(db.select(Refund.idempotency_key))
        assert key == overpay.excess_key(d["id"], _payment_of(pi_id))


def _payment_of(pi_id: str) -> int:
    from skod.extensions import db
    from skod.payments.models import Payment

    return db.session.scalar(db.select(Payment.id).filter_by(stripe_payment_intent_id=pi_id))


def test_a_payment_landing_on_a_written_off_debt_is_recovered_not_lost(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, amount=AMOUNT)
    pi_id = _raced_intent(client, stripe_raw, d)
    outbox.clear()
    # the provider gives up on the debt while the client's payment is already through
    status, answer = api(client, "POST", f"/api/v1/receivables/{d['id']}/write-off",
                         json={"note": "client unreachable"}, token=d["provider"]["token"])
    assert status == 200, answer
    state, paid, timeline = _case(app, d["id"])
    assert (state, paid) == ("paid", AMOUNT)  # counted: the money is the provider's
    assert [e["kind"] for e in timeline][-3:] == ["written_off", "payment", "paid"]
    assert timeline[-2]["after_write_off"] is True and timeline[-2]["amount"] == AMOUNT
    assert _refunds(stripe_raw, pi_id) == []  # nothing to give back: it was owed
    status, read = api(client, "GET", f"/api/v1/receivables/{d['id']}",
                       token=d["provider"]["token"])
    assert status == 200 and read["status"] == "paid", read
    assert outbox.to(d["provider"]["email"])  # the provider hears the good news
