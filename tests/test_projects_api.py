"""Projects through the API against the emulator: deposit, milestones held and captured,
holds placed late and renewed, approval, contest, failures."""

from __future__ import annotations

import threading
from datetime import timedelta

from skod.core.clock import parse_iso, utcnow
from tests import factories as f
from tests.support import clock
from tests.support.api import api
from tests.support.links import assert_opens
from tests.support.stripe_helpers import CARD_OK


def day(n: int) -> str:
    """The Paris day n days after the test's; expected_on dates are the provider's days."""
    return clock.paris_day(clock.current(), n).isoformat()


def new_project(client, prov: dict, *, deposit: int = 0, approval: str = "none",
                milestones: list | None = None, email: str = "buyer@example.test") -> dict:
    specs = milestones or [("Design", 10000, 2), ("Build", 20000, 3), ("Launch", 30000, 21)]
    status, body = api(client, "POST", "/api/v1/projects", token=prov["token"], json={
        "client": {"email": email, "name": "Dana Buyer", "kind": "business",
                   "company_name": "Buyer SARL", "address": "4 quai Rambaud\n69002 Lyon"},
        "title": "New website", "currency": "EUR", "deposit_percent": deposit,
        "approval": approval,
        "milestones": [{"title": t, "amount_minor": a, "expected_on": day(d)}
                       for t, a, d in specs]})
    assert status == 201, body
    return body


def accept(client, project: dict, pm_id: str) -> dict:
    status, body = api(client, "POST", f"/api/v1/projects/{project['id']}/payment-method",
                       json={"payment_method": pm_id}, token=project["client_token"])
    assert status == 200, body
    return body


def read(client, project: dict, token: str | None = None) -> dict:
    status, body = api(client, "GET", f"/api/v1/projects/{project['id']}",
                       token=token or project["client_token"])
    assert status == 200, body
    return body


def act(client, milestone_id: int, action: str, token: str, json=None) -> dict:
    status, body = api(client, "POST", f"/api/v1/milestones/{milestone_id}/{action}",
                       json=json if json is not None else {}, token=token)
    assert status == 200, body
    return body


def pi(stripe_raw, payment: dict) -> dict:
    return stripe_raw.v1.payment_intents.retrieve(payment["stripe_payment_intent_id"])


def accepted_project(client, card_pm, **kw) -> tuple[dict, dict, dict]:
    prov = f.provider(client)
    project = new_project(client, prov, **kw)
    assert accept(client, project, card_pm(CARD_OK).id) == {"status": "accepted"}
    return prov, project, read(client, project)


