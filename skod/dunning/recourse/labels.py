"""The recourse file in words (page, summary sheet): the routes, why one is recommended, the
legal basis of the amounts, the limitation and insolvency rules. Lazy texts, read in the
reader's language."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

ROUTES = {
    "mediation": _l("Mediation: the Médiateur des entreprises (free, online)"),
    "injonction_commerce": _l("Injonction de payer at the tribunal de commerce, or tribunal "
                              "des activités économiques (Cerfa 12946, registry fee about "
                              "33.47 EUR)"),
    "injonction_judiciaire": _l("Injonction de payer at the tribunal judiciaire "
                                "(Cerfa 12948, free)"),
    "small_claims": _l("Simplified small-claims procedure through a commissaire de justice "
                       "(CPCE L125-1, fees paid by you)"),
    "refere_provision": _l("Référé-provision at the tribunal administratif (CJA art. R541-1)"),
}
REASONS = {
    "small_amount": _l("The amount owed, principal and interest, is at most 5,000 EUR: a "
                       "commissaire de justice can obtain an enforceable title without a "
                       "judge if the client agrees; the client has one month to answer."),
    "over_small_claims": _l("The amount owed is above 5,000 EUR: the simplified small-claims "
                            "procedure is not open."),
    "not_euro": _l("The debt is not in euros: the 5,000 EUR small-claims limit cannot be "
                   "checked without a conversion, so that procedure is not proposed."),
    "consumer_court": _l("The client is a consumer: an injonction de payer is asked of the "
                         "tribunal judiciaire of the client's home (CPC art. 1405 ff.), "
                         "free of charge."),
    "business_court": _l("The client is a business: an injonction de payer is asked of the "
                         "tribunal de commerce of the client's seat (CPC art. 1405 ff.); "
                         "no prior amicable attempt is required."),
    "mediation_free": _l("The Médiateur des entreprises is free and confidential, but its "
                         "agreement is not a court order."),
    "public_buyer": _l("The client is a public buyer: its assets cannot be seized, so neither "
                       "the injonction de payer nor the small-claims procedure applies. The "
                       "Médiateur des entreprises also handles public procurement."),
    "public_court": _l("The claim goes to the tribunal administratif by a référé-provision "
                       "(CJA art. R541-1): the judge orders the public buyer to pay an advance "
                       "when the debt is not seriously disputable. There is no injonction de "
                       "payer and no commercial court against a public buyer. Skod does not "
                       "prepare that request; a lawyer can."),
    "mandatement_office": _l("A local authority (commune, département, région, their public "
                             "bodies) that does not pay a sum it was ordered to pay can be "
                             "made to: the préfet registers the expense and orders the "
                             "payment himself, the mandatement d'office (loi "
                             "n° 80-539 art. 1, CGCT art. L1612-15 and L1612-16). Ask the "
                             "préfet once the court's decision is final."),
    "civil_court": _l("The client is not a commerçant: an injonction de payer is asked of the "
                      "tribunal judiciaire of the client's seat (CPC art. 1405 ff., Cerfa "
                      "12948), free of charge."),
    "commercial_form": _l("Its legal form makes it a commercial company (Code de commerce "
                          "L210-1), whatever it does."),
    "registered_trader": _l("It is registered at the RCS: a commerçant, judged by the "
                            "commercial court (Code de commerce L721-3)."),
    "artisan_between_pros": _l("It is an artisan (RM) and you are registered too: since "
                               "2022 the commercial court hears disputes between artisans, "
                               "commerçants, or between them (Code de commerce L721-3 1°)."),
    "artisan_civil": _l("It is an artisan (RM) and you are not registered at the RCS or the "
                        "RM: its debt is not a commercial act for you, so the tribunal "
                        "judiciaire is the safe choice (Code de commerce L721-3). A lawyer "
                        "can confirm it."),
    "civil_form": _l("Its legal form is a civil one (SCI or another civil company, an "
                     "association): the tribunal judiciaire, even when it is registered."),
    "not_a_trader": _l("It is not registered at the RCS and its form is not a commercial "
                       "company's (a liberal profession, an EI that is not a commerçant, or no "
                       "form given): the tribunal judiciaire. If it is in fact a commerçant, "
                       "add its RCS registration on the client's details."),
}
COURTS = {
    "commerce": _l("The tribunal de commerce of the client's seat. In twelve areas it is "
                   "called tribunal des activités économiques since 1 January 2025 (Auxerre, "
                   "Avignon, Le Havre, Le Mans, Limoges, Lyon, Marseille, Nancy, Nanterre, "
                   "Paris, Saint-Brieuc, Versailles)."),
    "judiciaire": _l("The tribunal judiciaire of the client's seat."),
}


def court(kind: str | None, seat: str | None) -> str | None:
    """The competent court in words: the TAE by name when the seat is known."""
    if seat:
        return _("The tribunal des activités économiques de %(seat)s (the client's seat).",
                 seat=seat)
    return str(COURTS[kind]) if kind in COURTS else None


def chosen(data: dict) -> str | None:
    """The provider's own choice of route and its reason, in words; None when none."""
    pick = data.get("chosen")
    if not pick:
        return None
    recommended = data.get("recommended")
    return _("Route chosen by you: %(route)s (recommended: %(recommended)s). Your reason: "
             "%(reason)s", route=ROUTES.get(pick["route"], pick["route"]),
             recommended=ROUTES.get(recommended, recommended), reason=pick["reason"])
BASIS = {
    "business": _l("Code de commerce art. L441-10 and D441-5: late penalties at the ECB rate "
                   "plus 10 points from the day after the due date, and a fixed 40 EUR "
                   "indemnity for recovery costs per invoice, owed without a reminder."),
    "public": _l("Code de la commande publique art. L2192-13 ff.: late interest at the ECB rate "
                 "plus 8 points and a fixed 40 EUR indemnity per invoice."),
    "consumer": _l("Code civil art. 1231-6 and 1344-1: interest at the legal rate from the "
                   "mise en demeure; no fee or indemnity may be charged to a consumer "
                   "(CPCE L111-8)."),
}
LIMITATION = {
    "business": _l("Five years from the due date (code de commerce L110-4)."),
    "consumer": _l("Two years from the due date (code de la consommation L218-2)."),
    "public": _l("Four years from 1 January after the due date (loi n° 68-1250, "
                 "déchéance quadriennale)."),
}
LIMITATION_STATE = {
    "ok": None,
    "near": _l("Less than 90 days left: only a claim filed in court stops the clock, a "
               "reminder or a mise en demeure does not."),
    "passed": _l("The limitation date has passed: a court would reject the claim."),
}
INSOLVENCY_RULE = _l("A client in insolvency proceedings (sauvegarde, redressement or "
                     "liquidation judiciaire) cannot be sued or chased any more: declare the "
                     "claim to the mandataire judiciaire within 2 months of the judgment's "
                     "publication in the BODACC. The 40 EUR indemnity cannot be claimed. "
                     "The reminders of this client are stopped.")
