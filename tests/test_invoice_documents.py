"""Checklist of the invoice PDF: every legal mention present, every forbidden one absent.

Each case issues an invoice (or credit note) through the ledger, renders the PDF the client
receives and reads its text back with pypdf. The text is compared with all whitespace removed
(pypdf splits some glyph pairs, "T otal", and wraps long sentences), so a mention is found
whatever the line breaks; amounts, rates and dates are checked as the reader sees them.

Mentions (late-payment law file, section 4): both parties and their addresses, seller SIREN, VAT
number and legal form, number, issue and due dates, description, unit price excl. VAT, VAT rate
and amount or the exemption mention, totals, payment terms, early-payment discount, payment date
and method; B2B: penalty rate and the 40 EUR indemnity written out; B2C: the consumer mediator,
no penalty and no indemnity.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from datetime import timedelta
from io import BytesIO

import pytest
from pypdf import PdfReader

from skod.invoicing import document, ledger, pdf
from skod.invoicing.models import Invoice
from tests.invoice_support import NOW, credit, issue, make_client, make_provider

AMOUNT = 12345  # 123,45 € incl. VAT = 102,87 € excl. VAT + 20,58 € VAT at 20 %
EXEMPT = "TVA non applicable, art. 293 B du CGI"
MEDIATOR = "CM2C, 14 rue Saint-Jean, 75017 Paris, www.cm2c.net"
A4_POINTS = (595.28, 841.89)

FR_COMMON = (
    "{seller}", "{seller_person}", "12 rue des Lilas 75011 Paris", "Forme juridique\u202f: SARL",
    "SIREN\u202f: 732829320", "N° de TVA intracommunautaire\u202f: FR44732829320",
    "Numéro\u202f: {number}",
    "Date d'émission\u202f: 10 mars 2026", "Facturé à {buyer}", "5 avenue Foch 69006 Lyon",
    "Nature de l'opération\u202f: prestation de services",
    "Description Quantité Prix unitaire HT",
    "Émis par Skod au nom et pour le compte de {seller}.",
)
FR_INVOICE = ("Escompte pour paiement anticipé\u202f: néant.",)
FR_PAID = (
    "Date d'échéance\u202f: 10 mars 2026",
    "Payée le 10 mars 2026. Moyen de paiement\u202f: Carte bancaire.",
    "Net à payer\u202f: 0,00 €",
    "Conditions de paiement\u202f: Réglée intégralement par carte à la date d'émission.",
)
FR_VAT_20 = (
    "Consultation: call of 10 March 2026, 45 minutes 1 102,87 € 20 % 102,87 €",
    "Taux de TVA", "Total HT 102,87 €", "TVA 20 % 20,58 €", "Total TTC 123,45 €",
)
FR_B2B = (
    "SIREN\u202f: 552100554",
    "Pénalités de retard\u202f: 12,15 % par an (taux principal de refinancement de la Banque "
    "centrale européenne majoré de 10 points), exigibles dès le lendemain de la date "
    "d'échéance sans qu'un rappel soit nécessaire.",
    "Tout professionnel en situation de retard de paiement est en outre de plein droit "
    "débiteur d'une indemnité forfaitaire pour frais de recouvrement de 40 € "
    "(Code de commerce, art. L441-10 et D441-5).",
)
FR_B2C = ("En cas de litige, le consommateur peut recourir gratuitement au médiateur de la "
          f"consommation\u202f: {MEDIATOR}",)
#: English left in a French document, and the wording the old template repeated
FR_NOT = ("Card payment", "Paid", "Late", "No discount", "Payable within", "Payable on",
          "by card", "Refunded", "(Late")
B2C_NOT = ("40 €", "40,00 €", "indemnité", "recouvrement", "Pénalités", "pénalités", "12,15",
           "Banque centrale", "SIREN\u202f: 552100554", "L441")
FR_ONCE = ("Escompte pour paiement anticipé", "Conditions de paiement", "Net à payer")
B2B_FR_ONCE = ("Pénalités de retard", "indemnité forfaitaire pour frais de recouvrement de 40 €",
               "12,15 %")


@dataclass(frozen=True)
class Case:
    id: str
    title: str
    required: tuple[str, ...]
    forbidden: tuple[str, ...]
    once: tuple[str, ...] = ()
    provider: dict = field(default_factory=dict)
    client: dict = field(default_factory=dict)
    paid: bool = True
    #: when set: the document checked is a credit note of this amount on the invoice
    credit_minor: int | None = None


CASES = [
    Case("b2b-fr-20-paid", "Facture {number}",
         FR_COMMON + FR_INVOICE + FR_PAID + FR_VAT_20 + FR_B2B,
         FR_NOT + ("médiateur", "Avoir", "293 B", "Total 123,45 €", "Net à payer\u202f: 123,45 €"),
         FR_ONCE + B2B_FR_ONCE + ("Payée le",)),
    Case("b2b-fr-20-unpaid", "Facture {number}",
         FR_COMMON + FR_INVOICE + FR_VAT_20 + FR_B2B + (
             "Date d'échéance\u202f: 9 avril 2026", "Net à payer\u202f: 123,45 €",
             "Conditions de paiement\u202f: Payable sous 30 jours, au plus tard le 9 avril 2026, "
             "par carte via le lien de paiement."),
         FR_NOT + ("Payée le", "Moyen de paiement", "0,00 €", "Réglée", "médiateur",
                   "Date d'échéance\u202f: 10 mars 2026"),
         FR_ONCE + B2B_FR_ONCE, paid=False),
    Case("b2b-fr-20-unpaid-on-receipt", "Facture {number}",
         FR_COMMON + FR_INVOICE + FR_VAT_20 + FR_B2B + (
             "Date d'échéance\u202f: 10 mars 2026", "Net à payer\u202f: 123,45 €",
             "Conditions de paiement\u202f: Payable à réception, par carte via le lien de "
             "paiement."),
         FR_NOT + ("Payée le", "0,00 €", "sous 0 jour", "au plus tard"),
         FR_ONCE + B2B_FR_ONCE, provider={"terms_days": 0}, paid=False),
    Case("b2c-fr-exempt", "Facture {number}",
         FR_COMMON + FR_INVOICE + FR_PAID + FR_B2C + (
             EXEMPT, "Consultation: call of 10 March 2026, 45 minutes 1 123,45 € 123,45 €",
             "Total HT 123,45 €", "Total 123,45 €"),
         FR_NOT + B2C_NOT + ("TVA 20", "TVA 0", "Taux de TVA", "TTC", "20,58", "102,87",
                             "20 %"),
         FR_ONCE + (EXEMPT, "médiateur"),
         provider={"vat_rate_bp": None, "exempt": EXEMPT}, client={"kind": "consumer"}),
    Case("b2c-fr-20", "Facture {number}",
         FR_COMMON + FR_INVOICE + FR_PAID + FR_VAT_20 + FR_B2C,
         FR_NOT + B2C_NOT + ("293 B",), FR_ONCE + ("médiateur",),
         client={"kind": "consumer"}),
    Case("b2b-en-20-paid", "Invoice {number}",
         ("{seller}", "12 rue des Lilas 75011 Paris", "Legal form: SARL", "SIREN: 732829320",
          "VAT number: FR44732829320", "Invoice", "Number: {number}",
          "Issue date: March 10, 2026", "Due date: March 10, 2026", "Billed to {buyer}",
          "SIREN: 552100554", "Type of operation: provision of services",
          "Unit price excl. VAT", "VAT rate", "1 €102.87 20% €102.87",
          "Total excl. VAT €102.87", "VAT 20% €20.58", "Total incl. VAT €123.45",
          "Paid on March 10, 2026. Payment method: Card payment.", "Amount due: €0.00",
          "Payment terms: Paid in full by card on the issue date.",
          "Early payment discount: none.",
          "Late-payment penalties: 12.15% per year (European Central Bank main refinancing rate "
          "plus 10 points), due from the day after the due date without a reminder being "
          "necessary.",
          "A business client who pays late also owes, by law, a fixed indemnity for recovery "
          "costs of EUR 40 (Code de commerce, art. L441-10 and D441-5).",
          "Issued by Skod in the name and on behalf of {seller}."),
         ("40 €", "€40", "Facture", "Pénalités", "TVA 20", "Taux de TVA", "TTC", "Payée",
          "mediator", "Credit note"),
         ("Late-payment penalties", "EUR 40", "Early payment discount", "Payment terms"),
         client={"locale": "en"}),
    # a credit note is issued to the client, not billed, and owes nothing late (issue 23)
    Case("credit-note-fr-b2b", "Avoir {number}",
         tuple(m for m in FR_COMMON if m != "Facturé à {buyer}") + FR_B2B[:1] + (
             "Avoir établi pour {buyer}", "Avoir sur la facture n° {credited}",
             "Refund for invoice {credited} 1 41,67 €",
             "Total HT 41,67 €", "TVA 20 % 8,33 €", "Total de l'avoir TTC 50,00 €",
             "Remboursé le 10 mars 2026", "Remboursé sur la carte utilisée pour le paiement."),
         FR_NOT + ("Facture", "Net à payer", "Date d'échéance", "Escompte", "Total TTC",
                   "123,45", "Numéro\u202f: {credited}", "Facturé à", "Pénalités", "pénalités",
                   "indemnité forfaitaire", "12,15 %"),
         ("Avoir sur la facture", "Remboursé le", "Avoir établi pour"), credit_minor=5000),
]


def squash(text: str) -> str:
    """Text without any whitespace (spaces, no-break spaces, line breaks), NFKC-normalised."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def render(invoice: Invoice) -> PdfReader:
    return PdfReader(BytesIO(pdf.render_pdf(document.build(invoice))))


