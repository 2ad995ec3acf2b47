"""Pure rules of the recourse file (step 4, law file section 6): which route to recommend for
a debt, its alternatives and why, the limitation deadline and when to warn about it.

No I/O, no words: the answers are codes (a route of RECOURSE_ROUTES, reason codes) that the
pages and the summary sheet put in words. Amounts are integer minor units.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

#: the simplified small-claims procedure (CPCE L125-1, R125-1): up to 5,000 EUR, principal and
#: interest together (the decree's words; the 40 EUR indemnity is not interest)
SMALL_CLAIMS_MAX_MINOR = 500_000
SMALL_CLAIMS_CURRENCY = "EUR"
#: limitation periods in years: consumer (code de la consommation L218-2), business (code de
#: commerce L110-4); a public buyer's debt lapses by the "déchéance quadriennale" instead
LIMITATION_YEARS = {"consumer": 2, "business": 5}
#: loi n° 68-1250: four years from 1 January of the year after the debt fell due
PUBLIC_LAPSE_YEARS = 4
#: warn this long before the limitation date: a request for an injonction de payer, its order
#: and its service take weeks to a couple of months, and only a claim filed in court
#: interrupts the limitation (code civil 2241) - a reminder or a mise en demeure does not
WARN_DAYS = 90

#: what each route is: the competent body, its form (Cerfa), the fee, the legal basis
ROUTE_FACTS = {
    "mediation": {"cerfa": None, "fee_minor": 0, "basis": "mediateur_entreprises"},
    "injonction_commerce": {"cerfa": "12946", "fee_minor": 3347, "basis": "cpc_1405"},
    "injonction_judiciaire": {"cerfa": "12948", "fee_minor": 0, "basis": "cpc_1405"},
    "small_claims": {"cerfa": None, "fee_minor": None, "basis": "cpce_l125_1"},
}


@dataclass(frozen=True)
class Advice:
    route: str
    alternatives: tuple[str, ...]
    #: reason codes, in the order the summary prints them
    reasons: tuple[str, ...]


def small_claims_fits(principal_minor: int, interest_minor: int, currency: str) -> bool:
    return currency == SMALL_CLAIMS_CURRENCY and (
        principal_minor + interest_minor <= SMALL_CLAIMS_MAX_MINOR)


def route(client_kind: str, principal_minor: int, interest_minor: int, currency: str) -> Advice:
    """The recommended route for a debt of this client kind and amount (the balance owed and
    the interest to date), with the other routes open and the reasons."""
    if client_kind == "public":
        # a public person's assets cannot be seized and its contracts are administrative:
        # neither injonction de payer nor small claims apply; the court route is a
        # référé-provision at the administrative court (CJA R541-1), which Skod does not prepare
        return Advice("mediation", (), ("public_buyer", "public_court"))
    small = small_claims_fits(principal_minor, interest_minor, currency)
    if client_kind == "consumer":
        court = "injonction_judiciaire"
        reasons: tuple[str, ...] = ("consumer_court",)
        if small:
            return Advice("small_claims", (court,), ("small_amount", *reasons))
        return Advice(court, (), (_over(currency), *reasons))
    court = "injonction_commerce"
    if small:
        return Advice("small_claims", (court, "mediation"),
                      ("small_amount", "business_court", "mediation_free"))
    return Advice(court, ("mediation",), (_over(currency), "business_court", "mediation_free"))


def _over(currency: str) -> str:
    return "over_small_claims" if currency == SMALL_CLAIMS_CURRENCY else "not_euro"


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February: the period ends on 28 February
        return day.replace(year=day.year + years, day=28)


def limitation_on(client_kind: str, due: date) -> date:
    """The last day the claim can be brought to court for a debt due on `due`."""
    if client_kind == "public":
        return date(due.year + 1 + PUBLIC_LAPSE_YEARS, 1, 1) - timedelta(days=1)
    return _years_after(due, LIMITATION_YEARS.get(client_kind, LIMITATION_YEARS["consumer"]))


def limitation_state(limit: date, today: date) -> str:
    """"passed" (too late for a court), "near" (less than WARN_DAYS left) or "ok"."""
    if today > limit:
        return "passed"
    return "near" if (limit - today).days < WARN_DAYS else "ok"


def oldest_limit(client_kind: str, dues: list[date]) -> date:
    """A file's limitation date: that of its oldest debt (the first to lapse)."""
    return limitation_on(client_kind, min(dues))
