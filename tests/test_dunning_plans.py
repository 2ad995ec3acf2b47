"""Payment plans: the split and the monthly schedule (pure rules), the client's request on the
pay page, the provider's decision through the API, the instalments charged month by month at
the emulator, and a refused instalment that ends the plan and resumes the ladder."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from skod.core.clock import parse_iso
from skod.core.errors import Invalid
from skod.dunning.rules import plan_split as plan_rules
from tests import factories as f
from tests.dunning_paypage_support import (
    AUTH,
    SOFT,
    business_at,
    debt,
    recovery_intents,
    save_plan_card,
    state,
)
from tests.support import clock
from tests.support.api import api
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE, CARD_OK


# Pure rules -----------------------------------------------------------------------------------
@pytest.mark.parametrize(("balance", "n", "amounts"), [
    (12_000, 3, [4_000, 4_000, 4_000]),
    (10_000, 3, [3_334, 3_333, 3_333]),
    (10_001, 2, [5_001, 5_000]),
    (100_005, 6, [16_670, 16_667, 16_667, 16_667, 16_667, 16_667]),
])
def test_split_adds_up_exactly_with_the_remainder_on_the_first(balance, n, amounts):
    assert plan_rules.split(balance, n) == amounts and sum(amounts) == balance


def test_monthly_keeps_the_local_day_and_hour_and_clamps_short_months():
    first = datetime(2026, 1, 31, 10, 30, tzinfo=clock.PARIS).astimezone(UTC)
    dates = [d.astimezone(clock.PARIS) for d in plan_rules.monthly(first, 4, "Europe/Paris")]
    assert [(d.month, d.day, d.hour, d.minute) for d in dates] == [
        (1, 31, 10, 30), (2, 28, 10, 30), (3, 31, 10, 30), (4, 30, 10, 30)]  # across DST
    late = datetime(2026, 11, 15, 23, 0, tzinfo=clock.PARIS).astimezone(UTC)
    assert [(d.year, d.month, d.day) for d in (x.astimezone(clock.PARIS) for x in
                                               plan_rules.monthly(late, 3, "Europe/Paris"))] == [
        (2026, 11, 15), (2026, 12, 15), (2027, 1, 15)]


@pytest.mark.parametrize(("balance", "n", "code"), [
    (12_000, 1, "invalid"), (12_000, 7, "invalid"), (250, 6, "instalment_too_small")])
def test_plans_outside_2_to_6_or_below_the_minimum_charge_are_refused(balance, n, code):
    with pytest.raises(Invalid) as err:
        plan_rules.check_instalments(balance, n, "EUR")
    assert err.value.code == code


def test_a_requested_schedule_starts_a_week_later_and_adds_up_to_the_balance(now):
    steps = plan_rules.schedule(10_000, 3, "EUR", plan_rules.first_due(now), "Europe/Paris")
    assert [amount for _due, amount in steps] == [3_334, 3_333, 3_333]
    assert steps[0][0] == now + timedelta(days=7)
    assert [due for due, _amount in steps] == plan_rules.monthly(steps[0][0], 3,
                                                                 "Europe/Paris")


# Through the pay page, the API and the emulator -----------------------------------------------
def _ask(client, d: dict, n) -> object:
    return client.post(d["path"] + "/plan", data={"instalments": n})


def _decide(client, d: dict, what: str, token: str | None = None) -> tuple[int, dict]:
    return api(client, "POST", f"/api/v1/receivables/{d['id']}/plan/{what}",
               token=token or d["provider"]["token"])


def _plan_rows(app, receivable_id: int) -> list[tuple[str, list[str]]]:
    from skod.dunning.debts.models import PaymentPlan
    from skod.extensions import db

    with app.app_context():
        db.session.expire_all()
        rows = db.session.scalars(select(PaymentPlan).where(
            PaymentPlan.receivable_id == receivable_id).order_by(PaymentPlan.id)).all()
        return [(p.status, [i.status for i in p.schedule]) for p in rows]


def _case_page(client, d: dict) -> str:
    """The provider's case page, in French, the provider logged in on this test client."""
    resp = client.post("/login", data={"email": d["provider"]["email"],
                                       "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    page = client.get(f"/dashboard/receivables/{d['id']}?lang=fr")
    assert page.status_code == 200
    return page.get_data(as_text=True)


def _intent(stripe_raw, pi_id: str) -> tuple[str, int, bool]:
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    return pi["status"], pi["amount_received"], pi["capture_method"] == "automatic"


def test_plan_of_three_is_charged_three_times_on_schedule_and_closes_the_debt(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    for bad in ("1", "7", "three", ""):
        assert _ask(client, d, bad).status_code == 422, bad
    assert _plan_rows(app, d["id"]) == [] and state(app, d["id"])["status"] == "open"
    save_plan_card(client, stripe_raw, card_pm, d)  # the refused card cannot carry them
    told = len(outbox.to(d["provider"]["email"]))
    assert _ask(client, d, 3).status_code == 303
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"]) == ("paused", "plan")
    assert len(outbox.to(d["provider"]["email"])) == told + 1
    told = outbox.to(d["provider"]["email"])[-1].get_body(("plain",)).get_content()
    assert told.count("40,00\u00a0€") == 3 and "Mensualité n°\u00a03" in told  # the days
    assert not re.search(r"\d{4}-\d{2}-\d{2}", told)
    assert _plan_rows(app, d["id"]) == [("proposed", ["scheduled"] * 3)]  # fixed on request
    page = client.get(d["path"]).get_data(as_text=True)
    assert 'data-status="proposed"' in page and 'id="plan-form"' not in page
    assert 'id="promise-form"' not in page and 'id="pay-form"' in page

    status, plan = _decide(client, d, "accept")
    assert status == 200, plan
    assert [(i["amount_minor"], i["status"]) for i in plan["schedule"]] == [
        (4_000, "scheduled")] * 3  # nothing charged before the first date
    assert [m["Subject"] for m in outbox.to(d["email"])].count(
        "Votre échéancier est accepté") == 1
    due = [parse_iso(i["due_at"]) for i in plan["schedule"]]
    assert due == plan_rules.monthly(due[0], 3, "Europe/Paris")
    assert recovery_intents(app, d["id"], "instalment:") == []

    f.tick(app, due[0] - timedelta(minutes=5))  # not due yet
    assert recovery_intents(app, d["id"], "instalment:") == []
    f.tick(app, due[0] + timedelta(minutes=1))
    f.tick(app, due[1] - timedelta(hours=1))  # the second not due yet
    assert len(recovery_intents(app, d["id"], "instalment:")) == 1
    f.tick(app, due[1] + timedelta(minutes=1))
    assert state(app, d["id"])["balance"] == 4_000
    f.tick(app, due[2] + timedelta(minutes=1))
    f.tick(app, due[2] + timedelta(days=1))  # nothing is charged twice
    intents = recovery_intents(app, d["id"], "instalment:")
    assert [_intent(stripe_raw, pi) for pi in intents] == [("succeeded", 4_000, True)] * 3
    case = state(app, d["id"])
    assert (case["status"], case["balance"], case["invoice_paid"]) == ("paid", 0, True)
    assert case["steps"] == []  # no reminder while the plan ran
    assert _plan_rows(app, d["id"]) == [("completed", ["paid", "paid", "paid"])]


def test_a_refused_second_instalment_fails_the_plan_and_the_ladder_resumes(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    card = save_plan_card(client, stripe_raw, card_pm, d)
    assert _ask(client, d, 3).status_code == 303
    status, plan = _decide(client, d, "accept")
    first = parse_iso(plan["schedule"][0]["due_at"])
    f.tick(app, first + timedelta(minutes=1))
    assert _plan_rows(app, d["id"]) == [("accepted", ["paid", "scheduled", "scheduled"])]
    second = parse_iso(plan["schedule"][1]["due_at"])
    stripe_emulator.script_declines(card, SOFT)  # the card refuses its next charge
    provider_mails, client_mails = (len(outbox.to(d["provider"]["email"])),
                                    len(outbox.to(d["email"])))
    at = business_at(second.astimezone(clock.PARIS).date() + timedelta(days=1))
    f.tick(app, at)
    assert _plan_rows(app, d["id"]) == [("failed", ["paid", "failed", "canceled"])]
    case = state(app, d["id"])
    assert (case["status"], case["pause_reason"], case["balance"]) == ("open", None, 8_000)
    assert case["steps"] == [0]  # the ladder goes on: its first step goes out in that tick
    assert len(outbox.to(d["provider"]["email"])) > provider_mails
    subjects = [m["Subject"] for m in outbox.to(d["email"])[client_mails:]]
    assert subjects.count("Une mensualité n'a pas pu être prélevée") == 1  # told once
    assert len(subjects) == 2, subjects  # that, and the ladder's notice: nothing twice
    intents = recovery_intents(app, d["id"], "instalment:")
    assert [_intent(stripe_raw, pi)[:2] for pi in intents] == [
        ("succeeded", 4_000), ("requires_payment_method", 0)]
    f.tick(app, parse_iso(plan["schedule"][2]["due_at"]) + timedelta(hours=1))
    assert len(recovery_intents(app, d["id"], "instalment:")) == 2  # no third charge
    page = client.get(d["path"]).get_data(as_text=True)
    assert 'data-status="failed"' in page and 'id="pause"' not in page
    case_page = _case_page(client, d)
    assert "canceled" not in case_page and "non prélevée" in case_page
    assert "reprise par vous" not in case_page
    assert "une mensualité de l’échéancier a été refusée" in case_page


def test_a_refused_plan_resumes_the_ladder_and_the_api_checks_who_decides(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    assert _decide(client, d, "accept")[0] == 409  # nothing proposed yet
    save_plan_card(client, stripe_raw, card_pm, d)
    assert _ask(client, d, 2).status_code == 303
    again = _ask(client, d, 4)
    assert again.status_code == 409 and "déjà" in again.get_data(as_text=True)
    other = f.provider(client)
    assert _decide(client, d, "accept", token=other["token"])[0] == 404
    assert _decide(client, d, "refuse", token=d["path"].rsplit("/", 1)[1])[0] == 401
    assert api(client, "POST", "/api/v1/receivables/999999/plan/accept",
               token=d["provider"]["token"])[0] == 404
    status, plan = _decide(client, d, "refuse")
    assert (status, plan["status"]) == (200, "refused")
    assert [i["status"] for i in plan["schedule"]] == ["canceled", "canceled"]
    assert state(app, d["id"])["status"] == "open"
    assert [m["Subject"] for m in outbox.to(d["email"])].count(
        "Votre échéancier n'a pas été accepté") == 1
    assert _decide(client, d, "accept")[0] == 409
    page = client.get(d["path"]).get_data(as_text=True)
    assert 'data-status="refused"' in page and 'id="plan-form"' in page
    case_page = _case_page(client, d)
    assert "vous avez refusé l’échéancier." in case_page
    assert "reprise par vous" not in case_page and "canceled" not in case_page


def test_a_card_that_cannot_carry_instalments_is_replaced_before_the_plan_is_asked(
        app, client, stripe_emulator, stripe_raw, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=AUTH)
    asked = _ask(client, d, 3)
    assert asked.status_code == 303 and asked.location.endswith("/plan?instalments=3")
    assert _plan_rows(app, d["id"]) == [] and state(app, d["id"])["status"] == "open"
    page = client.get(asked.location).get_data(as_text=True)
    assert 'id="plan-card-form"' in page and 'id="card-element"' in page
    new_card = save_plan_card(client, stripe_raw, card_pm, d)
    assert state(app, d["id"])["card"] == new_card
    page = client.get(asked.location).get_data(as_text=True)  # a usable card: no card step
    assert 'id="plan-send-form"' in page and 'id="card-element"' not in page
    assert _ask(client, d, 3).status_code == 303
    assert _plan_rows(app, d["id"]) == [("proposed", ["scheduled"] * 3)]
    status, plan = _decide(client, d, "accept")
    f.tick(app, parse_iso(plan["schedule"][0]["due_at"]) + timedelta(minutes=1))
    assert _plan_rows(app, d["id"]) == [("accepted", ["paid", "scheduled", "scheduled"])]
    [pi] = recovery_intents(app, d["id"], "instalment:")
    assert stripe_raw.v1.payment_intents.retrieve(pi)["payment_method"] == new_card


def test_a_plan_on_the_card_that_failed_takes_a_new_card_and_charges_on_its_first_date(
        app, client, stripe_emulator, stripe_raw, card_pm, outbox):
    """The issue's case: the saved card 4000000000000341 refused the milestone; the plan
    page asks for another card, both sides read the schedule, the provider accepts, and the
    first instalment is captured at the emulator on its date, not before."""
    d = debt(app, client, stripe_emulator, card_pm, refusal=None,
             number=CARD_OFF_SESSION_DECLINE)
    chooser = client.get(d["path"] + "/plan?instalments=3&lang=fr")
    page = chooser.get_data(as_text=True)
    assert chooser.status_code == 200 and 'id="plan-card-form"' in page
    assert 'id="failed-card-note"' in page and 'id="plan-send-form"' not in page
    assert _ask(client, d, 3).status_code == 303  # no request without a usable card
    assert _plan_rows(app, d["id"]) == []
    preview = re.findall(r'<tr data-instalment="\d">.*?</tr>', page)
    assert len(preview) == 3 and all("40,00" in row for row in preview)
    assert "120,00" in page.split("data-plan-total>")[1][:30]  # the total is the balance
    assert not re.search(r"\d{4}-\d{2}-\d{2}", "".join(preview))  # days in words

    new_card = save_plan_card(client, stripe_raw, card_pm, d, CARD_OK)
    assert _ask(client, d, 3).status_code == 303
    [(status, rows)] = _plan_rows(app, d["id"])
    assert (status, rows) == ("proposed", ["scheduled"] * 3)
    case_page = _case_page(client, d)
    assert 'id="plan-schedule"' in case_page and 'data-plan-status="proposed"' in case_page
    assert case_page.count('<tr data-instalment=') == 3
    assert "120,00" in case_page.split("data-plan-total>")[1][:30]
    assert "canceled" not in case_page and "scheduled" not in case_page.split(
        'id="plan-schedule"')[1].split("</table>")[0]

    accepted = client.post(f"/dashboard/receivables/{d['id']}/plan-accept")
    assert accepted.status_code == 302
    due = _due_dates(app, d["id"])
    assert due[0] > clock.current() + timedelta(days=6)  # a week after the request
    assert recovery_intents(app, d["id"], "instalment:") == []  # nothing at acceptance
    f.tick(app, due[0] - timedelta(minutes=2))
    assert recovery_intents(app, d["id"], "instalment:") == []  # nor the minute before
    f.tick(app, due[0] + timedelta(minutes=1))
    [pi_id] = recovery_intents(app, d["id"], "instalment:")
    pi = stripe_raw.v1.payment_intents.retrieve(pi_id)
    assert (pi["status"], pi["amount"], pi["amount_received"], pi["payment_method"]) == (
        "succeeded", 4_000, 4_000, new_card)
    assert state(app, d["id"])["balance"] == 8_000
    assert _plan_rows(app, d["id"]) == [("accepted", ["paid", "scheduled", "scheduled"])]


def test_a_request_on_a_case_closed_another_way_is_closed_with_it(
        app, client, stripe_emulator, stripe_raw, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    save_plan_card(client, stripe_raw, card_pm, d)
    assert _ask(client, d, 2).status_code == 303
    status, body = api(client, "POST", f"/api/v1/receivables/{d['id']}/mark-paid",
                       json={}, token=d["provider"]["token"])
    assert status == 200, body
    assert _plan_rows(app, d["id"]) == [("closed", ["canceled", "canceled"])]
    assert _decide(client, d, "accept")[0] == 409
    page = client.get(d["path"] + "?lang=fr").get_data(as_text=True)
    assert 'data-status="closed"' in page and "attente" not in page
    case_page = _case_page(client, d)
    assert "attente de votre réponse" not in case_page and 'data-action="plan-accept"' \
        not in case_page
    assert case_page.count("clos avec la créance") == 2  # the plan, and on the timeline
    assert client.get(d["path"] + "/plan").status_code == 303  # no plan page any more


def _due_dates(app, receivable_id: int) -> list[datetime]:
    from skod.dunning.debts.models import Instalment, PaymentPlan
    from skod.extensions import db

    with app.app_context():
        return list(db.session.scalars(select(Instalment.due_at).join(PaymentPlan).where(
            PaymentPlan.receivable_id == receivable_id).order_by(Instalment.seq)))


def test_an_accepted_plan_of_a_debt_written_off_charges_nothing_more(
        app, client, stripe_emulator, stripe_raw, card_pm):
    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    save_plan_card(client, stripe_raw, card_pm, d)
    assert _ask(client, d, 2).status_code == 303
    assert _decide(client, d, "accept")[0] == 200
    status, body = api(client, "POST", f"/api/v1/receivables/{d['id']}/write-off",
                       json={}, token=d["provider"]["token"])
    assert status == 200, body
    assert _plan_rows(app, d["id"]) == [("closed", ["canceled", "canceled"])]
    f.tick(app, _due_dates(app, d["id"])[0] + timedelta(minutes=1))
    assert recovery_intents(app, d["id"], "instalment:") == []
    case_page = _case_page(client, d)
    assert "clos avec la créance" in case_page and "non prélevée" in case_page


def test_a_plan_accepted_after_its_first_date_charges_that_instalment_at_once(
        app, client, stripe_emulator, stripe_raw, card_pm):
    from skod.dunning.debts.models import Receivable
    from skod.dunning.pay_page import plans
    from skod.extensions import db

    d = debt(app, client, stripe_emulator, card_pm, refusal=SOFT)
    save_plan_card(client, stripe_raw, card_pm, d)
    assert _ask(client, d, 2).status_code == 303
    first, second = _due_dates(app, d["id"])
    with app.app_context():  # the provider answers late: a day after the first date
        provider_id = db.session.get(Receivable, d["id"]).provider_id
        plan_id = plans.proposed_id(d["id"], provider_id)
        plans.accept(plan_id, provider_id, first + timedelta(days=1))
    assert _plan_rows(app, d["id"]) == [("accepted", ["paid", "scheduled"])]
    assert _due_dates(app, d["id"]) == [first, second]  # the dates read stay
    [pi] = recovery_intents(app, d["id"], "instalment:")
    assert _intent(stripe_raw, pi) == ("succeeded", 6_000, True)
