"""The provider's penalty calculator page (/dashboard/penalties) and the receivables page's
provisional-rate banner, through the Flask test client: the issue's partial-payment case shows
its two segments with their principal and 30.26 EUR, in English and French; bad input is a form
message (422); a half-year marked unverified is called provisional."""

from __future__ import annotations

from skod.dunning.debts.models import Receivable
from skod.dunning.owed import rates
from skod.dunning.rules.penalties import half_of, split_by_half
from skod.extensions import db
from tests import factories as f
from tests.support import clock
from tests.support.dunning import money
from tests.test_dunning_provider_api import open_debt, provider_id

ISSUE = {"amount": "2000.00", "currency": "EUR", "due": "2025-01-10", "until": "2025-03-11",
         "client_kind": "business", "payments": "09/02/2025 1200.00"}


def _login(client, prov: dict, lang: str) -> None:
    resp = client.post("/login", data={"email": prov["email"], "password": "kiwi-falcon-2291"})
    assert resp.status_code == 302
    client.get(f"/dashboard/receivables?lang={lang}")


def _page(client, query: dict | None = None):  # noqa: ANN202
    resp = client.get("/dashboard/penalties", query_string=query or {})
    return resp.status_code, resp.get_data(as_text=True).replace("\u202f", " ").replace(
        "\u00a0", " ")


def test_the_calculator_shows_each_part_until_it_was_paid(app, client):
    prov = f.provider(client)
    _login(client, prov, "en")
    assert 'id="penalty-calculator-link"' in client.get("/dashboard/receivables").get_data(
        as_text=True)
    assert "/dashboard/penalties" in client.get("/dashboard/reminders").get_data(as_text=True)
    status, page = _page(client)
    assert status == 200 and 'id="penalty-calculator"' in page and "penalty-result" not in page
    status, page = _page(client, ISSUE)
    assert status == 200, page
    for figure in (200_000, 80_000, 2161, 865, 3026, 4000, 120_000, 87_026):
        assert money(figure, "en").replace("\u00a0", " ") in page, (figure, page)
    assert "Jan 11, 2025 – Feb 9, 2025" in page and "Feb 10, 2025 – Mar 11, 2025" in page
    assert "13.15 % (ECB 3.15 % + 10 points)" in page and "60 days late." in page
    assert "Provisional" not in page


def test_the_calculator_in_french(app, client):
    prov = f.provider(client)
    _login(client, prov, "fr")
    status, page = _page(client, {**ISSUE, "payments": "2025-02-09: 1 200,00"})
    assert status == 200, page
    assert "Montant portant intérêts" in page and "30,26 €" in page and "800,00 €" in page
    assert "Total restant dû" in page and "870,26 €" in page


def test_bad_input_is_a_form_message(app, client):
    prov = f.provider(client)
    _login(client, prov, "en")
    for change, words in (
            ({"payments": "9 Feb 1200"}, "9 Feb 1200: write the day and the amount"),
            ({"payments": "09/02/2025 2000.01"}, "The payments add up to more than the amount"),
            ({"amount": "-3"}, "Enter a positive amount"),
            ({"until": "2025-01-01"}, "The day counted to is before the due date."),
            ({"due": "10/13/2025"}, "Enter a date (day/month/year), like"),
            ({"contract_rate": "10"}, "below the legal floor"),
            ({"due": "2020-06-10"}, "No late-payment rate is known for this period.")):
        status, page = _page(client, {**ISSUE, **change})
        assert status == 422 and words in page, (change, page)
        assert "penalty-result" not in page


def test_an_unverified_half_year_is_provisional_on_the_page(app, client):
    prov = f.provider(client)
    _login(client, prov, "en")
    # 2026 H2 is unverified in the seeded table (no arrêté found yet)
    status, page = _page(client, {**ISSUE, "due": "2026-08-01", "until": "2026-08-31",
                                  "payments": ""})
    assert status == 200
    assert "Provisional rate for the second half of 2026" in page


def test_the_receivables_page_warns_when_an_open_debt_uses_a_provisional_rate(app, client,
                                                                              now):
    prov = f.provider(client)
    pid = provider_id(app, prov)
    debt = open_debt(app, pid, now, amount=12_000, days_late=20)
    with app.app_context():  # every half-year the debt covers verified: no banner
        debt_due = db.session.get(Receivable, debt["id"]).due_date
        halves = [half_of(a) for a, _b in split_by_half(debt_due, clock.paris_today(now))]
        for year, half in halves:
            rates.set_rate(year, half, 215, 650, 260, True, now)
    _login(client, prov, "en")
    assert 'id="provisional-rates"' not in client.get("/dashboard/receivables").get_data(
        as_text=True)
    year, half = halves[-1]
    with app.app_context():
        rates.set_rate(year, half, 215, 650, 260, False, now)
    page = client.get("/dashboard/receivables").get_data(as_text=True)
    assert 'id="provisional-rates"' in page
    assert f"{'first' if half == 1 else 'second'} half of {year} is provisional" in page