def test_deposit_and_three_milestones_each_captured_when_done(app, client, card_pm, stripe_raw,
                                                             outbox, now):
    prov = f.provider(client)
    project = new_project(client, prov, deposit=30)
    assert_opens(client, project["accept_url"], "pr", project["id"])
    [invite] = outbox.to("buyer@example.test")  # same link, a token of its own second
    assert_opens(client, invite.get_body(("plain",)).get_content(), "pr", project["id"])
    assert accept(client, project, card_pm(CARD_OK).id) == {"status": "accepted"}
    body = read(client, project)
    [deposit] = body["payments"]
    assert (deposit["purpose"], deposit["status"], deposit["amount_captured"]) == (
        "deposit", "captured", 18000)
    assert f.captured_at_emulator(stripe_raw, deposit["stripe_payment_intent_id"]) == 18000
    m1, m2, m3 = body["milestones"]
    assert [m["deposit_credit_minor"] for m in (m1, m2, m3)] == [0, 0, 18000]
    # The first milestone started at acceptance; due in 2 days: held at once, off-session.
    assert m1["status"] == "in_progress"
    [hold] = m1["payments"]
    assert (pi(stripe_raw, hold)["status"], pi(stripe_raw, hold)["amount"]) == (
        "requires_capture", 10000)
    assert act(client, m1["id"], "complete", prov["token"], {"note": "mockups"})["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 10000
    m2 = read(client, project)["milestones"][1]  # started when the first was paid
    assert m2["status"] == "in_progress" and m2["payments"][0]["status"] == "held"
    assert act(client, m2["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, m2["payments"][0]["stripe_payment_intent_id"]) \
        == 20000
    # Three weeks out: started, but its hold waits until HOLD_LEAD before the due date.
    m3 = read(client, project)["milestones"][2]
    assert m3["status"] == "in_progress" and m3["payments"] == []
    hold_due = parse_iso(m3["hold_due_at"])
    assert hold_due - now > timedelta(days=19)
    f.tick(app, hold_due - timedelta(hours=1))
    assert read(client, project)["milestones"][2]["payments"] == []
    f.tick(app, hold_due)
    [hold3] = read(client, project)["milestones"][2]["payments"]
    assert (hold3["status"], pi(stripe_raw, hold3)["amount"]) == ("held", 12000)  # 30000 - 18000
    f.tick(app, hold_due + timedelta(hours=1))
    assert len(read(client, project)["milestones"][2]["payments"]) == 1
    assert act(client, m3["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, hold3["stripe_payment_intent_id"]) == 12000
    body = read(client, project, prov["token"])
    assert (body["status"], body["total_paid"], body["total_remaining"]) == (
        "completed", 60000, 0)
    # one paid invoice for the deposit, then one per milestone for what it still cost
    status, invoices = api(client, "GET", "/api/v1/invoices", token=prov["token"])
    assert status == 200
    invoices.sort(key=lambda i: i["number"])
    assert [(i["ttc_minor"], i["paid"], i["milestone_id"]) for i in invoices] == [
        (18000, True, None), (10000, True, m1["id"]), (20000, True, m2["id"]),
        (12000, True, m3["id"])]
    assert [i["number"][-6:] for i in invoices] == ["000001", "000002", "000003", "000004"]


def test_approval_mode_auto_approves_after_the_window(app, client, card_pm, stripe_raw, outbox,
                                                      now):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    [m] = body["milestones"]
    done = act(client, m["id"], "complete", prov["token"], {"note": "report.pdf"})
    assert done["status"] == "awaiting_approval"
    deadline = parse_iso(done["approval_deadline"])
    # 72 h after the request, which the app timed on its own clock between `now` and utcnow()
    assert now + timedelta(hours=72) <= deadline <= utcnow() + timedelta(hours=72)
    mail = outbox.to("buyer@example.test")[-1]
    assert "report.pdf" in mail.get_body(("plain",)).get_content()
    f.tick(app, deadline - timedelta(minutes=1))
    m = read(client, project)["milestones"][0]
    assert m["status"] == "awaiting_approval" and pi(stripe_raw, m["payments"][0])["status"] \
        == "requires_capture"
    f.tick(app, deadline)
    m = read(client, project)["milestones"][0]
    assert m["status"] == "paid" and m["approved_at"]
    assert f.captured_at_emulator(stripe_raw, m["payments"][0]["stripe_payment_intent_id"]) == 5000


def test_client_approves_and_the_hold_is_captured(client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    act(client, m["id"], "complete", prov["token"])
    assert act(client, m["id"], "approve", project["client_token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, m["payments"][0]["stripe_payment_intent_id"]) == 5000


def test_contest_suspends_then_resolve_captures_the_new_amount(app, client, card_pm,
                                                               stripe_raw, outbox):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    done = act(client, m["id"], "complete", prov["token"])
    outbox.clear()
    contested = act(client, m["id"], "contest", project["client_token"],
                    {"reason": "two pages are missing"})
    assert contested["status"] == "contested"
    assert len(outbox.to("buyer@example.test")) == 1 and len(outbox.to(prov["email"])) == 1
    assert "two pages are missing" in outbox.to(prov["email"])[0].get_body(
        ("plain",)).get_content()
    f.tick(app, parse_iso(done["approval_deadline"]) + timedelta(hours=1))
    m = read(client, project)["milestones"][0]
    assert m["status"] == "contested" and pi(stripe_raw, m["payments"][0])["status"] \
        == "requires_capture"
    status, _ = api(client, "PATCH", f"/api/v1/milestones/{m['id']}", token=prov["token"],
                    json={"amount_minor": 9000})
    assert status == 422  # a contest settles lower, never higher
    status, patched = api(client, "PATCH", f"/api/v1/milestones/{m['id']}",
                          token=prov["token"], json={"amount_minor": 4000})
    assert status == 200 and patched["amount_minor"] == 4000
    assert act(client, m["id"], "resolve", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, m["payments"][0]["stripe_payment_intent_id"]) == 4000


def test_contest_then_cancel_releases_the_hold(client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, approval="client",
                                           milestones=[("Audit", 5000, 1)])
    m = body["milestones"][0]
    act(client, m["id"], "complete", prov["token"])
    act(client, m["id"], "contest", project["client_token"], {"reason": "not done"})
    assert act(client, m["id"], "cancel", prov["token"])["status"] == "cancelled"
    assert pi(stripe_raw, m["payments"][0])["status"] == "canceled"
    body = read(client, project)
    assert (body["total_paid"], body["total_remaining"], body["status"]) == (0, 0, "completed")


def test_hold_is_renewed_before_capture_before(app, client, card_pm, stripe_raw):
    prov, project, body = accepted_project(client, card_pm, milestones=[("Build", 7000, 3)])
    [old] = body["milestones"][0]["payments"]
    capture_before = parse_iso(old["capture_before"])
    f.tick(app, capture_before - timedelta(hours=13))
    assert len(read(client, project)["milestones"][0]["payments"]) == 1
    f.tick(app, capture_before - timedelta(hours=12))
    m = read(client, project)["milestones"][0]
    first, second = m["payments"]
    assert (first["status"], second["status"], m["hold_attempts"]) == ("released", "held", 2)
    assert pi(stripe_raw, first)["status"] == "canceled"
    assert (pi(stripe_raw, second)["status"], pi(stripe_raw, second)["amount"]) == (
        "requires_capture", 7000)
    f.tick(app, capture_before - timedelta(hours=11))  # the new hold is fresh: no third
    assert len(read(client, project)["milestones"][0]["payments"]) == 2
    assert act(client, m["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, second["stripe_payment_intent_id"]) == 7000


def test_concurrent_double_complete_captures_once(app, card_pm, stripe_raw, client):
    prov, project, body = accepted_project(client, card_pm, milestones=[("Build", 7000, 3)])
    m = body["milestones"][0]
    barrier, results = threading.Barrier(2), []

    def complete() -> None:
        c = app.test_client()
        barrier.wait()
        results.append(api(c, "POST", f"/api/v1/milestones/{m['id']}/complete", json={},
                           token=prov["token"]))

    threads = [threading.Thread(target=complete) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert [s for s, _ in results] == [200, 200]
    m = read(client, project)["milestones"][0]
    [hold] = m["payments"]
    assert (m["status"], hold["status"], hold["amount_captured"]) == ("paid", "captured", 7000)
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 7000


def test_a_card_set_up_with_3ds_holds_off_session_without_the_client(client, card_pm,
                                                                    stripe_raw):
    """The saved-card path as Stripe runs it: 4000002500003155 is authenticated once when it
    is set up; the milestone's hold is then placed off-session, without a challenge."""
    from tests.support.stripe_helpers import CARD_3DS

    prov = f.provider(client)
    project = new_project(client, prov, milestones=[("Build", 7000, 3)], email="set@example.test")
    pm = card_pm(CARD_3DS).id
    first = accept(client, project, pm)
    assert (first["status"], first["intent"]) == ("requires_action", "setup")
    stripe_raw.v1.setup_intents.confirm(first["client_secret"].split("_secret_")[0])
    assert accept(client, project, pm) == {"status": "accepted"}
    m = read(client, project)["milestones"][0]
    [hold] = m["payments"]
    print("set-up 3155 off-session:", m["status"], hold["status"], pi(stripe_raw, hold)["status"])
    assert (m["status"], hold["status"]) == ("in_progress", "held")
    assert pi(stripe_raw, hold)["status"] == "requires_capture"
    assert act(client, m["id"], "complete", prov["token"])["status"] == "paid"
    assert f.captured_at_emulator(stripe_raw, hold["stripe_payment_intent_id"]) == 7000


def test_off_session_3ds_sends_the_authorize_link_and_the_page_flow_holds(client, card_pm,
                                                                          stripe_raw, outbox,
                                                                          authenticate_3ds):
    from tests.support.stripe_helpers import CARD_3DS_ALWAYS as CARD_3DS

    prov = f.provider(client)
    project = new_project(client, prov, milestones=[("Build", 7000, 3)], email="sca@example.test")
    pm = card_pm(CARD_3DS).id
    first = accept(client, project, pm)
    assert (first["status"], first["intent"]) == ("requires_action", "setup")
    stripe_raw.v1.setup_intents.confirm(first["client_secret"].split("_secret_")[0])
    assert accept(client, project, pm) == {"status": "accepted"}
    m = read(client, project)["milestones"][0]
    assert m["status"] == "action_required"
    assert "/pr/" in outbox.to("sca@example.test")[-1].get_body(("plain",)).get_content()
    # before delivery: the provider is warned not to work unpaid; nothing is invoiced
    assert outbox.to(prov["email"])[-1]["Subject"] == "Paiement non garanti\u202f: Build"
    assert api(client, "GET", "/api/v1/invoices", token=prov["token"]) == (200, [])
    # as Stripe does off-session: 402 authentication_required, the intent back to
    # requires_payment_method; the client's page then holds with a new, on-session intent
    [refused] = m["payments"]
    assert (refused["status"], refused["last_error_code"]) == ("failed",
                                                                 "authentication_required")
    assert pi(stripe_raw, refused)["status"] == "requires_payment_method"
    out = act(client, m["id"], "authorize", project["client_token"])
    assert out["status"] == "requires_action" and out["client_secret"]
    authenticate_3ds(out["client_secret"].split("_secret_")[0], out["client_secret"])
    assert act(client, m["id"], "confirm", project["client_token"]) == {"status": "held"}
    m = read(client, project)["milestones"][0]
    assert m["status"] == "in_progress"
    assert outbox.to(prov["email"])[-1]["Subject"] == "Paiement garanti\u202f: Build"
    assert act(client, m["id"], "complete", prov["token"])["status"] == "paid"
    held = m["payments"][-1]["stripe_payment_intent_id"]
    assert f.captured_at_emulator(stripe_raw, held) == 7000
