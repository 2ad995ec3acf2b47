"""A milestone cancelled after acceptance: its share of the deposit moves to the milestones still
to charge, and what none can take is refunded to the client (emulator + PostgreSQL)."""

from __future__ import annotations

from tests import factories as f
from tests.support.api import api
from tests.test_projects_api import accepted_project, act, pi, read


def _refunded(stripe_raw, payment: dict) -> int:
    return sum(f.refunds_at_emulator(stripe_raw, payment["stripe_payment_intent_id"]))


def test_cancelled_milestone_passes_its_deposit_share_to_the_next(client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, deposit=30)  # 18000 on "Launch"
    m1, m2, m3 = body["milestones"]
    assert [m["deposit_credit_minor"] for m in (m1, m2, m3)] == [0, 0, 18000]
    act(client, m3["id"], "cancel", prov["token"])
    after = read(client, project, prov["token"])["milestones"]
    assert [m["deposit_credit_minor"] for m in after] == [0, 18000, 0]
    assert [m["due_minor"] for m in after] == [10000, 2000, 0]
    # m1 was held at acceptance for 10000; completing m1 then m2 charges 10000 + 2000
    assert act(client, m1["id"], "complete", prov["token"])["status"] == "paid"
    m2 = read(client, project)["milestones"][1]
    [hold2] = m2["payments"]
    assert pi(stripe_raw, hold2)["amount"] == 2000
    assert act(client, m2["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, hold2["stripe_payment_intent_id"]) == 2000
    final = read(client, project, prov["token"])
    assert (final["status"], final["total_paid"]) == ("completed", 18000 + 10000 + 2000)
    [deposit] = [p for p in final["payments"] if p["purpose"] == "deposit"]
    assert _refunded(stripe_raw, deposit) == 0  # all of the deposit was used


def test_deposit_share_nobody_can_take_is_refunded_with_a_credit_note(client, card_pm,
                                                                     stripe_raw):
    prov, project, body = accepted_project(
        client, card_pm, deposit=50, milestones=[("Audit", 10000, 2), ("Report", 10000, 3)])
    m1, m2 = body["milestones"]
    assert [m["deposit_credit_minor"] for m in (m1, m2)] == [0, 10000]
    assert act(client, m1["id"], "complete", prov["token"])["status"] == "paid"
    act(client, m2["id"], "cancel", prov["token"])
    final = read(client, project, prov["token"])
    [deposit] = [p for p in final["payments"] if p["purpose"] == "deposit"]
    assert (deposit["amount_captured"], _refunded(stripe_raw, deposit)) == (10000, 10000)
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    assert status == 200
    by_kind = sorted((i["kind"], i["ttc_minor"], i["credited_number"]) for i in invoices)
    deposit_invoice = next(i for i in invoices if i["milestone_id"] is None
                           and i["kind"] == "invoice")
    assert by_kind == sorted([("invoice", 10000, None), ("invoice", 10000, None),
                              ("credit_note", 10000, deposit_invoice["number"])])
    # nothing more to refund: the deposit is back in full
    status, body = api(client, "POST", f"/api/v1/payments/{deposit['id']}/refund", json={},
                       token=prov["token"])
    assert status == 409
