"""Factur-X for an invoice DOCUMENT (skod.invoicing.document.build): the UN/CEFACT CII XML of
profile EN 16931, and the PDF/A-3b that carries it as factur-x.xml.

The XML is built from the document dict only, so it says what the PDF says: amounts come from
integer minor units through Decimal (never a float), its totals are the document's totals to
the cent, and a document whose lines do not add up is refused (ValueError) rather than written.
`render_facturx` and `check` need the factur-x package; `render_facturx` also needs an
application context (the PDF template and translations).
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from flask_babel import force_locale
from flask_babel import gettext as _
from lxml import etree

from skod.core.money import decimal_of

NS = {
    "rsm": "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100",
    "qdt": "urn:un:unece:uncefact:data:standard:QualifiedDataType:100",
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}
FLAVOR = "factur-x"
LEVEL = "en16931"
#: the PDF flavour Factur-X embeds its XML in
PDF_VARIANT = "pdf/a-3b"
GUIDELINE = "urn:cen.eu:en16931:2017"
TYPE_CODES = {"invoice": "380", "credit_note": "381"}
UNIT_CODE = "C62"  # UN/ECE rec. 20: "one" (one service)
CARD = "48"  # UNTDID 4461: bank card, the only means of payment here
COUNTRY = "FR"
SIREN_SCHEME = "0002"  # ISO 6523 ICD of the French SIRENE register
_POSTCODE_CITY = re.compile(r"^(\d{5})\s+(\S.*)$")


def cii_xml(doc: dict) -> bytes:
    """The CrossIndustryInvoice XML (EN 16931 profile) of `doc`, UTF-8 with declaration."""
    _check_totals(doc)
    money = _Money(doc["currency"])
    root = etree.Element(_tag("rsm:CrossIndustryInvoice"), nsmap=NS)
    context = _el(root, "rsm:ExchangedDocumentContext")
    _el(_el(context, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", GUIDELINE)
    _exchanged_document(root, doc)
    transaction = _el(root, "rsm:SupplyChainTradeTransaction")
    for number, line in enumerate(doc["lines"], start=1):
        _line_item(transaction, number, line, doc["vat"], money)
    agreement = _el(transaction, "ram:ApplicableHeaderTradeAgreement")
    # BT-33: the register and share capital when known (R123-237 / R123-238), else the form
    seller = {**doc["seller"], "legal_info": " · ".join(doc.get("seller_legal_info") or [])}
    _party(agreement, "ram:SellerTradeParty", seller, seller=True)
    _party(agreement, "ram:BuyerTradeParty", doc["buyer"], seller=False)
    _el(transaction, "ram:ApplicableHeaderTradeDelivery")
    _settlement(transaction, doc, money)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render_facturx(doc: dict) -> bytes:
    """The invoice as a Factur-X PDF/A-3b: the PDF of `doc` with its CII XML embedded."""
    from skod.invoicing.pdf import render_pdf

    return embed(render_pdf(doc, pdf_variant=PDF_VARIANT), doc)


def embed(pdf: bytes, doc: dict) -> bytes:
    """`pdf` (rendered as PDF_VARIANT) with the CII XML of `doc` embedded and checked."""
    from facturx import generate_from_binary

    return generate_from_binary(pdf, cii_xml(doc), flavor=FLAVOR, level=LEVEL, check_xsd=True,
                                pdf_metadata=pdf_metadata(doc), lang=doc.get("locale") or "fr")


def check(xml: bytes) -> None:
    """Raise when `xml` is not valid against the EN 16931 XSD shipped with factur-x."""
    from facturx import xml_check_xsd

    if xml_check_xsd(xml, flavor=FLAVOR, level=LEVEL) is not True:
        raise ValueError("Factur-X XML is not valid against the EN 16931 XSD")


def pdf_metadata(doc: dict) -> dict:
    """Title, author, subject, keywords of the PDF (info dict and XMP), in the doc's language."""
    seller = _party_name(doc["seller"])
    with force_locale(doc.get("locale") or "fr"):
        label = _("Credit note") if doc["kind"] == "credit_note" else _("Invoice")
    return {"author": seller, "title": f"{seller}: {label} {doc['number']}",
            "subject": f"{label} {doc['number']} ({doc['issue_date'].isoformat()})",
            "keywords": f"{label}, Factur-X"}


