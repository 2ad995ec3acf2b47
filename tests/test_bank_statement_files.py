"""Reading the provider's bank statements, without a database: CAMT.053 (versions .02 and .08,
batch entries, debits, pending and reversed entries left out, entities refused) and CSV
through a column mapping (French decimals and dates, ";" or ","), and the amounts and dates
banks write, table-driven."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from skod.dunning.bank_statements import camt, csv_lines, reading
from skod.dunning.bank_statements.csv_lines import CsvMapping
from skod.dunning.bank_statements.lines import StatementError, amount_minor, booking_date

SAMPLE = Path(__file__).parent / "data" / "camt053_sample.xml"


@pytest.mark.parametrize(("text", "currency", "minor"), [
    ("1200.00", "EUR", 120000), ("1 234,56", "EUR", 123456), ("1\u00a0234,56", "EUR", 123456),
    ("1\u202f234,56", "EUR", 123456), ("1.234,56", "EUR", 123456), ("1,234.56", "EUR", 123456),
    ("-12,00", "EUR", -1200), ("+7,5", "EUR", 750), ("0,01", "EUR", 1), ("42", "EUR", 4200),
    ("1500", "JPY", 1500), ("1'234.50", "CHF", 123450),
])
def test_amounts_as_banks_write_them(text, currency, minor):
    assert amount_minor(text, currency) == minor


@pytest.mark.parametrize(("text", "currency", "code"), [
    ("", "EUR", "bad_amount"), ("12,345", "EUR", "bad_amount"), ("1e3", "EUR", "bad_amount"),
    ("12,00 EUR", "EUR", "bad_amount"), ("12.5", "JPY", "bad_amount"),
    ("12", "XXX", "bad_currency"), ("NaN", "EUR", "bad_amount"),
])
def test_what_is_not_an_amount(text, currency, code):
    with pytest.raises(StatementError) as err:
        amount_minor(text, currency)
    assert err.value.code == code


@pytest.mark.parametrize(("text", "day"), [
    ("2026-12-07", date(2026, 12, 7)), ("2026-12-07T10:15:00+01:00", date(2026, 12, 7)),
    ("07/12/2026", date(2026, 12, 7)), ("07.12.2026", date(2026, 12, 7)),
    (" 29/02/2028 ", date(2028, 2, 29)),
])
def test_booking_dates(text, day):
    assert booking_date(text) == day


@pytest.mark.parametrize("text", ["", "2026-13-01", "31/02/2026", "12/2026", "2026-12-07x"])
def test_what_is_not_a_date(text):
    with pytest.raises(StatementError):
        booking_date(text)


def test_the_sample_gives_its_five_booked_credits():
    lines = camt.parse(SAMPLE.read_bytes())
    assert [(line.amount_minor, line.booked_on.day) for line in lines] == [
        (120000, 2), (45000, 2), (30000, 3), (97500, 3), (6490, 4)]
    first, second = lines[0], lines[1]
    assert first.reference == "SKOD-2026-000001" and first.payer == "ATELIER MARTIN SARL"
    assert first.bank_ref == "TEST20261202000001" and first.currency == "EUR"
    assert second.reference == "" and second.label == "VIR SEPA FACTURE 2026-000002 MERCI"


V08 = """<?xml version="1.0"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M</MsgId></GrpHdr><Stmt><Id>S</Id>
<Ntry><Amt Ccy="EUR">900.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Sts><Cd>BOOK</Cd></Sts>
<BookgDt><DtTm>2026-11-30T23:30:00+01:00</DtTm></BookgDt><AcctSvcrRef>BATCH9</AcctSvcrRef>
<NtryDtls>
<TxDtls><Amt Ccy="EUR">600.00</Amt><Refs><EndToEndId>E2E-A</EndToEndId></Refs>
<RltdPties><Dbtr><Pty><Nm>Client A</Nm></Pty></Dbtr></RltdPties>
<RmtInf><Ustrd>facture</Ustrd><Ustrd>2026-000010</Ustrd></RmtInf></TxDtls>
<TxDtls><Amt Ccy="EUR">300.00</Amt><RmtInf><Ustrd>SKOD-2026-000011</Ustrd></RmtInf></TxDtls>
</NtryDtls></Ntry>
<Ntry><Amt Ccy="EUR">50.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><RvslInd>true</RvslInd>
<Sts><Cd>BOOK</Cd></Sts><BookgDt><Dt>2026-12-01</Dt></BookgDt></Ntry>
</Stmt></BkToCstmrStmt></Document>"""


def test_version_08_batch_entry_gives_one_line_per_transaction():
    lines = camt.parse(V08.encode())
    assert [(line.amount_minor, line.bank_ref) for line in lines] == [
        (60000, "BATCH9/1"), (30000, "BATCH9/2")]
    assert lines[0].payer == "Client A" and lines[0].label == "facture 2026-000010"
    assert lines[0].reference == "E2E-A" and lines[0].booked_on == date(2026, 11, 30)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE Document [<!ENTITY x SYSTEM "file:///etc/passwd">]>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"><BkToCstmrStmt><Stmt>
<Ntry><Amt Ccy="EUR">1.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2026-12-01</Dt></BookgDt>
<NtryDtls><TxDtls><RmtInf><Ustrd>&x;</Ustrd></RmtInf></TxDtls></NtryDtls></Ntry>
</Stmt></BkToCstmrStmt></Document>"""
LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
          b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">]><d>&b;</d>')


