"""The penalty calculator with a debt's payments (CLI `--payment`, API `payments=`), a debt due
before 2024 (the sourced 2021-2023 rows), the operator's warning from the tick, and the
invoice's rate mention when a rate is provisional."""

from __future__ import annotations

import json

import pytest

from tests import factories
from tests.support.api import api


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["skod", *args])


ISSUE_CASE = ["--amount", "2000.00", "--due", "2025-01-10", "--paid", "2025-03-11", "--client",
              "business", "--payment", "2025-02-09:1200.00"]


def test_penalties_cli_counts_each_part_until_it_was_paid(cli):
    """The issue's case: 2,000 x 30 days + 800 x 30 days at 13.15 % = 30.26 EUR (not 17.29)."""
    result = cli("penalties", *ISSUE_CASE)
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert "  paid 2025-02-09: 1,200.00 EUR" in lines
    assert lines[3].split()[:8] == ["2025-01-11", "to", "2025-02-09", "30", "days", "on",
                                    "2,000.00", "EUR"] and lines[3].endswith(" 21.61 EUR")
    assert lines[4].split()[:8] == ["2025-02-10", "to", "2025-03-11", "30", "days", "on",
                                    "800.00", "EUR"] and lines[4].endswith(" 8.65 EUR")
    assert lines[5:] == ["Interest: 30.26 EUR", "Indemnity: 40.00 EUR (1 x 40 EUR, no VAT)",
                         "Paid: 1,200.00 EUR", "Total: 870.26 EUR still owed"]


def test_api_counts_the_payments(client, cli):
    token = factories.provider(client)["token"]
    status, body = api(client, "GET", "/api/v1/penalties", token=token, query_string={
        "amount_minor": 200_000, "currency": "EUR", "due": "2025-01-10", "paid": "2025-03-11",
        "client_kind": "business", "payments": "2025-02-09:120000"})
    assert status == 200, body
    assert [(s["start"], s["end"], s["principal_minor"], s["amount_minor"])
            for s in body["segments"]] == [("2025-01-11", "2025-02-09", 200_000, 2161),
                                           ("2025-02-10", "2025-03-11", 80_000, 865)]
    assert (body["interest_minor"], body["indemnity_minor"], body["paid_minor"],
            body["total_minor"]) == (3026, 4000, 120_000, 87_026)
    assert body["payments"] == [{"on": "2025-02-09", "amount_minor": 120_000}]
    cli_json = json.loads(cli("penalties", *ISSUE_CASE, "--json").output)
    assert cli_json["segments"] == body["segments"] and cli_json["total_minor"] == 87_026


def test_a_debt_due_in_december_2023_computes(cli):
    """2023 H2 (ECB 4.00 %) then 2024 H1 (4.50 %): the 5-year limitation still covers it."""
    out = json.loads(cli("penalties", "--amount", "1000.00", "--due", "2023-12-20", "--paid",
                         "2024-01-19", "--client", "business", "--json").output)
    assert [(s["start"], s["end"], s["days"], s["rate_bp"]) for s in out["segments"]] == [
        ("2023-12-21", "2023-12-31", 11, 1400), ("2024-01-01", "2024-01-19", 19, 1450)]
    # 100,000 x (1400 x 11 + 1450 x 19) / 3,650,000 = 421.92 + 754.79 = 1,176.71 -> 11.77
    assert out["interest_minor"] == 1177 and out["flags"] == []


def test_the_tick_warns_the_operator_once_a_day(app, caplog):
    """From the first day of a half-year without its row (Paris calendar: 00:30 on 1 January is
    still 31 December in UTC), a log warning, once a day however often the tick runs."""
    import logging
    from datetime import UTC, datetime, timedelta

    from skod.dunning.debts import jobs
    from skod.dunning.owed import rates, rates_watch

    rates_watch.forget()
    first = datetime(2030, 12, 31, 23, 30, tzinfo=UTC)
    with app.app_context(), caplog.at_level(logging.WARNING, logger=rates_watch.__name__):
        runs = [jobs.run_all(first + step)["dunning_rates_warning"]
                for step in (timedelta(0), timedelta(minutes=5), timedelta(hours=20),
                             timedelta(days=1))]
        rates.set_rate(2031, 1, 215, 650, 260, True, first)
        runs.append(jobs.run_all(first + timedelta(days=2))["dunning_rates_warning"])
    assert runs == [1, 0, 0, 1, 0]
    warned = [r.getMessage() for r in caplog.records if r.name == rates_watch.__name__]
    assert len(warned) == 2 and "2031 H1 has no row in the rate table" in warned[0], warned


def test_the_invoice_rate_mention_says_provisional(app, now):
    """An invoice whose due date falls in an unverified half-year prints its rate as
    provisional; once the half-year is verified, the next invoice does not."""
    from skod.dunning.owed import rates
    from skod.dunning.rules.penalties import half_of
    from skod.invoicing import document
    from skod.invoicing.models import Invoice
    from tests.invoice_support import issue, make_client

    with app.app_context():
        client_id = make_client(locale="fr")
        provider_id = _provider_of(client_id)
        first = issue(provider_id, client_id, 12_000, paid=False, now=now)
        year, half = half_of(first.due_date)
        rates.set_rate(year, half, 215, 650, 260, False, now)  # mark it unverified
        second = issue(provider_id, client_id, 12_000, paid=False, now=now)
        rates.set_rate(year, half, 215, 650, 260, True, now)
        third = issue(provider_id, client_id, 12_000, paid=False, now=now)
        texts = [document.build(_get(Invoice, i.id))["b2b"]["penalty_rate_text"]
                 for i in (second, third)]
    semester = f"{'premier' if half == 1 else 'second'} semestre {year}"
    assert f"Taux provisoire pour le {semester}" in texts[0], texts[0]
    assert "provisoire" not in texts[1] and "12,15" in texts[1], texts[1]


def _provider_of(client_id: int) -> int:
    from skod.accounts.models import Client
    from skod.extensions import db

    return db.session.get(Client, client_id).provider_id


def _get(model, key):  # noqa: ANN001, ANN201
    from skod.extensions import db

    return db.session.get(model, key)