class _Money:
    """Minor units -> the decimal text of the XML, in the currency's own exponent."""

    def __init__(self, currency: str) -> None:
        self.currency = currency

    def __call__(self, minor: int) -> str:
        if not isinstance(minor, int) or isinstance(minor, bool):
            raise TypeError(f"amount in minor units must be an int, got {minor!r}")
        return str(decimal_of(minor, self.currency))


def _check_totals(doc: dict) -> None:
    totals = doc["totals"]
    if totals["ht_minor"] + totals["vat_minor"] != totals["ttc_minor"]:
        raise ValueError(f"invoice {doc['number']}: HT + VAT != TTC")
    if sum(line["total_ht_minor"] for line in doc["lines"]) != totals["ht_minor"]:
        raise ValueError(f"invoice {doc['number']}: lines do not add up to the HT total")
    if doc["kind"] not in TYPE_CODES:
        raise ValueError(f"invoice {doc['number']}: unknown kind {doc['kind']!r}")


def _tag(name: str) -> str:
    prefix, local = name.split(":")
    return f"{{{NS[prefix]}}}{local}"


def _el(parent: etree._Element, name: str, text: object = None, **attrs: str) -> etree._Element:
    element = etree.SubElement(parent, _tag(name), attrs)
    if text is not None:
        element.text = str(text)
    return element


def _date(parent: etree._Element, name: str, day: date) -> None:
    _el(_el(parent, name), "udt:DateTimeString", day.strftime("%Y%m%d"), format="102")


def _exchanged_document(root: etree._Element, doc: dict) -> None:
    document = _el(root, "rsm:ExchangedDocument")
    _el(document, "ram:ID", doc["number"])
    _el(document, "ram:TypeCode", TYPE_CODES[doc["kind"]])
    _date(document, "ram:IssueDateTime", doc["issue_date"])
    # UNTDID 4451 subject codes: PMD late-payment penalties, PMT the fixed recovery indemnity
    # (art. L441-10), AAB the early-payment discount (none)
    b2b = doc.get("b2b") or {}
    for code, text in (("PMD", b2b.get("penalty_rate_text")), ("PMT", b2b.get("indemnity_text")),
                       ("AAB", doc.get("discount_text"))):
        if text:
            note = _el(document, "ram:IncludedNote")
            _el(note, "ram:Content", text)
            _el(note, "ram:SubjectCode", code)


