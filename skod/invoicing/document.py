"""The invoice DOCUMENT: a plain dict, the contract between issuing and rendering (PDF,
Factur-X). Built from the frozen snapshot and the row, never from today's provider settings,
so a document rendered again years later says what it said at issue.

Sentences that other renderers reuse as they are (payment terms, the B2B late-payment
mentions) are written here, once, in the invoice's language; the template adds none of its own
around them.
"""

from __future__ import annotations

from flask_babel import force_locale, ngettext
from flask_babel import gettext as _

from skod.accounts.models import CAPITAL_FORMS, normal_form
from skod.dunning.rules.penalties import B2B_MARGIN_BP, PUBLIC_MARGIN_BP
from skod.invoicing import rates
from skod.invoicing.ledger import local_day
from skod.invoicing.models import CREDIT_NOTE, Invoice
from skod.invoicing.pdf import Formats

LINE_KEYS = ("description", "quantity", "unit", "unit_price_ht_minor", "total_ht_minor")
SELLER_KEYS = ("name", "company_name", "legal_form", "siren", "vat_number", "address",
               "email")
BUYER_KEYS = ("name", "company_name", "siren", "address", "email", "kind")


def build(invoice: Invoice) -> dict:
    """The document of `invoice` (or credit note), its sentences in the invoice's language."""
    snap = invoice.snapshot
    buyer = dict(snap["buyer"])
    business = buyer["kind"] in ("business", "public")
    fmt = Formats(invoice.locale, invoice.currency)
    with force_locale(invoice.locale):
        terms = payment_terms(invoice, fmt)
        b2b = _b2b(snap, fmt, public=buyer["kind"] == "public") if business else None
        registration = seller_mentions(snap["seller"], invoice.locale)
        legal = legal_info(snap["seller"], invoice.locale)
        discount = None if invoice.kind == CREDIT_NOTE else _("Early payment discount: none.")
    return {
        "kind": invoice.kind,
        "number": invoice.number,
        "issue_date": invoice.issue_date,
        "due_date": invoice.due_date,
        "currency": invoice.currency,
        "locale": invoice.locale,
        "seller": {k: snap["seller"].get(k) for k in SELLER_KEYS},
        #: R123-237 / R123-238 Code de commerce, and the VAT-on-debits option (CGI 242 nonies A)
        "seller_mentions": registration,
        "seller_legal_info": legal,
        "buyer": {k: buyer.get(k) for k in BUYER_KEYS},
        "lines": [{k: line[k] for k in LINE_KEYS} for line in snap["lines"]],
        "vat": {"rate_bp": invoice.vat_rate_bp, "exempt_mention": invoice.vat_exempt_mention},
        "totals": {"ht_minor": invoice.ht_minor, "vat_minor": invoice.vat_minor,
                   "ttc_minor": invoice.ttc_minor},
        "paid": invoice.paid,
        "paid_on": local_day(invoice.paid_at, invoice.provider.timezone)
        if invoice.paid_at else None,
        "payment_method": invoice.payment_method,
        "payment_terms": terms,
        "discount_text": discount,
        "b2b": b2b,
        "b2c": None if business else {"mediator": snap.get("mediator") or ""},
        "credited_number": invoice.credited.number if invoice.credited else None,
        "operation_type": "services",
    }


def settled_at_issue(invoice: Invoice) -> bool:
    """Paid when it was issued (not an unpaid invoice settled later by `ledger.mark_paid`)."""
    return invoice.paid_at is not None and invoice.paid_at <= invoice.issued_at


