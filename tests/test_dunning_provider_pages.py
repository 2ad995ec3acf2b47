"""The provider's dunning pages through the Flask test client: the receivables list, the case
page with its timeline (a milestone whose charge was declined, the real way), the actions
behind their confirmation page, the client file, and the dashboard's money owed.

Read in English (?lang=en, kept in the session) unless a test checks the French words.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from skod.accounts.models import Provider
from skod.dunning.models import Receivable
from skod.extensions import db
from skod.web import display
from tests import factories as f
from tests.support.stripe_helpers import CARD_OFF_SESSION_DECLINE
from tests.test_dunning_provider_api import act, business_morning, case, open_debt, provider_id
from tests.test_projects_api import accept, new_project, read
from tests.test_projects_api import act as milestone_act


def _login(client, prov: dict, lang: str = "en") -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get(f"/dashboard/receivables?lang={lang}")


def _text(resp) -> str:
    return resp.get_data(as_text=True)


def _shown(page: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-receivable="(\d+)"', page)]


def declined_milestone(app, client, card_pm, prov: dict) -> dict:
    """A milestone delivered and marked done whose off-session charge is declined: the
    settlement opens its receivable in the failure's own transaction."""
    project = new_project(client, prov, milestones=[("Build", 7000, 3)],
                          email="late.payer@example.test")
    accept(client, project, card_pm(CARD_OFF_SESSION_DECLINE).id)
    milestone = read(client, project)["milestones"][0]
    milestone_act(client, milestone["id"], "complete", prov["token"],
                  json={"note": "Site delivered"})
    with app.app_context():
        receivable = db.session.scalar(select(Receivable).where(
            Receivable.source == f"milestone:{milestone['id']}"))
        assert receivable is not None
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
    assert "Site delivered" in page  # the evidence of the delivery
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


def test_client_file_lists_payments_incidents_debts_and_reminders(app, client, card_pm, now):
    prov = f.provider(client)
    debt = declined_milestone(app, client, card_pm, prov)
    f.tick(app, business_morning(now))
    _login(client, prov)
    page = _text(client.get(f"/dashboard/clients/{debt['client_id']}"))
    assert "Buyer SARL" in page and "late.payer@example.test" in page
    payments = page.split('id="payments"')[1]
    assert payments.count("data-payment=") == 2 and "Milestone" in payments
    incidents = page.split('id="incidents"')[1].split("</section>")[0]
    assert incidents.count('data-incident="failed"') == 2
    assert "declined by the client&#39;s bank" in incidents
    assert _shown(page) == [debt["id"]]
    reminders = page.split('id="reminders"')[1].split("</section>")[0]
    assert "Notice of non-payment" in reminders
    assert client.get("/dashboard/clients/999999").status_code == 404


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
    debts = [open_debt(app, pid, now, amount=a) for a in (12_000, 4_500, 3_000, 999)]
    act(client, prov["token"], debts[0]["id"], "mark-paid", {"amount_minor": 2_000})
    act(client, prov["token"], debts[1]["id"], "pause")
    act(client, prov["token"], debts[2]["id"], "mark-paid")
    act(client, prov["token"], debts[3]["id"], "write-off")
    act(client, prov["token"], debts[0]["id"], "remind")
    with app.app_context():
        owed = sum(r.balance_minor for r in db.session.scalars(select(Receivable))
                   if r.status in ("open", "paused"))
    assert owed == 10_000 + 4_500
    page = _text(client.get("/dashboard"))
    box = page.split('id="money-owed"')[1].split("</section>")[0]
    assert re.findall(r'data-currency="EUR">([^<]+)<', box) == ["€145.00"]
    news = re.findall(r"<li>([^<]+)</li>", box)
    assert news == ["2 payments recovered (€50.00)", "1 reminder sent", "4 new debts"]
    again = _text(client.get("/dashboard")).split('id="money-owed"')[1].split("</section>")[0]
    assert 'id="no-news"' in again and "€145.00" in again


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "Each step must come at least 5 days after the previous one"),
    ("fr", "Chaque étape doit venir au moins 5 jours après la précédente"),
])
def test_reminder_settings_refused_by_the_ladder_rules(app, client, lang, message):
    prov = f.provider(client)
    _login(client, prov, lang=lang)
    page = _text(client.get("/dashboard/reminders"))
    assert re.search(r'name="step1"[^>]*value="7"', page)
    assert re.search(r'name="retry_days"[^>]*value="1, 3, 5"', page)
    resp = client.post("/dashboard/reminders", data={
        "step1": "10", "step2": "12", "step3": "30", "step4": "45", "retry_days": "1, 3, 5"})
    assert resp.status_code == 422 and message in _text(resp)
    assert 'value="12"' in _text(resp)  # what was typed stays


