"""Pure rules of the recourse file (step 4, law file section 6): which route to recommend for
a debt, its alternatives and why, the limitation deadline and when to warn about it.

No I/O, no words: the answers are codes (a route of RECOURSE_ROUTES, reason codes) that the
pages and the summary sheet put in words. Amounts are integer minor units.
"""

from __future__ import annotations

import unicodedata
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
    # a public buyer: référé-provision before the tribunal administratif (CJA R541-1); no
    # registry fee, a lawyer is not compulsory for a référé-provision
    "refere_provision": {"cerfa": None, "fee_minor": 0, "basis": "cja_r541_1"},
}
#: what the provider may choose instead of the recommended route (the file keeps the reason)
CHOOSABLE = tuple(ROUTE_FACTS)


@dataclass(frozen=True)
class Advice:
    route: str
    alternatives: tuple[str, ...]
    #: reason codes, in the order the summary prints them
    reasons: tuple[str, ...]


def small_claims_fits(principal_minor: int, interest_minor: int, currency: str) -> bool:
    return currency == SMALL_CLAIMS_CURRENCY and (
        principal_minor + interest_minor <= SMALL_CLAIMS_MAX_MINOR)


def route(client_kind: str, principal_minor: int, interest_minor: int, currency: str,
          court: Court | None = None) -> Advice:
    """The recommended route for a debt of this client kind and amount (the balance owed and
    the interest to date), with the other routes open and the reasons. `court`: the business
    debtor's court (court_of); None counts as a commercial one."""
    if client_kind == "public":
        # a public person's assets cannot be seized and its contracts are administrative:
        # neither injonction de payer nor small claims apply; the court route is a
        # référé-provision at the tribunal administratif (CJA R541-1); a local authority that
        # still does not pay is made to by the préfet's "mandatement d'office" (loi 80-539
        # art. 1, CGCT L1612-15)
        return Advice("refere_provision", ("mediation",),
                      ("public_buyer", "public_court", "mandatement_office"))
    small = small_claims_fits(principal_minor, interest_minor, currency)
    if client_kind == "consumer":
        court = "injonction_judiciaire"
        reasons: tuple[str, ...] = ("consumer_court",)
        if small:
            return Advice("small_claims", (court,), ("small_amount", *reasons))
        return Advice(court, (), (_over(currency), *reasons))
    court = court or Court("commerce", ("commercial_form",))
    way = "injonction_commerce" if court.kind == "commerce" else "injonction_judiciaire"
    why = ("business_court" if court.kind == "commerce" else "civil_court", *court.reasons)
    if small:
        return Advice("small_claims", (way, "mediation"),
                      ("small_amount", *why, "mediation_free"))
    return Advice(way, ("mediation",), (_over(currency), *why, "mediation_free"))


#: companies commercial by their form, whatever they do (Code de commerce L210-1: SNC, SCS,
#: SARL, SA, SAS, SCA; EURL and SASU are the one-member SARL and SAS); compared on the legal form
#: in capitals without dots or spaces
COMMERCIAL_FORMS = frozenset({"SA", "SAS", "SASU", "SARL", "EURL", "SNC", "SCA", "SCS"})
#: debtors that are never commerçants by form: civil companies (SCI, SCP, SCM, société civile),
#: associations, the liberal professions: the tribunal judiciaire, even when the entity is
#: entered at the RCS (a SCI is, as a civil company)
CIVIL_FORMS = frozenset({"SCI", "SCP", "SCM", "SC", "SOCIETECIVILE", "SCEA", "GAEC",
                         "ASSOCIATION", "ASSO", "PROFESSIONLIBERALE", "LIBERAL"})
#: the twelve tribunaux de commerce named "tribunal des activités économiques" from
#: 1 January 2025 for four years (loi n° 2023-1059 art. 26; décret n° 2024-674 du
#: 3 juillet 2024; their list: arrêté du 5 juillet 2024, art. 2), by seat -> the area
#: (ressort) named by the arrêté. A data table: the experiment ends or grows by a new arrêté.
TAE_SEATS = {
    "Marseille": "tribunal judiciaire de Marseille",
    "Le Mans": "tribunal judiciaire du Mans",
    "Limoges": "tribunal judiciaire de Limoges",
    "Lyon": "tribunal judiciaire de Lyon",
    "Nancy": "tribunal judiciaire de Nancy",
    "Avignon": "tribunaux judiciaires d'Avignon et de Carpentras",
    "Auxerre": "tribunal judiciaire d'Auxerre",
    "Paris": "tribunal judiciaire de Paris",
    "Saint-Brieuc": "tribunal judiciaire de Saint-Brieuc",
    "Le Havre": "tribunal judiciaire du Havre",
    "Nanterre": "tribunal judiciaire de Nanterre",
    "Versailles": "tribunal judiciaire de Versailles",
}
TAE_FROM = date(2025, 1, 1)
TAE_UNTIL = date(2028, 12, 31)


@dataclass(frozen=True)
class Court:
    #: "commerce" (tribunal de commerce or TAE) or "judiciaire" (tribunal judiciaire)
    kind: str
    #: reason codes, in the order the summary prints them
    reasons: tuple[str, ...]
    #: the seat when it could be read from the debtor's address and is a TAE, else None
    tae_seat: str | None = None


def normal_form(legal_form: str | None) -> str:
    plain = unicodedata.normalize("NFKD", legal_form or "").encode("ascii", "ignore")
    return "".join(ch for ch in plain.decode().upper() if ch.isalnum())


def court_of(legal_form: str | None, registry: str | None, creditor_registered: bool) -> Court:
    """Which court hears the business debtor: tribunal de commerce for a commercial company
    by form or a commerçant entered at the RCS; tribunal judiciaire for everyone else.

    An artisan (RM): since loi n° 2021-1729 of 22 December 2021, Code de commerce L721-3 1°
    gives the tribunal de commerce the disputes "entre commerçants, entre artisans ... ou
    entre eux": so a registered creditor (RCS or RM) goes there; a creditor who is neither
    (a liberal profession, a non-registered EI) is outside L721-3 1°, and an artisan's debt
    is not an act of commerce (L721-3 2°-3° do not reach it): the tribunal judiciaire, with
    a note."""
    form = normal_form(legal_form)
    if form in CIVIL_FORMS or form.startswith("SOCIETECIVILE"):
        return Court("judiciaire", ("civil_form",))
    if form in COMMERCIAL_FORMS:
        return Court("commerce", ("commercial_form",))
    if registry == "rcs":
        return Court("commerce", ("registered_trader",))
    if registry == "rm":
        if creditor_registered:
            return Court("commerce", ("artisan_between_pros",))
        return Court("judiciaire", ("artisan_civil",))
    return Court("judiciaire", ("not_a_trader",))


def tae_seat(address: str | None, on: date) -> str | None:
    """The TAE seat whose city the debtor's address names ("75011 Paris"), while the
    experiment runs; None otherwise. Only the seat city itself is matched: the court's area
    is wider, and a town of it is not recognised (the summary then names the court kind)."""
    if not address or not TAE_FROM <= on <= TAE_UNTIL:
        return None
    lines = [x.strip().lower() for x in address.strip().splitlines() if x.strip()]
    last = lines[-1] if lines[-1] != "france" or len(lines) == 1 else lines[-2]
    for seat in TAE_SEATS:
        name = seat.lower()
        if last.endswith(name) and (len(last) == len(name)
                                    or not last[-len(name) - 1].isalpha()):
            return seat
    return None


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
