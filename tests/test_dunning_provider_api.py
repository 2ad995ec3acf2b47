"""The provider's receivables through the API: list and case shapes, filters and paging, and
each action's effect on the rows and on what the sweep (`skod tick --at`) sends afterwards.

Debts are opened the real way: an invoice issued unpaid through the ledger, then the sweep's
own net (opening.open_for_invoice). Ticks happen at 10:00 Paris on French business days
(the ladder sends nothing at night, on weekends or on public holidays).
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from sqlalchemy import select

from skod.accounts.models import Client, Provider
from skod.dunning.debts import cases, opening
from skod.dunning.debts.models import DunningStep, Receivable
from skod.extensions import db
from skod.invoicing.models import Invoice
from tests import factories as f
from tests.dunning_support import working_instant
from tests.invoice_support import issue, make_client
from tests.support import clock
from tests.support.api import api

PARIS = clock.PARIS


def business_morning(after: datetime, days: int = 1) -> datetime:
    """10:00 Paris on the first French business day at least `days` days after `after`'s
    Paris day."""
    return working_instant(after + timedelta(days=days - 1))


def provider_id(app, prov: dict) -> int:
    with app.app_context():
        return db.session.scalar(select(Provider.id).where(Provider.email == prov["email"]))


def open_debt(app, pid: int, now: datetime, amount: int = 12_000, kind: str = "business",
              days_late: int = 0, client_id: int | None = None) -> dict:
    """An unpaid invoice issued `days_late` days ago, and the receivable the net opens for it."""
    with app.app_context():
        client_id = client_id or make_client(pid, kind=kind)
        invoice = issue(pid, client_id, amount, paid=False, now=now - timedelta(days=days_late))
        receivable = opening.open_for_invoice(invoice, now)
        db.session.commit()
        client = db.session.get(Client, client_id)
        return {"id": receivable.id, "invoice_id": invoice.id, "number": invoice.number,
                "client_id": client_id, "email": client.email}


def steps_of(app, receivable_id: int) -> dict[int, str]:
    with app.app_context():
        rows = db.session.scalars(select(DunningStep).where(
            DunningStep.receivable_id == receivable_id)).all()
        return {row.step: row.status for row in rows}


def case(client, token: str, receivable_id: int) -> dict:
    status, body = api(client, "GET", f"/api/v1/receivables/{receivable_id}", token=token)
    assert status == 200, body
    return body


def act(client, token: str, receivable_id: int, action: str, json=None,
        expect: int = 200) -> dict:
    status, body = api(client, "POST", f"/api/v1/receivables/{receivable_id}/{action}",
                       token=token, json=json if json is not None else {})
    assert status == expect, body
    return body


def test_list_and_case_shapes_filters_and_paging(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    late = open_debt(app, pid, now, amount=12_000, days_late=20)
    fresh = open_debt(app, pid, now, amount=4_500, kind="consumer")
    token = prov["token"]
    status, page = api(client, "GET", "/api/v1/receivables", token=token)
    assert status == 200 and page["total"] == 2 and (page["page"], page["per_page"]) == (1, 50)
    assert {item["id"] for item in page["items"]} == {late["id"], fresh["id"]}
    item = next(i for i in page["items"] if i["id"] == late["id"])
    assert item["invoice_number"] == late["number"] and item["status"] == "open"
    assert (item["principal_minor"], item["balance_minor"], item["age_days"]) == (12_000, 12_000,
                                                                                   20)
    assert item["client"]["id"] == late["client_id"] and item["client_kind"] == "business"
    assert item["last_step"] == -1 and item["next_action"]["kind"] == "step"
    assert item["next_action"]["step"] == 0 and item["pause"] is None
    # sorted by next action; paged
    status, first = api(client, "GET", "/api/v1/receivables?per_page=1", token=token)
    status, second = api(client, "GET", "/api/v1/receivables?per_page=1&page=2", token=token)
    assert first["total"] == second["total"] == 2
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [
        i["id"] for i in page["items"]]
    assert page["items"][0]["next_action"]["at"] <= page["items"][1]["next_action"]["at"]
    # filters
    f.tick(app, business_morning(now))  # step 0 for both
    act(client, token, fresh["id"], "pause")
    for query, expected in (("status=open", {late["id"]}), ("status=paused", {fresh["id"]}),
                            ("status=owed", {late["id"], fresh["id"]}), ("status=closed", set()),
                            ("step=0", {late["id"], fresh["id"]}), ("step=1", set()),
                            (f"client_id={fresh['client_id']}", {fresh["id"]})):
        status, body = api(client, "GET", f"/api/v1/receivables?{query}", token=token)
        assert status == 200 and {i["id"] for i in body["items"]} == expected, query
    status, body = api(client, "GET", "/api/v1/receivables?status=lost", token=token)
    assert status == 422 and "status" in body["error"]["fields"]


def test_one_case_with_its_timeline_steps_and_age(app, client, now):
    prov = f.provider(client)
    token = prov["token"]
    late = open_debt(app, provider_id(app, prov), now, amount=12_000, days_late=20)
    f.tick(app, business_morning(now))  # step 0
    detail = case(client, token, late["id"])
    assert detail["invoice_id"] == late["invoice_id"] and detail["age_days"] == 20
    assert detail["last_step"] == 0 and detail["next_action"]["step"] == 1
    assert [s["step"] for s in detail["steps"]] == [0] and detail["steps"][0]["status"] == "sent"
    assert [e["kind"] for e in detail["events"]] == ["opened", "step"]
    assert detail["events"][0]["data"]["amount"] == 12_000
    assert detail["plan"] is None and detail["evidence"] == []
    assert detail["failure"] == {"code": None, "kind": None}


def test_pause_stops_the_ladder_and_resume_sends_the_next_step(app, client, outbox, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now)
    first = business_morning(now)
    f.tick(app, first)
    assert steps_of(app, debt["id"]) == {0: "sent"} and len(outbox.to(debt["email"])) == 1
    paused = act(client, prov["token"], debt["id"], "pause", {"note": "called the client"})
    assert paused["status"] == "paused" and paused["next_action"] is None
    assert paused["pause"] == {"reason": "provider", "until": None}
    [pause] = [e for e in paused["events"] if e["kind"] == "pause"]
    assert pause["data"]["note"] == "called the client"
    due = business_morning(first, days=8)  # past J+7 and the 5-day gap
    f.tick(app, due)
    assert steps_of(app, debt["id"]) == {0: "sent"} and len(outbox.to(debt["email"])) == 1
    resumed = act(client, prov["token"], debt["id"], "resume")
    assert resumed["status"] == "open" and resumed["next_action"]["step"] == 1
    f.tick(app, due)
    assert steps_of(app, debt["id"]) == {0: "sent", 1: "sent"}
    assert len(outbox.to(debt["email"])) == 2


def test_a_pause_until_a_day_resumes_by_itself_that_day(app, client, outbox, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now)
    first = business_morning(now)
    f.tick(app, first)
    due = business_morning(first, days=8)
    until = due.astimezone(PARIS).date()
    paused = act(client, prov["token"], debt["id"], "pause", {"until": until.isoformat()})
    resumes_at = datetime.fromisoformat(paused["pause"]["until"])
    assert resumes_at.astimezone(PARIS) == datetime.combine(until, time(0), PARIS)
    f.tick(app, due - timedelta(days=1, hours=1))  # the day before: still paused
    assert case(client, prov["token"], debt["id"])["status"] == "paused"
    f.tick(app, due)
    after = case(client, prov["token"], debt["id"])
    assert after["status"] == "open" and after["last_step"] == 1
    assert [e["data"].get("why") for e in after["events"] if e["kind"] == "resume"] == [
        "pause_ended"]
    assert len(outbox.to(debt["email"])) == 2


def test_pause_and_resume_refusals(app, client, now):
    prov = f.provider(client)
    token = prov["token"]
    debt = open_debt(app, provider_id(app, prov), now)
    body = act(client, token, debt["id"], "resume", expect=409)
    assert body["error"]["code"] == "receivable_not_paused"
    past = clock.paris_today(now).isoformat()
    body = act(client, token, debt["id"], "pause", {"until": past}, expect=422)
    assert "until" in body["error"]["fields"]
    body = act(client, token, debt["id"], "pause", {"until": "2099-01-01"}, expect=422)
    assert case(client, token, debt["id"])["status"] == "open"
    act(client, token, debt["id"], "pause")
    assert act(client, token, debt["id"], "pause", expect=409)["error"]["code"] == (
        "already_paused")
    act(client, token, debt["id"], "resume")
    # a dispute at the bank pauses the case; only its closing resumes it
    with app.app_context():
        cases.pause(debt["id"], now, "stripe_dispute", dispute_id=1)
    body = act(client, token, debt["id"], "resume", expect=409)
    assert body["error"]["code"] == "paused_stripe_dispute"
    assert act(client, token, debt["id"], "remind", expect=409)["error"]["code"] == (
        "receivable_paused")


def test_write_off_closes_the_case_and_nothing_more_is_sent(app, client, outbox, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now)
    done = act(client, prov["token"], debt["id"], "write-off", {"note": "client went bust"})
    assert done["status"] == "written_off" and done["closed_at"] and done["next_action"] is None
    assert done["events"][-1] == {**done["events"][-1], "kind": "written_off"}
    assert done["events"][-1]["data"]["note"] == "client went bust"
    f.tick(app, business_morning(now))
    f.tick(app, business_morning(now, days=20))
    assert outbox.to(debt["email"]) == [] and steps_of(app, debt["id"]) == {}
    body = act(client, prov["token"], debt["id"], "write-off", expect=409)
    assert body["error"]["code"] == "receivable_closed"
    with app.app_context():
        assert db.session.get(Invoice, debt["invoice_id"]).paid is False


def test_mark_paid_partly_then_fully_closes_the_case_and_pays_the_invoice(app, client, now):
    prov = f.provider(client)
    token = prov["token"]
    debt = open_debt(app, provider_id(app, prov), now, amount=12_000)
    part = act(client, token, debt["id"], "mark-paid", {"amount_minor": 5_000})
    assert (part["status"], part["paid_minor"], part["balance_minor"]) == ("open", 5_000, 7_000)
    assert part["events"][-1]["kind"] == "payment"
    assert part["events"][-1]["data"] == {**part["events"][-1]["data"], "amount": 5_000,
                                          "via": "transfer"}
    too_much = act(client, token, debt["id"], "mark-paid", {"amount_minor": 7_001}, expect=422)
    assert "amount_minor" in too_much["error"]["fields"]
    assert act(client, token, debt["id"], "mark-paid", {"amount_minor": 0}, expect=422)
    status, invoice = api(client, "GET", f"/api/v1/invoices/{debt['invoice_id']}", token=token)
    assert invoice["paid"] is False
    full = act(client, token, debt["id"], "mark-paid")
    assert (full["status"], full["paid_minor"], full["balance_minor"]) == ("paid", 12_000, 0)
    assert full["next_action"] is None and full["closed_at"]
    status, invoice = api(client, "GET", f"/api/v1/invoices/{debt['invoice_id']}", token=token)
    assert status == 200 and invoice["paid"] is True and invoice["balance_minor"] == 0
    assert act(client, token, debt["id"], "mark-paid", expect=409)["error"]["code"] == (
        "receivable_closed")


def test_remind_sends_the_next_step_once_and_a_second_is_too_soon(app, client, outbox, now):
    prov = f.provider(client)
    token = prov["token"]
    debt = open_debt(app, provider_id(app, prov), now)
    sent = act(client, token, debt["id"], "remind")
    assert sent["last_step"] == 0 and [s["status"] for s in sent["steps"]] == ["sent"]
    assert len(outbox.to(debt["email"])) == 1
    again = act(client, token, debt["id"], "remind", expect=409)
    assert again["error"]["code"] == "too_soon"
    earliest = again["error"]["fields"]["earliest"][0]
    assert earliest in again["error"]["message"]
    assert datetime.fromisoformat(earliest.replace("Z", "+00:00")) > now + timedelta(days=4)
    assert len(outbox.to(debt["email"])) == 1 and steps_of(app, debt["id"]) == {0: "sent"}
    # the sweep does not send step 0 a second time either
    f.tick(app, business_morning(now))
    assert len(outbox.to(debt["email"])) == 1


def test_remind_after_the_last_available_step_is_refused(app, client, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now, days_late=40)
    with app.app_context():  # steps 0-4 taken long ago: the ladder has nothing after 4
        row = db.session.get(Receivable, debt["id"])
        row.last_step, row.last_step_at = 4, now - timedelta(days=10)
        db.session.commit()
    body = act(client, prov["token"], debt["id"], "remind", expect=409)
    assert body["error"]["code"] == "ladder_end"


def test_another_providers_receivable_is_not_found(app, client, now):
    owner, stranger = f.provider(client), f.provider(client)
    debt = open_debt(app, provider_id(app, owner), now)
    token = stranger["token"]
    status, body = api(client, "GET", f"/api/v1/receivables/{debt['id']}", token=token)
    assert status == 404 and body["error"]["code"] == "not_found"
    for action, json in (("pause", {}), ("resume", None), ("write-off", {}),
                         ("mark-paid", {"amount_minor": 100}), ("remind", None)):
        status, body = api(client, "POST", f"/api/v1/receivables/{debt['id']}/{action}",
                           token=token, json=json)
        assert status == 404, (action, body)
    status, body = api(client, "GET", f"/api/v1/receivables?client_id={debt['client_id']}",
                       token=token)
    assert status == 200 and body["items"] == [] and body["total"] == 0
    assert case(client, owner["token"], debt["id"])["status"] == "open"
    status, _ = api(client, "GET", "/api/v1/receivables")
    assert status == 401


def test_client_filter_reads_the_providers_one_row_of_that_email(app, client, now):
    from skod.accounts.clients import client_for

    prov, other = f.provider(client), f.provider(client)
    pid = provider_id(app, prov)
    first = open_debt(app, pid, now, amount=5_000)
    with app.app_context():  # the same person books again, e-mail in capitals: the same row
        again_id = client_for(pid, {"email": first["email"].upper(), "name": "Bruno Petit"}).id
        db.session.commit()
    assert again_id == first["client_id"]
    second = open_debt(app, pid, now, amount=2_500, client_id=again_id)
    stranger = open_debt(app, pid, now, amount=1_000)
    status, body = api(client, "GET", f"/api/v1/receivables?client_id={again_id}",
                       token=prov["token"])
    assert status == 200 and {i["id"] for i in body["items"]} == {first["id"], second["id"]}
    # no one's row; this provider's row asked by another provider
    for token, client_id in ((prov["token"], 999999), (other["token"], again_id)):
        status, body = api(client, "GET", f"/api/v1/receivables?client_id={client_id}",
                           token=token)
        assert status == 200 and body["total"] == 0
    assert stranger["client_id"] != again_id