def payment_terms(invoice: Invoice, fmt: Formats | None = None) -> str:
    """The agreed terms, in the invoice's language (the caller forces the locale).

    Terms, not events: an unpaid invoice paid later keeps its terms (the payment itself has its
    own line). The early-payment discount ("none") is a separate mention of the template.
    """
    fmt = fmt or Formats(invoice.locale, invoice.currency)
    if invoice.kind == CREDIT_NOTE:
        return _("Refunded to the card used for the payment.")
    if settled_at_issue(invoice):
        return _("Paid in full by card on the issue date.")
    days = (invoice.due_date - invoice.issue_date).days
    if days <= 0:
        return _("Payable on receipt, by card through the payment link.")
    return ngettext("Payable within %(num)d day, by %(due)s, by card through the payment link.",
                    "Payable within %(num)d days, by %(due)s, by card through the payment link.",
                    days, due=fmt.day(invoice.due_date))


def seller_mentions(seller: dict, locale: str) -> list[str]:
    """The seller's registration lines, in the invoice's language (the caller forces it):
    "RCS Paris 732 829 320", "SARL au capital de 10 000,00 €", the VAT-on-debits option.
    Read from the snapshot: an invoice issued before these fields existed prints none."""
    lines = legal_info(seller, locale)
    if seller.get("vat_on_debits"):
        lines.append(_("Option to pay VAT on the debits"))
    return lines


def legal_info(seller: dict, locale: str) -> list[str]:
    """The register and share capital lines alone (Factur-X BT-33, the seller's additional
    legal information)."""
    lines = []
    registry, city, siren = (seller.get("registry"), seller.get("registry_city"),
                             seller.get("siren"))
    if registry and city and siren:
        spaced = " ".join(siren[i:i + 3] for i in range(0, len(siren), 3))
        lines.append(f"{registry.upper()} {city} {spaced}")
    capital, form = seller.get("share_capital_minor"), seller.get("legal_form")
    if capital is not None and normal_form(form) in CAPITAL_FORMS:
        lines.append(_("%(form)s with a share capital of %(amount)s", form=form,
                       amount=Formats(locale, "EUR").amount(capital)))
    return lines


def _b2b(snap: dict, fmt: Formats, public: bool = False) -> dict:
    """Late-payment mentions owed to a business client (Code de commerce L441-10, D441-5) or
    to a public buyer (Code de la commande publique R2192-31, D2192-35: ECB + 8 points)."""
    rate = snap["penalty_rate_bp"]
    indemnity = rates.INDEMNITY_MINOR
    provisional = snap.get("penalty_rate_provisional")  # [year, half] of an unverified rate
    note = ""
    if provisional:
        half = (_("first half of %(year)s", year=provisional[0]) if provisional[1] == 1
                else _("second half of %(year)s", year=provisional[0]))
        note = " " + _("Provisional rate for the %(half)s: the official rate of that period "
                       "is not confirmed yet.", half=half)
    if public:
        # the snapshot's rate is the B2B one (ECB + 10) of the due date's half-year
        rate -= B2B_MARGIN_BP - PUBLIC_MARGIN_BP
        return {
            "penalty_rate_bp": rate,
            "penalty_rate_text": _(
                "Late-payment interest: %(rate)s per year (European Central Bank main "
                "refinancing rate plus 8 points), due from the day after the due date "
                "(Code de la commande publique, art. R2192-31).", rate=fmt.rate(rate)) + note,
            "indemnity_minor": indemnity,
            "indemnity_text": _(
                "A fixed indemnity for recovery costs of %(amount)s is also owed by law "
                "(Code de la commande publique, art. D2192-35).",
                amount=fmt.whole_amount(indemnity)),
        }
    text = _("Late-payment penalties: %(rate)s per year (European Central Bank main refinancing "
             "rate plus 10 points), due from the day after the due date without a reminder "
             "being necessary.", rate=fmt.rate(rate)) + note
    return {
        "penalty_rate_bp": rate,
        "penalty_rate_text": text,
        "indemnity_minor": indemnity,
        "indemnity_text": _(
            "A business client who pays late also owes, by law, a fixed indemnity for recovery "
            "costs of %(amount)s (Code de commerce, art. L441-10 and D441-5).",
            amount=fmt.whole_amount(indemnity)),
    }