def _line_item(transaction: etree._Element, number: int, line: dict, vat: dict,
               money: _Money) -> None:
    item = _el(transaction, "ram:IncludedSupplyChainTradeLineItem")
    _el(_el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", number)
    _el(_el(item, "ram:SpecifiedTradeProduct"), "ram:Name", line["description"])
    agreement = _el(item, "ram:SpecifiedLineTradeAgreement")
    price = _el(agreement, "ram:NetPriceProductTradePrice")
    _el(price, "ram:ChargeAmount", money(line["unit_price_ht_minor"]))
    delivery = _el(item, "ram:SpecifiedLineTradeDelivery")
    _el(delivery, "ram:BilledQuantity", Decimal(line["quantity"]), unitCode=UNIT_CODE)
    settlement = _el(item, "ram:SpecifiedLineTradeSettlement")
    _trade_tax(settlement, vat)
    summation = _el(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation")
    _el(summation, "ram:LineTotalAmount", money(line["total_ht_minor"]))


def _trade_tax(parent: etree._Element, vat: dict, money: _Money | None = None,
               totals: dict | None = None) -> None:
    """ApplicableTradeTax of a line (category and rate) or, given totals, of the header."""
    rate_bp = vat.get("rate_bp") or 0
    # S: standard rate; E: exempt (its mention says why); Z: a zero rate with no mention
    category = "S" if rate_bp else ("E" if vat.get("exempt_mention") else "Z")
    header = totals is not None and money is not None
    tax = _el(parent, "ram:ApplicableTradeTax")
    if header:
        _el(tax, "ram:CalculatedAmount", money(totals["vat_minor"]))
    _el(tax, "ram:TypeCode", "VAT")
    if header:
        if category == "E":
            _el(tax, "ram:ExemptionReason", vat["exempt_mention"])
        _el(tax, "ram:BasisAmount", money(totals["ht_minor"]))
    _el(tax, "ram:CategoryCode", category)
    _el(tax, "ram:RateApplicablePercent", Decimal(rate_bp).scaleb(-2))


def _party_name(party: dict) -> str:
    """Legal name first (what the registers know), else the person's name."""
    return party.get("company_name") or party.get("name") or ""


def _party(agreement: etree._Element, name: str, party: dict, *, seller: bool) -> None:
    element = _el(agreement, name)
    _el(element, "ram:Name", _party_name(party))
    if seller and (party.get("legal_info") or party.get("legal_form")):
        # BT-33, e.g. "SARL" or "RCS Paris 732 829 320 · SARL au capital de 10 000,00 €"
        _el(element, "ram:Description", party.get("legal_info") or party["legal_form"])
    if party.get("siren"):
        organization = _el(element, "ram:SpecifiedLegalOrganization")
        _el(organization, "ram:ID", party["siren"], schemeID=SIREN_SCHEME)
    person = party.get("name")
    if party.get("company_name") and person and person != party["company_name"]:
        _el(_el(element, "ram:DefinedTradeContact"), "ram:PersonName", person)
    _postal_address(element, party.get("address"))
    if party.get("email"):
        contact = _el(element, "ram:URIUniversalCommunication")
        _el(contact, "ram:URIID", party["email"], schemeID="EM")
    if party.get("vat_number"):
        registration = _el(element, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", party["vat_number"], schemeID="VA")
    elif seller and party.get("siren"):
        # a VAT-exempt seller (franchise, art. 293 B) often has no VAT number: its French
        # registration stands as the seller's tax registration (BT-32, rule BR-E-02)
        registration = _el(element, "ram:SpecifiedTaxRegistration")
        _el(registration, "ram:ID", party["siren"], schemeID="FC")


def _postal_address(party: etree._Element, text: str | None) -> None:
    """Free multi-line address: first line in LineOne, the next ones in LineTwo/LineThree,
    "NNNNN City" on the last line as postcode and city; France unless said otherwise."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > 1 and lines[-1].casefold() == "france":
        lines = lines[:-1]
    match = _POSTCODE_CITY.match(lines[-1]) if lines else None
    street = lines[:-1] if match and len(lines) > 1 else lines
    if len(street) > 3:
        street = street[:2] + [", ".join(street[2:])]
    address = _el(party, "ram:PostalTradeAddress")
    if match:
        _el(address, "ram:PostcodeCode", match.group(1))
    for tag, value in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), street,
                          strict=False):
        _el(address, tag, value)
    if match:
        _el(address, "ram:CityName", match.group(2))
    _el(address, "ram:CountryID", COUNTRY)


def _settlement(transaction: etree._Element, doc: dict, money: _Money) -> None:
    settlement = _el(transaction, "ram:ApplicableHeaderTradeSettlement")
    _el(settlement, "ram:InvoiceCurrencyCode", doc["currency"])
    means = _el(settlement, "ram:SpecifiedTradeSettlementPaymentMeans")
    _el(means, "ram:TypeCode", CARD)
    if doc.get("payment_method"):
        _el(means, "ram:Information", doc["payment_method"])
    _trade_tax(settlement, doc["vat"], money, doc["totals"])
    invoice = doc["kind"] == "invoice"
    if doc.get("payment_terms") or invoice:
        terms = _el(settlement, "ram:SpecifiedTradePaymentTerms")
        if doc.get("payment_terms"):
            _el(terms, "ram:Description", doc["payment_terms"])
        if invoice:
            _date(terms, "ram:DueDateDateTime", doc["due_date"])
    _summation(settlement, doc, money)
    if doc.get("credited_number"):
        reference = _el(settlement, "ram:InvoiceReferencedDocument")
        _el(reference, "ram:IssuerAssignedID", doc["credited_number"])


def _summation(settlement: etree._Element, doc: dict, money: _Money) -> None:
    totals = doc["totals"]
    ttc = totals["ttc_minor"]
    prepaid = ttc if doc["paid"] else 0
    summation = _el(settlement, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    _el(summation, "ram:LineTotalAmount", money(totals["ht_minor"]))
    _el(summation, "ram:TaxBasisTotalAmount", money(totals["ht_minor"]))
    _el(summation, "ram:TaxTotalAmount", money(totals["vat_minor"]), currencyID=doc["currency"])
    _el(summation, "ram:GrandTotalAmount", money(ttc))
    if prepaid:
        _el(summation, "ram:TotalPrepaidAmount", money(prepaid))
    _el(summation, "ram:DuePayableAmount", money(ttc - prepaid))