def issue_case(case: Case) -> tuple[Invoice, dict]:
    """The document of the case and the values its mentions refer to."""
    provider_id = make_provider(**case.provider)
    invoice = issue(provider_id, make_client(provider_id, **case.client), AMOUNT,
                    paid=case.paid)
    credited = invoice.number
    if case.credit_minor is not None:
        invoice = credit(invoice, case.credit_minor)
    seller, buyer = invoice.snapshot["seller"], invoice.snapshot["buyer"]
    values = {"number": invoice.number, "credited": credited, "seller": seller["company_name"],
              "seller_person": seller["name"], "buyer": buyer["company_name"] or buyer["name"]}
    return invoice, values


@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_invoice_pdf_mentions(app, case: Case) -> None:
    with app.app_context():
        invoice, values = issue_case(case)
        reader = render(invoice)
        text = squash("\n".join(page.extract_text() for page in reader.pages))
        assert len(reader.pages) == 1
        box = reader.pages[0].mediabox
        assert (round(float(box.width), 2), round(float(box.height), 2)) == A4_POINTS
        assert reader.metadata.title == case.title.format(**values)
        missing = [m for m in case.required if squash(m.format(**values)) not in text]
        present = [m for m in case.forbidden if squash(m.format(**values)) in text]
        repeated = {m: text.count(squash(m)) for m in case.once if text.count(squash(m)) != 1}
        assert (missing, present, repeated) == ([], [], {}), (
            f"missing: {missing}\nforbidden but present: {present}\nnot once: {repeated}\n"
            f"text: {text}")


def test_payment_terms_do_not_change_when_paid_later(app) -> None:
    """An unpaid invoice settled later keeps its terms; the payment gets its own line."""
    with app.app_context():
        provider_id = make_provider()
        invoice = issue(provider_id, make_client(provider_id), AMOUNT, paid=False)
        invoice = ledger.mark_paid(invoice.id, NOW + timedelta(days=12))
        text = squash(render(invoice).pages[0].extract_text())
        for mention in ("Payée le 22 mars 2026", "Date d'échéance\u202f: 9 avril 2026",
                        "Payable sous 30 jours, au plus tard le 9 avril 2026"):
            assert squash(mention) in text
        assert squash("Réglée intégralement") not in text
