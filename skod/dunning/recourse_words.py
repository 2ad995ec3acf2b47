"""The recourse file in words (page, summary sheet): the routes, why one is recommended, the
legal basis of the amounts, the limitation and insolvency rules. Lazy texts, read in the
reader's language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROUTES = {
    "mediation": _l("Mediation: the Médiateur des entreprises (free, online)"),
    "injonction_commerce": _l("Injonction de payer at the tribunal de commerce "
                              "(Cerfa 12946, registry fee about 33.47 EUR)"),
    "injonction_judiciaire": _l("Injonction de payer at the tribunal judiciaire "
                                "(Cerfa 12948, free)"),
    "small_claims": _l("Simplified small-claims procedure through a commissaire de justice "
                       "(CPCE L125-1, fees paid by you)"),
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
    "public_court": _l("Failing an agreement, the claim goes to the administrative court "
                       "(référé-provision, CJA art. R541-1): Skod does not prepare that "
                       "request; a lawyer can."),
}
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
