"""The provider's dunning pages through the Flask test client: the receivables list, the case
page with its timeline (a milestone whose charge was declined, the real way), the actions
behind their confirmation page, the client file, and the dashboard's money owed.

Read in English (?lang=en, kept in the session) unless a test checks the French words.
"""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

from skod.accounts.models import Provider
from skod.dunning.debts import cases
from skod.dunning.debts.models import PaymentPlan, Receivable
from skod.extensions import db
from skod.web import display
from tests import dunning_paypage_support as paypage
from tests import factories as f
from tests.dunning_support import project_debt, receivable_of
from tests.support import clock
from tests.test_dunning_provider_api import act, business_morning, case, open_debt, provider_id


def _login(client, prov: dict, lang: str = "en") -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get(f"/dashboard/receivables?lang={lang}")


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _shown(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-receivable="(\d+)"', page)]


def declined_milestone(app, client, card_pm, prov: dict) -> dict:
    """A milestone delivered whose off-session charge is declined: its debt, opened by the
    settlement in the failure's own transaction."""
    _prov, _project, milestone = project_debt(client, card_pm, prov=prov,
                                              email="late.payer@example.test")
    receivable = receivable_of(app, f"milestone:{milestone['id']}")
    return {"id": receivable.id, "client_id": receivable.client_id,
            "email": "late.payer@example.test"}


def test_list_shows_step_age_amount_and_next_action(app, client, now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    late = open_debt(app, pid, now, amount=12_000, days_late=20)
    other = open_debt(app, pid, now, amount=4_500)
    f.tick(app, business_morning(now))
    act(client, prov["token"], other["id"], "pause")
    _login(client, prov)
    page = _text(client.get("/dashboard/receivables"))
    assert set(_shown(page)) == {late["id"], other["id"]}
    assert late["number"] in page and "€120.00" in page and "20 days late" in page
    assert "Notice of non-payment" in page and "Paused: paused by you" in page
    at = case(client, prov["token"], late["id"])["next_action"]["at"]
    from skod.core.clock import parse_iso

    when = display.when(parse_iso(at), "Europe/Paris", "en")
    assert f"Next: Friendly reminder, {when}" in page
    assert _shown(_text(client.get("/dashboard/receivables?status=paused"))) == [other["id"]]
    assert _shown(_text(client.get("/dashboard/receivables?status=open"))) == [late["id"]]
    closed = _text(client.get("/dashboard/receivables?status=closed"))
    assert _shown(closed) == [] and 'id="no-receivable"' in closed
    assert set(_shown(_text(client.get("/dashboard/receivables?status=nonsense")))) == {
        late["id"], other["id"]}
    assert 'href="/dashboard/receivables">Receivables</a>' in page  # the nav entry


def test_case_page_of_a_declined_milestone_has_its_timeline_in_words(app, client, card_pm,
                                                                     now):
    prov = f.provider(client)
    debt = declined_milestone(app, client, card_pm, prov)
    f.tick(app, business_morning(now))
    _login(client, prov, lang="fr")
    page = _text(client.get(f"/dashboard/receivables/{debt['id']}"))
    timeline = page.split('id="timeline"')[1]
    assert "Créance ouverte : 70,00\u00a0€ impayés" in timeline
    assert "refusé par la banque du client (cela peut réussir plus tard)" in timeline
    assert "Avis de non-paiement envoyé par e-mail au client." in timeline
    assert "card_declined" not in page and "soft_decline" not in page
    assert "New website" in page.split('id="evidence"')[1]  # the delivered project
    assert f'href="/dashboard/clients/{debt["client_id"]}"' in page
    for action in ("remind", "pause", "mark-paid", "write-off"):
        assert f'data-action="{action}"' in page
    assert 'data-action="resume"' not in page
    assert client.get("/dashboard/receivables/999999").status_code == 404


def test_each_action_asks_for_confirmation_first(app, client, outbox, now):
    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now, amount=12_000)
    _login(client, prov)
    base = f"/dashboard/receivables/{debt['id']}"
    confirm = client.get(f"{base}/pause")
    assert confirm.status_code == 200 and "Pause the reminders?" in _text(confirm)
    assert 'data-confirm="pause"' in _text(confirm) and 'name="until"' in _text(confirm)
    assert case(client, prov["token"], debt["id"])["status"] == "open"  # nothing done yet
    done = client.post(f"{base}/pause", data={"note": "on holiday"})
    assert done.status_code == 302 and done.headers["Location"].endswith(base)
    assert "The case is paused" in _text(client.get(base))
    assert case(client, prov["token"], debt["id"])["pause"]["reason"] == "provider"
    assert client.post(f"{base}/resume").status_code == 302
    assert case(client, prov["token"], debt["id"])["status"] == "open"
    # remind: once, then the page says when the next one may go
    assert client.post(f"{base}/remind").status_code == 302
    assert len(outbox.to(debt["email"])) == 1
    client.post(f"{base}/remind")
    page = _text(client.get(base))
    assert "The last reminder is too recent: the next one can go from" in page
    assert len(outbox.to(debt["email"])) == 1
    # mark paid: a bad amount stays on the form; a part; then write off the rest
    bad = client.post(f"{base}/mark-paid", data={"amount": "abc"})
    assert bad.status_code == 422 and "A positive amount, at most the balance" in _text(bad)
    over = client.post(f"{base}/mark-paid", data={"amount": "120.01"})
    assert over.status_code == 422 and "A positive amount, at most the balance" in _text(over)
    assert client.post(f"{base}/mark-paid", data={"amount": "20,00"}).status_code == 302
    assert case(client, prov["token"], debt["id"])["balance_minor"] == 10_000
    assert client.post(f"{base}/write-off", data={"note": "small client"}).status_code == 302
    closed = _text(client.get(base))
    assert "The debt is written off" in closed and 'data-action=' not in closed
    assert client.post(f"{base}/pause").status_code == 302
    assert "This debt is closed already." in _text(client.get(base))
    assert client.get(f"{base}/explode").status_code == 404


def test_a_strangers_case_and_its_actions_are_not_found(app, client, now):
    owner, stranger = f.provider(client), f.provider(client)
    debt = open_debt(app, provider_id(app, owner), now)
    _login(client, stranger)
    base = f"/dashboard/receivables/{debt['id']}"
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/pause").status_code == 404
    assert client.post(f"{base}/write-off").status_code == 404
    assert client.get(f"/dashboard/clients/{debt['client_id']}").status_code == 404
    assert case(client, owner["token"], debt["id"])["status"] == "open"


def _payments(page: str) -> list[str]:
    """What each payment of the client file is for (the words after its date and amount)."""
    items = re.findall(r'<li data-payment="\d+">(.*?)</li>', page.split('id="payments"')[1])
    return [next((w for w in ("Milestone", "Debt payment") if w in i), i) for i in items]


def test_client_file_lists_payments_incidents_debts_and_reminders(app, client, card_pm, now):
    prov = f.provider(client)
    debt = declined_milestone(app, client, card_pm, prov)
    f.tick(app, business_morning(now))
    _login(client, prov)
    page = _text(client.get(f"/dashboard/clients/{debt['client_id']}"))
    assert "Debtor SARL" in page and "late.payer@example.test" in page
    # the milestone's charge; a card retry too when the first business morning is J+3 or
    # later (after a weekend or a holiday), which depends on the day the test runs
    assert _payments(page).count("Milestone") == 1
    assert set(_payments(page)) <= {"Milestone", "Debt payment"}
    incidents = page.split('id="incidents"')[1].split("</section>")[0]
    # each refused charge (the milestone's, and the retry's when there was one) is an incident
    assert incidents.count('data-incident="failed"') == len(_payments(page))
    assert "declined by the client&#39;s bank" in incidents
    assert _shown(page) == [debt["id"]]
    reminders = page.split('id="reminders"')[1].split("</section>")[0]
    assert "Notice of non-payment" in reminders
    assert client.get("/dashboard/clients/999999").status_code == 404
    # the same person's next project reuses the provider's client row: one file
    _p, _project, milestone = project_debt(client, card_pm, prov=prov,
                                           email="late.payer@example.test", amount=3_000)
    again = receivable_of(app, f"milestone:{milestone['id']}")
    assert again.client_id == debt["client_id"]
    page = _text(client.get(f"/dashboard/clients/{again.client_id}"))
    assert set(_shown(page)) == {debt["id"], again.id}
    assert _payments(page).count("Milestone") == 2


def test_dashboard_shows_the_total_owed_and_what_happened_since_the_last_visit(app, client,
                                                                               now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    _login(client, prov)
    first = _text(client.get("/dashboard"))
    assert 'data-currency="none"' in first and 'id="no-news"' in first
    with app.app_context():  # the last visit was a minute before the debts below
        db.session.get(Provider, pid).dunning_seen_at = now - timedelta(minutes=1)
        db.session.commit()
    debts = [open_debt(app, pid, now, amount=a)
             for a in (12_000, 4_500, 3_000, 999, 700, 800)]
    act(client, prov["token"], debts[0]["id"], "mark-paid", {"amount_minor": 2_000})
    act(client, prov["token"], debts[1]["id"], "pause")
    act(client, prov["token"], debts[2]["id"], "mark-paid")
    act(client, prov["token"], debts[3]["id"], "write-off")
    act(client, prov["token"], debts[0]["id"], "remind")
    with app.app_context():  # what the client does on the pay page
        cases.client_dispute(debts[4]["id"], now, "I never got the report")
        cases.promise(debts[5]["id"], now, clock.paris_day(now, 10))
        db.session.add(PaymentPlan(receivable_id=debts[5]["id"], instalments=2))
        db.session.commit()
        owed = sum(r.balance_minor for r in db.session.scalars(select(Receivable))
                   if r.status in ("open", "paused"))
    assert owed == 10_000 + 4_500 + 700 + 800
    page = _text(client.get("/dashboard"))
    box = page.split('id="money-owed"')[1].split("</section>")[0]
    assert re.findall(r'data-currency="EUR">([^<]+)<', box) == ["€160.00"]
    assert re.findall(r"<li>([^<]+)</li>", box) == [
        "2 payments recovered (€50.00)", "1 reminder sent", "6 new debts",
        "1 client disputes a debt", "1 promise to pay", "1 payment plan request"]
    again = _text(client.get("/dashboard")).split('id="money-owed"')[1].split("</section>")[0]
    assert 'id="no-news"' in again and "€160.00" in again


def test_reminder_settings_and_actions_need_a_login(client):
    for path in ("/dashboard/receivables", "/dashboard/receivables/1",
                 "/dashboard/receivables/1/pause", "/dashboard/clients/1", "/dashboard/reminders"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_a_proposed_plan_is_accepted_or_refused_from_the_case_page(app, client, card_pm,
                                                                    stripe_emulator,
                                                                    stripe_raw, now):
    from skod.dunning.pay_page import plans

    first = paypage.debt(app, client, stripe_emulator, card_pm, amount=9_000,
                         email="plan.one@example.test")
    prov = first["provider"]
    # the card that was refused cannot carry instalments (cards made on the provider's
    # account: each before the next provider is made)
    paypage.save_plan_card(client, stripe_raw, card_pm, first)
    second = paypage.debt(app, client, stripe_emulator, card_pm, amount=4_000,
                          email="plan.two@example.test")
    paypage.save_plan_card(client, stripe_raw, card_pm, second)
    with app.app_context():  # what the pay page does when the client asks for a plan
        plans.propose(first["id"], 3, now)
    _login(client, prov)
    base = f"/dashboard/receivables/{first['id']}"
    page = _text(client.get(base))
    plan = page.split('id="plan"')[1].split("</section>")[0]
    assert "3 monthly instalments" in plan and "requested by the client" in plan
    assert 'data-action="plan-accept"' in plan and 'data-action="resume"' not in page
    assert "The client asks for a payment plan in 3 monthly instalments." in page
    assert act(client, prov["token"], first["id"], "resume", expect=409)["error"]["code"] == (
        "paused_plan")
    confirm = client.get(f"{base}/plan-accept")
    assert confirm.status_code == 200 and "Accept the payment plan?" in _text(confirm)
    assert case(client, prov["token"], first["id"])["plan"]["status"] == "proposed"
    assert client.post(f"{base}/plan-accept").status_code == 302
    accepted = case(client, prov["token"], first["id"])
    assert accepted["plan"]["status"] == "accepted"
    assert [(i["amount_minor"], i["status"]) for i in accepted["plan"]["schedule"]] == [
        (3_000, "scheduled")] * 3  # the first on its date, a week after the request
    assert accepted["paid_minor"] == 0
    assert "The payment plan is accepted" in _text(client.get(base))
    assert client.post(f"{base}/plan-accept").status_code == 302  # decided already
    assert "There is no payment plan waiting for your answer." in _text(client.get(base))
    # refused: the ladder goes on
    with app.app_context():
        paypage_seen = plans.propose(second["id"], 2, now)
        assert paypage_seen.status == "proposed"
    client.post("/logout")
    _login(client, second["provider"])
    other = f"/dashboard/receivables/{second['id']}"
    assert client.post(f"{other}/plan-refuse").status_code == 302
    refused = case(client, second["provider"]["token"], second["id"])
    assert refused["plan"]["status"] == "refused" and refused["status"] == "open"


def test_page_actions_and_settings_need_their_csrf_token(app, client, now):
    from skod.dunning.debts.models import DunningSettings
    from tests.support.api import api

    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = open_debt(app, pid, now)
    _login(client, prov)
    app.config["WTF_CSRF_ENABLED"] = True
    try:
        for action in ("write-off", "remind", "mark-paid"):
            assert client.post(f"/dashboard/receivables/{debt['id']}/{action}").status_code == (
                400), action
        settings = {"step1": "10", "step2": "20", "step3": "30", "step4": "45",
                    "retry_days": "1"}
        assert client.post("/dashboard/reminders", data=settings).status_code == 400
        # with the token of the confirmation page, the action goes through
        page = _text(client.get(f"/dashboard/receivables/{debt['id']}/pause"))
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
        resp = client.post(f"/dashboard/receivables/{debt['id']}/pause",
                           data={"csrf_token": token})
        assert resp.status_code == 302
    finally:
        app.config["WTF_CSRF_ENABLED"] = False
    # the API takes no session cookie: a cross-site post is not logged in
    resp = client.post(f"/api/v1/receivables/{debt['id']}/write-off", data={},
                       headers={"Origin": "https://evil.example"})
    assert resp.status_code == 401
    body = case(client, prov["token"], debt["id"])
    assert body["status"] == "paused" and body["steps"] == [] and body["paid_minor"] == 0
    with app.app_context():
        assert db.session.get(DunningSettings, pid) is None
    assert api(client, "GET", "/api/v1/receivables", token=prov["token"])[0] == 200
