"""The recourse file's pure rules: the route by client kind, amount and currency, and the
limitation deadline with its warning (law file section 6, CPCE L125-1, L218-2, L110-4)."""

from __future__ import annotations

from datetime import date

import pytest

from skod.dunning.rules import recourse_routes as rules


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
    # public buyer: no injonction, no small claims; the administrative court, or mediation
    ("public", 10_000, 0, "EUR", "refere_provision", ("mediation",), "public_buyer"),
    ("public", 900_000, 0, "EUR", "refere_provision", ("mediation",), "public_buyer"),
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


def test_public_route_names_the_administrative_court_and_the_mandatement():
    advice = rules.route("public", 500_000, 0, "EUR")
    assert "injonction_commerce" not in (advice.route, *advice.alternatives)
    assert "injonction_judiciaire" not in (advice.route, *advice.alternatives)
    assert advice.reasons == ("public_buyer", "public_court", "mandatement_office")
    assert rules.ROUTE_FACTS["refere_provision"]["basis"] == "cja_r541_1"


@pytest.mark.parametrize(("form", "registry", "creditor_registered", "court", "reason"), [
    # commercial by form (Code de commerce L210-1), registered or not
    ("SAS", None, False, "commerce", "commercial_form"),
    ("SAS", "rcs", True, "commerce", "commercial_form"),
    ("S.A.R.L.", None, False, "commerce", "commercial_form"),
    ("sasu", None, False, "commerce", "commercial_form"),
    ("EURL", None, False, "commerce", "commercial_form"),
    ("SA", None, False, "commerce", "commercial_form"),
    ("SNC", None, False, "commerce", "commercial_form"),
    ("SCA", None, False, "commerce", "commercial_form"),
    ("SCS", None, False, "commerce", "commercial_form"),
    # a commerçant: an EI registered at the RCS
    ("EI", "rcs", False, "commerce", "registered_trader"),
    (None, "rcs", False, "commerce", "registered_trader"),
    # civil forms: the tribunal judiciaire, even registered (a SCI is, at the RCS)
    ("SCI", "rcs", True, "judiciaire", "civil_form"),
    ("SCI", None, False, "judiciaire", "civil_form"),
    ("Association", None, True, "judiciaire", "civil_form"),
    ("Société civile", None, False, "judiciaire", "civil_form"),
    ("SCP", None, False, "judiciaire", "civil_form"),
    ("Profession libérale", None, True, "judiciaire", "civil_form"),
    # not a trader: an EI not registered, nothing known
    ("EI", None, True, "judiciaire", "not_a_trader"),
    (None, None, False, "judiciaire", "not_a_trader"),
    # an artisan: the commercial court between registered professionals (L721-3 1° since
    # loi 2021-1729), else the tribunal judiciaire with a note
    ("EI", "rm", True, "commerce", "artisan_between_pros"),
    ("EI", "rm", False, "judiciaire", "artisan_civil"),
])
def test_court_of(form, registry, creditor_registered, court, reason):
    got = rules.court_of(form, registry, creditor_registered)
    assert (got.kind, got.reasons) == (court, (reason,))


@pytest.mark.parametrize(("form", "registry", "route", "alternatives", "second_reason"), [
    ("SAS", None, "injonction_commerce", ("mediation",), "business_court"),
    ("SCI", None, "injonction_judiciaire", ("mediation",), "civil_court"),
    ("Association", None, "injonction_judiciaire", ("mediation",), "civil_court"),
    ("Profession libérale", None, "injonction_judiciaire", ("mediation",), "civil_court"),
])
def test_business_route_follows_the_court(form, registry, route, alternatives, second_reason):
    court = rules.court_of(form, registry, creditor_registered=False)
    advice = rules.route("business", 800_000, 0, "EUR", court)
    assert (advice.route, advice.alternatives, advice.reasons[1]) == (
        route, alternatives, second_reason)
    small = rules.route("business", 100_000, 0, "EUR", court)
    assert small.route == "small_claims" and small.alternatives == (route, "mediation")


@pytest.mark.parametrize(("address", "on", "seat"), [
    ("12 rue de la Paix\n75002 Paris", date(2025, 1, 1), "Paris"),
    ("3 quai Saint-Antoine\n69002 Lyon\nFrance", date(2026, 6, 1), "Lyon"),
    ("1 place de l'Hôtel de ville\n76600 Le Havre", date(2028, 12, 31), "Le Havre"),
    ("8 rue Jean Jaurès\n92000 Nanterre", date(2026, 6, 1), "Nanterre"),
    ("12 rue de la Paix\n75002 Paris", date(2024, 12, 31), None),  # before the experiment
    ("12 rue de la Paix\n75002 Paris", date(2029, 1, 1), None),  # after its four years
    ("4 rue Nationale\n59000 Lille", date(2026, 6, 1), None),  # a tribunal de commerce
    ("2 rue de Paris\n35000 Rennes", date(2026, 6, 1), None),  # "Paris" in the street only
    ("", date(2026, 6, 1), None),
])
def test_tae_seat(address, on, seat):
    assert rules.tae_seat(address, on) == seat


def test_the_tae_table_has_the_twelve_courts():
    assert len(rules.TAE_SEATS) == 12
    assert {"Paris", "Nanterre", "Versailles", "Lyon", "Marseille"} <= set(rules.TAE_SEATS)