@pytest.mark.parametrize(("data", "code"), [
    (XXE, "xml_entities"), (LAUGHS, "xml_entities"),
    (b"<Document><unclosed></Document>", "bad_xml"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.054.001.02"/>', "not_camt"),
    (b'<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02"/>', "not_camt"),
    (V08.replace("900.00", "9x").replace("600.00", "x").encode(), "bad_amount"),
])
def test_files_refused_with_their_reason(data, code):
    with pytest.raises(StatementError) as err:
        camt.parse(data)
    assert err.value.code == code


FRENCH_CSV = """Date;Libellé;Référence;Montant;Émetteur
02/12/2026;VIR SEPA;SKOD-2026-000001;1 200,00;Atelier Martin
03/12/2026;PRLV EDF;;-85,20;EDF
03/12/2026;Acompte;2026-000003;300,00;Petit et Fils
""".encode("cp1252")


def test_french_csv_through_a_mapping_keeps_the_credits():
    mapping = CsvMapping(date="date", amount="montant", reference="Référence",
                         label="libellé", payer="5")
    lines = csv_lines.parse(FRENCH_CSV, mapping)
    assert [(line.booked_on, line.amount_minor, line.reference, line.payer)
            for line in lines] == [
        (date(2026, 12, 2), 120000, "SKOD-2026-000001", "Atelier Martin"),
        (date(2026, 12, 3), 30000, "2026-000003", "Petit et Fils")]


def test_comma_csv_with_iso_dates_and_a_credit_column():
    data = b"booked,credit,debit,reference\n2026-12-02,450.00,,Facture 2026-000002\n" \
           b"2026-12-02,,12.00,CB\n"
    lines = csv_lines.parse(data, CsvMapping(date="booked", amount="credit"))
    assert [(line.amount_minor, line.reference) for line in lines] == [
        (45000, "Facture 2026-000002")]


@pytest.mark.parametrize(("data", "mapping", "code", "line"), [
    (b"date;amount;reference\n", CsvMapping(), "empty", None),
    (b"date;amount;reference\n02/12/2026;12,00;x\n", CsvMapping(amount="montant"), "no_column",
     None),
    (b"date;amount;reference\n02/12/2026;12,00;x\n32/12/2026;1,00;y\n", CsvMapping(),
     "bad_date", 3),
    (b"date;amount;reference\n02/12/2026;douze;x\n", CsvMapping(), "bad_amount", 2),
    (b"date;amount\n02/12/2026;12,00\n", CsvMapping(reference=None), "no_column", None),
    (b"\x00\x01binary", CsvMapping(), "not_csv", None),
])
def test_csv_refused_with_the_line_at_fault(data, mapping, code, line):
    with pytest.raises(StatementError) as err:
        csv_lines.parse(data, mapping)
    assert (err.value.code, err.value.line) == (code, line)


def test_the_format_is_told_by_the_file():
    assert reading.read(b"\xef\xbb\xbf  " + SAMPLE.read_bytes())[0] == "camt"
    assert reading.read(FRENCH_CSV, mapping=CsvMapping(amount="montant", reference="4"))[0] \
        == "csv"
    for data, code in ((b"  \n", "empty"), (b"x" * (reading.MAX_BYTES + 1), "too_large")):
        with pytest.raises(StatementError) as err:
            reading.read(data)
        assert err.value.code == code