def test_reminder_settings_are_stored_and_used_by_the_ladder(app, client):
    from skod.dunning.models import DunningSettings
    from skod.dunning.receivables import ladder_for

    prov = f.provider(client)
    pid = provider_id(app, prov)
    with app.app_context():  # a text override set elsewhere is kept
        db.session.add(DunningSettings(provider_id=pid, overrides={
            "steps": {"1": {"subject": {"fr": "Petit rappel"}}}}))
        db.session.commit()
    _login(client, prov)
    for data, field, text in (
            ({"step1": "0"}, "step1", "From 1 to 365 days."),
            ({"retry_days": "5, 3"}, "retry_days", "Up to 5 days, each from 1 to 14"),
            ({"retry_days": "one"}, "retry_days", "Whole numbers separated by commas"),
            ({"step2": ""}, "step2", "This field is required.")):
        form = {"step1": "7", "step2": "15", "step3": "30", "step4": "45",
                "retry_days": "1, 3, 5"} | data
        resp = client.post("/dashboard/reminders", data=form)
        assert resp.status_code == 422 and text in _text(resp), field
    resp = client.post("/dashboard/reminders", data={
        "step1": "10", "step2": "20", "step3": "30", "step4": "60", "retry_days": "2 4"})
    assert resp.status_code == 302
    assert "Your reminder settings are saved." in _text(client.get("/dashboard/reminders"))
    with app.app_context():
        row = db.session.get(DunningSettings, pid)
        assert row.overrides["steps"]["1"] == {"subject": {"fr": "Petit rappel"},
                                               "offset_days": 10}
        ladder = ladder_for(pid)
        assert [s.offset_days for s in ladder.steps] == [None, 10, 20, 30, 60]
        assert ladder.retry_days == (2, 4)


def test_bank_details_on_the_profile_are_checked_and_stored_compact(app, client):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    _login(client, prov)
    form = {"payment_terms_days": "0", "iban": "fr76 3000 6000 0112 3456 7890 189",
            "bic": "agri fr pp"}
    assert client.post("/dashboard/profile", data=form).status_code == 302
    with app.app_context():
        row = db.session.get(Provider, pid)
        assert (row.iban, row.bic) == ("FR7630006000011234567890189", "AGRIFRPP")
    for field, value, text in (("iban", "FR7630006000011234567890188", "This IBAN is not valid"),
                               ("iban", "FR76", "This IBAN is not valid"),
                               ("bic", "AGRIFRP", "A BIC has 8 or 11 letters")):
        resp = client.post("/dashboard/profile", data=form | {field: value})
        assert resp.status_code == 422 and text in _text(resp), value
    with app.app_context():
        assert db.session.get(Provider, pid).iban == "FR7630006000011234567890189"
    from tests.support.api import api

    status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                       json={"bank": {"iban": "DE89 3704 0044 0532 0130 00", "bic": None}})
    assert status == 200 and body["bank"] == {"iban": "DE89370400440532013000", "bic": None}
    status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                       json={"bank": {"iban": "DE89370400440532013001"}})
    assert status == 422 and "iban" in str(body["error"]["fields"])


def test_reminder_settings_and_actions_need_a_login(client):
    for path in ("/dashboard/receivables", "/dashboard/receivables/1",
                 "/dashboard/receivables/1/pause", "/dashboard/clients/1", "/dashboard/reminders"):
        resp = client.get(path)
        assert resp.status_code == 302 and "/login" in resp.headers["Location"], path


def test_a_proposed_plan_is_shown_and_only_the_plan_decides_the_pause(app, client, now):
    from skod.dunning import cases
    from skod.dunning.models import PaymentPlan

    prov = f.provider(client)
    debt = open_debt(app, provider_id(app, prov), now)
    with app.app_context():  # what the pay page records when the client asks for a plan
        db.session.add(PaymentPlan(receivable_id=debt["id"], instalments=3, status="proposed",
                                   note="Three months, please"))
        db.session.commit()
        cases.pause(debt["id"], now, "plan")
    _login(client, prov)
    page = _text(client.get(f"/dashboard/receivables/{debt['id']}"))
    plan = page.split('id="plan"')[1].split("</section>")[0]
    assert "3 monthly instalments" in plan and "Three months, please" in plan
    assert 'data-action="plan-accept"' in plan and 'data-action="plan-refuse"' in plan
    assert 'data-action="resume"' not in page
    confirm = client.get(f"/dashboard/receivables/{debt['id']}/plan-accept")
    assert confirm.status_code == 200 and "Accept the payment plan?" in _text(confirm)
    body = act(client, prov["token"], debt["id"], "resume", expect=409)
    assert body["error"]["code"] == "paused_by_plan"


def test_page_actions_and_settings_need_their_csrf_token(app, client, now):
    from skod.dunning.models import DunningSettings
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
