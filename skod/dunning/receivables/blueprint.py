"""The blueprint every provider page about money owed registers on (the receivables list and
case page, the client file, the reminder settings, the calculator, the mise en demeure's and
the recourse file's pages), and the words of a refused action. It imports none of those pages:
each imports it, and the app imports each of them for its routes.
"""

from __future__ import annotations

from flask import Blueprint
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from skod.core.clock import parse_iso
from skod.core.errors import DomainError
from skod.web import display
from skod.web.blueprint import current_locale

bp = Blueprint("dunning_pages", __name__)


ERROR_WORDS = {
    "receivable_closed": _l("This debt is closed already."),
    "receivable_paused": _l("The case is paused: resume it first."),
    "already_paused": _l("The case is paused already."),
    "receivable_not_paused": _l("The case is not paused."),
    "paused_stripe_dispute": _l("The client's bank is deciding a dispute: the case resumes "
                                   "by itself when the dispute closes."),
    "paused_plan": _l("A payment plan decides this case: accept or refuse it first."),
    "ladder_end": _l("No further reminder is available for this debt for now."),
    "no_plan": _l("There is no payment plan waiting for your answer."),
    "paused_insolvency": _l("The client is in insolvency proceedings: declare the claim to "
                            "the administrator instead."),
    "no_penalties_notice": _l("A formal notice for the penalties alone cannot be sent now."),
    "recourse_closed": _l("This recourse file is closed: its debts are paid or written off."),
    "bank_line_decided": _l("This bank line was reviewed already."),
    "not_a_candidate": _l("This debt is not one the bank line was proposed for."),
    "surplus_refunded": _l("This amount is marked refunded already."),
    "dispute_decided": _l("This dispute is answered already: there is nothing more to decide."),
    "dispute_answered": _l("You answered this dispute already: accept or reject it now."),
    "no_invoice": _l("The invoice of this debt is not issued yet: try again in a few minutes."),
    "paused_client_dispute": _l("The client disputes this debt: accept or reject the dispute, "
                                "and the reminders resume by themselves."),
}


def error_words(err: DomainError) -> str:
    """A refused action, in the page's language."""
    if err.code == "too_soon" and err.fields:
        when = display.when(parse_iso(err.fields["earliest"][0]), current_user.timezone,
                            current_locale())
        return _("The last reminder is too recent: the next one can go from %(when)s.",
                 when=when)
    return str(ERROR_WORDS.get(err.code, display.error_text(err)))
ERROR_WORDS["plan_decided"] = ERROR_WORDS["no_plan"]  # decided meanwhile (another tab, API)
