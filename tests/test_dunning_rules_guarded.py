"""Rules of money and dunning that no test guarded (issue 19, point 7), each through the real
path against PostgreSQL and the Stripe emulator: a failed capture of an ended call opens its
receivable; a "do not try again" answer on another charge of the card stops the smart retries;
after downtime at most one retry a day, however often the sweep ticks; an instalment charge
left without an answer is sent again with its key (one charge at Stripe); the sweep's own
minimum gap behind "remind now"."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests import factories as f
from tests.dunning_support import (
    project_debt,
    receivable_of,
    recovery_payments,
    steps_of,
    working_instant,
)
from tests.support.api import api
from tests.support.call_faults import end_with_intent_gone
from tests.support.dunning import declined_debts

SOFT = {"decline_code": "insufficient_funds", "advice_code": "try_again_later"}
DO_NOT_TRY = {"decline_code": "do_not_honor", "advice_code": "do_not_try_again"}


def test_a_failed_capture_of_an_ended_call_opens_its_receivable(app, client, card_pm):
    _prov, booking, body = end_with_intent_gone(app, client, card_pm)
    assert body["status"] == "payment_failed"
    debt = receivable_of(app, f"booking:{booking['id']}")
    assert debt is not None, "the call took place: what it cost is owed"
    assert (debt.status, debt.principal_minor) == ("open", 1000)


def test_do_not_try_again_on_another_charge_stops_the_retries(app, client, card_pm,
                                                              stripe_emulator, now):
    """Two milestones on one card: the first charge is refused softly (a retry is planned),
    the second with "do not try again": the first debt's retry is not made."""
    def script(_project: dict) -> None:
        stripe_emulator.script_declines(pm_of(app, _project), SOFT, DO_NOT_TRY)

    _prov, _project, ids = declined_debts(app, client, card_pm, stripe_emulator, declines=0,
                                          milestones=(("Build", 7000), ("Ship", 5000)),
                                          before_delivery=script)
    first, second = (receivable_by_id(app, rid) for rid in ids)
    assert first.next_retry_at is not None  # a soft decline: J+1 planned
    assert second.next_retry_at is None
    f.tick(app, working_instant(first.next_retry_at))
    assert recovery_payments(app, first.id) == []
    assert receivable_by_id(app, first.id).next_retry_at is None


def test_after_downtime_at_most_one_retry_a_day(app, client, card_pm, now):
    _prov, _project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    back = working_instant(debt.opened_at + timedelta(days=20))
    f.tick(app, back)  # the J+1, J+3 and J+5 retries are all late
    assert len(recovery_payments(app, debt.id)) == 1
    f.tick(app, back + timedelta(minutes=10))  # a second tick minutes later: no burst
    f.tick(app, back + timedelta(hours=6))
    assert len(recovery_payments(app, debt.id)) == 1
    f.tick(app, back + timedelta(days=1, minutes=1))
    assert len(recovery_payments(app, debt.id)) == 2


def test_remind_now_keeps_the_sweeps_own_minimum_gap(app, client, card_pm, now):
    """The page checks the gap first; the sweep's claim checks it again (an API client, a
    stale page): remind_now itself refuses a step too soon after the last one."""
    from skod.core.errors import Conflict
    from skod.dunning.debts import cases

    prov, _project, milestone = project_debt(client, card_pm)
    debt = receivable_of(app, f"milestone:{milestone['id']}")
    sent = working_instant(debt.opened_at)
    f.tick(app, sent)
    assert steps_of(app, debt.id) == [(0, "sent")]
    with app.app_context():
        provider_id = receivable_by_id(app, debt.id).provider_id
        with pytest.raises(Conflict) as refused:
            cases.remind_now(debt.id, sent + timedelta(days=1), provider_id)
        assert refused.value.code == "too_soon"
    assert steps_of(app, debt.id) == [(0, "sent")]
    with app.app_context():
        assert cases.remind_now(debt.id, sent + timedelta(days=5, minutes=1), provider_id) == 1
    assert steps_of(app, debt.id) == [(0, "sent"), (1, "sent")]


def pm_of(app, project: dict) -> str:
    from skod.extensions import db
    from skod.projects.models import Project

    with app.app_context():
        return db.session.get(Project, project["id"]).stripe_payment_method_id


def receivable_by_id(app, receivable_id: int):  # noqa: ANN201 - a detached Receivable
    from skod.dunning.debts.models import Receivable
    from skod.extensions import db

    with app.app_context():
        row = db.session.get(Receivable, receivable_id)
        db.session.expunge(row)
        return row


def test_an_unanswered_instalment_charge_is_sent_again_with_its_key(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    """The second instalment's charge reached Stripe but its answer was lost (the row still
    says "created"): the next tick sends it again with the same key, and Stripe charges once."""
    from skod.core.clock import parse_iso
    from skod.dunning.debts.models import PaymentPlan
    from skod.dunning.pay_page import plan_charges
    from skod.extensions import db
    from skod.payments import services as pay
    from skod.payments.models import Payment
    from tests.dunning_paypage_support import SOFT as REFUSED
    from tests.dunning_paypage_support import debt, save_plan_card, state

    d = debt(app, client, stripe_emulator, card_pm, refusal=REFUSED)
    save_plan_card(client, stripe_raw, card_pm, d)  # the refused card cannot carry them
    assert client.post(d["path"] + "/plan", data={"instalments": 2}).status_code == 303
    status, plan = api(client, "POST", f"/api/v1/receivables/{d['id']}/plan/accept",
                       token=d["provider"]["token"])
    assert status == 200, plan
    due = parse_iso(plan["schedule"][1]["due_at"])
    with app.app_context():
        row = db.session.scalar(db.select(PaymentPlan).where(PaymentPlan.id == plan["id"]))
        instalment = plan_charges._lock(row.schedule[1].id)
        plan_charges._new_charge(instalment, instalment.plan, instalment.plan.receivable)
        db.session.flush()
        charge = db.session.get(Payment, instalment.payment_id)
        charge.created_at = charge.updated_at = due  # charged at its due instant
        db.session.commit()  # the charge and its key, as charge_one stores them
        payment = pay.lock(instalment.payment_id)
        pay.send_create(payment, customer=instalment.plan.receivable.client.stripe_customer_id,
                        manual=False, now=due)
        pi_id = payment.stripe_payment_intent_id
        assert pi_id
        db.session.rollback()  # the answer is never recorded (a crash, a timeout)
    f.tick(app, due + timedelta(minutes=1))
    assert _plan_of(app, plan["id"]) == ("completed", ["paid", "paid"])
    assert state(app, d["id"])["status"] == "paid"
    assert f.captures_at_emulator(stripe_raw, pi_id) == 1  # the same intent, charged once


def _plan_of(app, plan_id: int) -> tuple[str, list[str]]:
    from skod.dunning.debts.models import PaymentPlan
    from skod.extensions import db

    with app.app_context():
        row = db.session.get(PaymentPlan, plan_id)
        return row.status, [i.status for i in row.schedule]
