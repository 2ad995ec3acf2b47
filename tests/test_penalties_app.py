"""The rate table in the database (seeded by the migration, `flask skod rates list|set`), the
penalty calculator on the command line and on the API, and the invoice's penalty rate read
from the same table."""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests import factories
from tests.support.api import api

LAW_QUERY = {"amount_minor": 120_000, "currency": "EUR", "due": "2025-06-20",
             "paid": "2025-07-20", "client_kind": "business"}
LAW_SEGMENTS = [
    {"start": "2025-06-21", "end": "2025-06-30", "days": 10, "rate_bp": 1315,
     "basis": "ecb_plus_10", "amount_minor": 432, "flags": [], "principal_minor": 120_000},
    {"start": "2025-07-01", "end": "2025-07-20", "days": 20, "rate_bp": 1215,
     "basis": "ecb_plus_10", "amount_minor": 799, "flags": [], "principal_minor": 120_000},
]


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(args=["skod", *args])


def _rows(app) -> list[tuple]:
    from skod.dunning.owed.rates import table

    with app.app_context():
        return [(r.year, r.half, r.ecb_bp, r.legal_private_bp, r.legal_other_bp, r.verified)
                for r in table().rows]


def test_the_migration_seeds_the_law_file_table(app):
    assert _rows(app) == [
        (2021, 1, 0, 314, 79, True), (2021, 2, 0, 312, 76, True),
        (2022, 1, 0, 313, 76, True), (2022, 2, 0, 315, 77, True),
        (2023, 1, 250, 447, 206, True), (2023, 2, 400, 682, 422, True),
        (2024, 1, 450, 801, 507, True), (2024, 2, 425, 816, 492, True),
        (2025, 1, 315, 721, 371, True), (2025, 2, 215, 665, 276, True),
        (2026, 1, 215, 667, 262, True), (2026, 2, 215, None, None, False)]


