"""Issue 20 point 5, invoices: a company provider's invoice prints its register with city
and number ("RCS Paris 732 829 320") and its share capital ("SARL au capital de 10 000,00 €",
Code de commerce R123-237 / R123-238), and the VAT-on-debits option when chosen; the provider
API takes and checks them; a public buyer's invoice states ECB + 8 points (R2192-31)."""

from __future__ import annotations

import unicodedata
from io import BytesIO

import pytest
from lxml import etree
from pypdf import PdfReader

from skod.accounts.models import Provider
from skod.extensions import db
from skod.invoicing import document, pdf
from skod.invoicing.facturx import NS, cii_xml
from tests import factories as f
from tests.invoice_support import issue, make_client, make_provider
from tests.support.api import api


def text_of(invoice) -> str:  # noqa: ANN001
    reader = PdfReader(BytesIO(pdf.render_pdf(document.build(invoice))))
    text = "\n".join(page.extract_text() for page in reader.pages)
    return " ".join(unicodedata.normalize("NFKC", text).split())


def _registered(provider_id: int, **fields: object) -> None:
    row = db.session.get(Provider, provider_id)
    for name, value in {"trade_register": "rcs", "registry_city": "Paris",
                        "share_capital_minor": 1_000_000, **fields}.items():
        setattr(row, name, value)
    db.session.commit()


@pytest.mark.parametrize(("locale", "lines", "debits"), [
    ("fr", ("RCS Paris 732 829 320", "SARL au capital de 10 000,00 €"),
     "Option pour le paiement de la taxe d'après les débits"),
    ("en", ("RCS Paris 732 829 320", "SARL with a share capital of €10,000.00"),
     "Option to pay VAT on the debits"),
])
def test_a_company_providers_invoice_shows_its_register_and_capital(app, locale, lines,
                                                                    debits):
    with app.app_context():
        pid = make_provider()
        _registered(pid, vat_on_debits=True)
        invoice = issue(pid, make_client(pid, locale=locale), 12_000)
        text = text_of(invoice)
        for line in (*lines, debits):
            assert line in text, (line, text)
        print(f"{locale}: {' | '.join((*lines, debits))}")
        xml = etree.fromstring(cii_xml(document.build(invoice)))
        [info] = xml.xpath("//ram:SellerTradeParty/ram:Description/text()", namespaces=NS)
        assert " ".join(info.split()) == " · ".join(lines)  # Factur-X BT-33
        # an artisan at the RM, no capital (an EI), no VAT-on-debits option
        other = make_provider()
        row = db.session.get(Provider, other)
        row.legal_form = "EI"
        _registered(other, trade_register="rm", registry_city="Lyon", share_capital_minor=None)
        plain = text_of(issue(other, make_client(other, locale=locale), 12_000))
        assert "RM Lyon 732 829 320" in plain
        assert "capital" not in plain and "débits" not in plain and "debits" not in plain


def test_an_invoice_issued_before_keeps_its_mentions(app):
    with app.app_context():
        pid = make_provider()
        before = issue(pid, make_client(pid), 12_000)
        _registered(pid)
        assert "RCS" not in text_of(before)  # printed from its snapshot, never from today's


def test_a_public_buyers_invoice_states_ecb_plus_8(app):
    with app.app_context():
        pid = make_provider()
        text = text_of(issue(pid, make_client(pid, kind="public"), 12_000, paid=False))
    assert "majoré de 8 points" in text and "R2192-31" in text and "D2192-35" in text
    assert "10 points" not in text and "médiateur" not in text


def test_the_provider_api_checks_the_registration_fields(client):
    prov = f.provider(client)
    for bad in ({"registry": "rcs-paris"}, {"share_capital_minor": -1},
                {"share_capital_minor": 10.5}, {"registry_city": "x" * 101},
                {"vat_on_debits": "sometimes"}):
        status, body = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                           json={"legal": bad})
        assert status == 422 and next(iter(bad)) in str(body["error"]), bad
    status, me = api(client, "PATCH", "/api/v1/me", token=prov["token"], json={"legal": {
        "registry": "rm", "registry_city": "Lyon", "vat_on_debits": True}})
    assert status == 200
    assert {k: me["legal"][k] for k in ("registry", "registry_city", "vat_on_debits",
                                       "share_capital_minor")} == {
        "registry": "rm", "registry_city": "Lyon", "vat_on_debits": True,
        "share_capital_minor": None}
    status, me = api(client, "PATCH", "/api/v1/me", token=prov["token"],
                     json={"legal": {"registry": None}})
    assert status == 200 and me["legal"]["registry"] is None
