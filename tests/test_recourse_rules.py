"""The recourse file's pure rules: the route by client kind, amount and currency, and the
limitation deadline with its warning (law file section 6, CPCE L125-1, L218-2, L110-4)."""

from __future__ import annotations

from datetime import date

import pytest

from skod.dunning import recourse_rules as rules


@pytest.mark.parametrize(("kind", "principal", "interest", "currency", "route", "alternatives",
                          "first_reason"), [
    # consumer: tribunal judiciaire, or small claims up to 5,000 EUR principal + interest
    ("consumer", 400_000, 0, "EUR", "small_claims", ("injonction_judiciaire",), "small_amount"),
    ("consumer", 500_000, 0, "EUR", "small_claims", ("injonction_judiciaire",), "small_amount"),
    ("consumer", 499_000, 1_001, "EUR", "injonction_judiciaire", (), "over_small_claims"),
    ("consumer", 500_001, 0, "EUR", "injonction_judiciaire", (), "over_small_claims"),
    ("consumer", 10_000, 0, "USD", "injonction_judiciaire", (), "not_euro"),
    # business: tribunal de commerce (or the free Médiateur des entreprises), small claims too
    ("business", 120_000, 900, "EUR", "small_claims", ("injonction_commerce", "mediation"),
     "small_amount"),
    ("business", 800_000, 0, "EUR", "injonction_commerce", ("mediation",),
     "over_small_claims"),
    ("business", 10_000, 0, "GBP", "injonction_commerce", ("mediation",), "not_euro"),
    # public buyer: no injonction, no small claims; mediation, and the administrative court
    ("public", 10_000, 0, "EUR", "mediation", (), "public_buyer"),
    ("public", 900_000, 0, "EUR", "mediation", (), "public_buyer"),
])
def test_route(kind, principal, interest, currency, route, alternatives, first_reason):
    advice = rules.route(kind, principal, interest, currency)
    assert (advice.route, advice.alternatives, advice.reasons[0]) == (
        route, alternatives, first_reason)
    assert advice.route in rules.ROUTE_FACTS
    assert set(advice.alternatives) <= set(rules.ROUTE_FACTS)


def test_route_facts_name_the_right_forms_and_fees():
    assert rules.ROUTE_FACTS["injonction_commerce"]["cerfa"] == "12946"
    assert rules.ROUTE_FACTS["injonction_commerce"]["fee_minor"] == 3347
    assert rules.ROUTE_FACTS["injonction_judiciaire"] == {"cerfa": "12948", "fee_minor": 0,
                                                          "basis": "cpc_1405"}


@pytest.mark.parametrize(("kind", "due", "limit"), [
    ("consumer", date(2026, 3, 10), date(2028, 3, 10)),  # 2 years, L218-2
    ("business", date(2026, 3, 10), date(2031, 3, 10)),  # 5 years, L110-4
    ("consumer", date(2024, 2, 29), date(2026, 2, 28)),  # no 29 February that year
    ("business", date(2024, 2, 29), date(2029, 2, 28)),
    ("public", date(2026, 3, 10), date(2030, 12, 31)),  # 4 years from 1 January 2027
    ("public", date(2026, 12, 31), date(2030, 12, 31)),
])
def test_limitation_on(kind, due, limit):
    assert rules.limitation_on(kind, due) == limit


@pytest.mark.parametrize(("limit", "today", "state"), [
    (date(2028, 3, 10), date(2026, 5, 1), "ok"),
    (date(2028, 3, 10), date(2027, 12, 11), "ok"),  # 90 days left
    (date(2028, 3, 10), date(2027, 12, 12), "near"),  # 89 days left
    (date(2028, 3, 10), date(2028, 3, 10), "near"),  # the last day
    (date(2028, 3, 10), date(2028, 3, 11), "passed"),
])
def test_limitation_state(limit, today, state):
    assert rules.limitation_state(limit, today) == state


def test_a_files_limit_is_its_oldest_debts():
    dues = [date(2026, 5, 1), date(2026, 3, 1), date(2026, 4, 1)]
    assert rules.oldest_limit("consumer", dues) == date(2028, 3, 1)