def test_rates_list(cli):
    result = cli("rates", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("half\tECB\tB2B") and lines[0].endswith("\tverified\tsource")
    rows = {line.split("\t")[0]: line.split("\t")[1:] for line in lines[1:]
            if not line.startswith("Warning: ")}
    assert rows["2025 H1"][:6] == ["3.15 %", "13.15 %", "7.21 %", "3.71 %", "11.13 %", "yes"]
    assert "ECOT2516925A" in rows["2025 H2"][6]  # the arrêté of 2025 S2
    assert rows["2022 H1"][:6] == ["0.00 %", "10.00 %", "3.13 %", "0.76 %", "2.28 %", "yes"]
    assert "28 December 2021" in rows["2022 H1"][6]
    assert rows["2023 H2"][0] == "4.00 %" and "21 June 2023" in rows["2023 H2"][6]
    assert rows["2026 H2"][:6] == ["2.15 %", "12.15 %", "-", "-", "-", "no"]
    assert all(len(cells) == 7 and cells[6] != "-" for cells in rows.values()), rows


@pytest.mark.parametrize(("on", "warning"), [
    ("2025-03-01", None),
    ("2026-07-01", "2026 H2 is marked unverified"),
    ("2027-01-01", "2027 H1 has no row in the rate table"),
])
def test_rates_list_warns_from_the_first_day_of_a_half_year_without_its_row(cli, on, warning):
    out = cli("rates", "list", "--on", on).output.splitlines()
    warnings = [line for line in out if line.startswith("Warning: ")]
    assert len(warnings) == (0 if warning is None else 1), warnings
    assert warning is None or warnings[0].startswith(f"Warning: {warning}")


def test_rates_set_then_compute_uses_the_new_row(app, cli):
    from skod.invoicing.rates import penalty_rate_bp

    args = ("penalties", "--amount", "1000.00", "--due", "2027-01-31", "--paid", "2027-03-02",
            "--client", "business", "--json")
    before = json.loads(cli(*args).output)
    assert before["segments"][0]["rate_bp"] == 1215  # 2026 H2, the last known row
    assert before["flags"] == ["extrapolated_rate", "unverified_rate"]
    with app.app_context():
        assert penalty_rate_bp(date(2027, 3, 2)) == 1215

    result = cli("rates", "set", "2027-H1", "--ecb", "3", "--legal-private", "7.5",
                 "--legal-other", "3.45", "--source", "arrêté of 2026-12-20, JO 2026-12-24",
                 "--verified")
    assert result.exit_code == 0, result.output
    assert (2027, 1, 300, 750, 345, True) in _rows(app)
    listed = cli("rates", "list").output
    assert "2027 H1\t3.00 %" in listed and "arrêté of 2026-12-20, JO 2026-12-24" in listed
    after = json.loads(cli(*args).output)
    assert after["segments"] == [{"start": "2027-02-01", "end": "2027-03-02", "days": 30,
                                  "rate_bp": 1300, "basis": "ecb_plus_10",
                                  "amount_minor": 1068, "flags": [],
                                  "principal_minor": 100_000}]
    assert after["flags"] == [] and after["total_minor"] == 100_000 + 1068 + 4000
    with app.app_context():  # the invoice snapshot reads the same table
        assert penalty_rate_bp(date(2027, 3, 2)) == 1300
        assert penalty_rate_bp(date(2026, 3, 2)) == 1215
        assert penalty_rate_bp(date(2020, 1, 1)) == 1000  # before the table: its first row


def test_rates_set_replaces_a_half_year(app, cli):
    result = cli("rates", "set", "2026-H2", "--ecb", "2.15", "--legal-private", "6.7",
                 "--legal-other", "2.65")  # no --verified: the row stays unverified
    assert result.exit_code == 0, result.output
    rows = _rows(app)
    assert len(rows) == 12 and rows[-1] == (2026, 2, 215, 670, 265, False)
    out = json.loads(cli("penalties", "--amount", "500", "--due", "2026-08-01", "--paid",
                         "2026-08-31", "--client", "consumer", "--notice", "2026-08-01",
                         "--json").output)
    assert out["segments"][0]["rate_bp"] == 265 and out["flags"] == ["unverified_rate"]


@pytest.mark.parametrize(("args", "message"), [
    (("--ecb", "2.155"), "at most 2 decimals"),
    (("--ecb", "two"), "not a percentage"),
    (("--ecb", "-1"), "from 0 to 100"),
    (("half", "2027-H3"), "not a half-year such as 2027-H1"),
    (("half", "1999-H1"), "the year must be from 2000 to 2100"),
    (("half", "2027"), "not a half-year"),
    (("--source", "arrêté\nof June"), "'--source'"),
])
def test_rates_set_refuses_bad_input_and_writes_nothing(app, cli, args, message):
    values = {"half": "2027-H1", "--ecb": "2.15", "--legal-private": "6.5",
              "--legal-other": "2.6"}
    values.update(dict(zip(args[::2], args[1::2], strict=True)))
    half = values.pop("half")
    result = cli("rates", "set", half, *[x for pair in values.items() for x in pair])
    assert result.exit_code == 2 and message in result.output, result.output
    assert len(_rows(app)) == 12


def test_penalties_prints_a_readable_breakdown(cli):
    result = cli("penalties", "--amount", "1200.00", "--due", "2025-06-20", "--paid",
                 "2025-07-20", "--client", "business")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Late-payment penalties, business client (L441-10 / D441-5 Code de commerce)"
    assert lines[1] == "Principal 1,200.00 EUR, due 2025-06-20, paid 2025-07-20: 30 days late"
    assert lines[2].split() == ["2025-06-21", "to", "2025-06-30", "10", "days", "on",
                                "1,200.00", "EUR", "at", "13.15", "%", "(ECB", "+", "10",
                                "points)", "4.32", "EUR"]
    assert lines[3].split()[:10] == ["2025-07-01", "to", "2025-07-20", "20", "days", "on",
                                     "1,200.00", "EUR", "at", "12.15"]
    assert lines[3].endswith(" 7.99 EUR")
    assert lines[4:] == ["Interest: 12.31 EUR", "Indemnity: 40.00 EUR (1 x 40 EUR, no VAT)",
                         "Total: 1,252.31 EUR"]


def test_penalties_consumer_and_invoices(cli):
    out = cli("penalties", "--amount", "500", "--due", "2026-02-01", "--paid", "2026-03-31",
              "--client", "consumer").output
    assert "no interest (no mise en demeure yet)" in out
    assert "Indemnity: none (never charged to a consumer)" in out and "Total: 500.00 EUR" in out
    out = cli("penalties", "--amount", "1200", "--due", "2025-06-20", "--paid", "2025-07-20",
              "--client", "business", "--invoices", "3", "--json").output
    assert json.loads(out)["indemnity_minor"] == 12_000


@pytest.mark.parametrize(("args", "message"), [
    (("--paid", "2025-06-19"), "'--paid': the payment date is before the due date"),
    (("--amount", "12.345"), "'--amount'"),
    (("--amount", "-5"), "'--amount'"),
    (("--client", "charity"), "'--client'"),
    (("--contract-rate", "10"), "below the legal floor of 11.13 %"),
    (("--due", "2020-06-10"), "no ecb rate is known for 2020 H1"),
    (("--payment", "2025-07-01"), "'--payment'"),
    (("--payment", "2025-07-01:12.345"), "'--payment'"),
    (("--payment", "2025-07-01:1200.01"), "more than the amount due"),
    (("--due", "20-06-2025"), "'--due'"),
])
def test_penalties_refuses_bad_input(cli, args, message):
    values = {"--amount": "1200.00", "--due": "2025-06-20", "--paid": "2025-07-20",
              "--client": "business"}
    values.update(dict(zip(args[::2], args[1::2], strict=True)))
    result = cli("penalties", *[x for pair in values.items() for x in pair])
    assert result.exit_code != 0 and message in result.output, result.output


def test_api_requires_a_provider_token(client):
    status, body = api(client, "GET", "/api/v1/penalties", query_string=LAW_QUERY)
    assert status == 401 and body["error"]["code"] == "unauthorized"


def test_api_answers_the_breakdown(client):
    token = factories.provider(client)["token"]
    status, body = api(client, "GET", "/api/v1/penalties", token=token,
                       query_string={**LAW_QUERY, "invoices": 2})
    assert status == 200, body
    assert body == {
        "principal_minor": 120_000, "currency": "EUR", "client_kind": "business",
        "due": "2025-06-20", "until": "2025-07-20", "days_late": 30,
        "segments": LAW_SEGMENTS, "interest_minor": 1231, "invoices": 2,
        "indemnity_minor": 8000, "total_minor": 129_231,
        "basis": "L441-10 / D441-5 Code de commerce", "flags": [], "paid_minor": 0,
        "payments": []}
    status, body = api(client, "GET", "/api/v1/penalties", token=token, query_string={
        "amount_minor": 50_000, "currency": "EUR", "due": "2026-02-01", "paid": "2026-03-31",
        "client_kind": "consumer", "notice": "2026-03-01"})
    assert status == 200 and (body["interest_minor"], body["indemnity_minor"]) == (108, 0)


@pytest.mark.parametrize(("change", "field", "code"), [
    ({"paid": "2025-06-19"}, "paid", "invalid"),
    ({"client_kind": "charity"}, "client_kind", "invalid"),
    ({"due": "1900-01-01"}, "due", "invalid"),
    ({"paid": "9999-12-31"}, "paid", "invalid"),
    ({"due": "2020-03-01"}, "_schema", "no_rate"),
    ({"payments": "2025-07-01"}, "payments", "invalid"),
    ({"payments": "2025-07-01:-5"}, "payments", "invalid"),
    ({"payments": "2025-07-01:12.5"}, "payments", "invalid"),
    ({"payments": "01/07/2025:100"}, "payments", "invalid"),
    ({"payments": "1999-07-01:100"}, "payments", "invalid"),
    ({"payments": "2025-07-01:100000,2025-07-02:20001"}, "payments", "invalid"),
    ({"contract_rate_bp": 1000}, "contract_rate_bp", "below_floor"),
    ({"client_kind": "public", "contract_rate_bp": 1500}, "contract_rate_bp", "invalid"),
    ({"amount_minor": 0}, "amount_minor", "invalid"),
    ({"amount_minor": "12.5"}, "amount_minor", "invalid"),
    ({"currency": "XYZ"}, "currency", "invalid"),
    ({"invoices": 0}, "invoices", "invalid"),
])
def test_api_bad_input_is_422(client, change, field, code):
    token = factories.provider(client)["token"]
    status, body = api(client, "GET", "/api/v1/penalties", token=token,
                       query_string={**LAW_QUERY, **change})
    assert status == 422, body
    assert body["error"]["code"] == code and field in body["error"]["fields"], body


def test_api_missing_parameter_is_422(client):
    token = factories.provider(client)["token"]
    query = {k: v for k, v in LAW_QUERY.items() if k != "paid"}
    status, body = api(client, "GET", "/api/v1/penalties", token=token, query_string=query)
    assert status == 422 and "paid" in body["error"]["fields"]

