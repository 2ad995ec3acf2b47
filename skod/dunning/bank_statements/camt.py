"""CAMT.053 (ISO 20022 BkToCstmrStmt), versions 001.02 to 001.08: the booked credit entries of
every statement in the file, one StatementLine each (one per transaction when a batch entry
details the amount of each).

A DOCTYPE or an entity declaration is refused before the tree is built: a statement has
no use for them, and they are how an XML file reaches local files or swells in memory.
Pure: no database, request or clock.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.parsers import expat

from skod.dunning.bank_statements.lines import (
    MAX_LINES,
    StatementError,
    StatementLine,
    amount_minor,
    booking_date,
    one_line,
)

_NAMESPACE = re.compile(r"\{urn:iso:std:iso:20022:tech:xsd:camt\.053\.001\.0([2-8])\}Document")


def parse(data: bytes) -> list[StatementLine]:
    """The credit lines of a CAMT.053 file; StatementError when it is not one."""
    root = _tree(data)
    if not _NAMESPACE.fullmatch(root.tag):
        raise StatementError("not a CAMT.053 statement (camt.053.001.02 to .08)",
                             code="not_camt")
    for element in root.iter():  # local names: the version's namespace said what it is
        element.tag = element.tag.rsplit("}", 1)[-1]
    statements = root.findall("./BkToCstmrStmt/Stmt")
    if not statements:
        raise StatementError("the file holds no statement", code="not_camt")
    found: list[StatementLine] = []
    for entry in (e for s in statements for e in s.findall("Ntry")):
        if _is_booked_credit(entry):
            found.extend(_lines_of(entry))
        if len(found) > MAX_LINES:
            raise StatementError(f"more than {MAX_LINES} lines", code="too_many_lines")
    return found


def _tree(data: bytes) -> ET.Element:
    guard = expat.ParserCreate()

    def refuse(*_args: object) -> None:
        raise StatementError("DTDs and entities are not accepted", code="xml_entities")

    guard.StartDoctypeDeclHandler = refuse
    guard.EntityDeclHandler = refuse
    guard.UnparsedEntityDeclHandler = refuse
    guard.ExternalEntityRefHandler = refuse
    try:
        guard.Parse(data, True)
        return ET.fromstring(data)
    except (expat.ExpatError, ET.ParseError) as err:
        raise StatementError(f"not well-formed XML: {err}", code="bad_xml") from err


def _text(element: ET.Element | None, path: str) -> str:
    found = element.find(path) if element is not None else None
    return (found.text or "").strip() if found is not None else ""


def _first(element: ET.Element, *paths: str) -> ET.Element | None:
    """The first of `paths` found (an Element with no children is falsy: never `or` them)."""
    for path in paths:
        found = element.find(path)
        if found is not None:
            return found
    return None


def _is_booked_credit(entry: ET.Element) -> bool:
    status = _text(entry, "Sts/Cd") or _text(entry, "Sts")  # .08 nests the code
    reversal = _text(entry, "RvslInd").lower() == "true"  # a debit sent back, not money in
    return _text(entry, "CdtDbtInd") == "CRDT" and status in ("", "BOOK") and not reversal


def _lines_of(entry: ET.Element) -> list[StatementLine]:
    booked = booking_date(_text(entry, "BookgDt/Dt") or _text(entry, "BookgDt/DtTm"))
    details = entry.findall("NtryDtls/TxDtls")
    bank_ref = _text(entry, "AcctSvcrRef") or _text(entry, "NtryRef") or None
    amounts = [_first(tx, "AmtDtls/TxAmt/Amt", "Amt") for tx in details]
    if len(details) > 1 and all(a is not None for a in amounts):
        return [_line(booked, amount, tx, entry, f"{bank_ref}/{n}" if bank_ref else None)
                for n, (tx, amount) in enumerate(zip(details, amounts, strict=True), 1)]
    return [_line(booked, entry.find("Amt"), details[0] if details else None, entry, bank_ref)]


def _line(booked, amount: ET.Element | None, tx: ET.Element | None,  # noqa: ANN001
          entry: ET.Element, bank_ref: str | None) -> StatementLine:
    if amount is None:
        raise StatementError("an entry has no amount", code="bad_amount")
    currency = (amount.get("Ccy") or "").upper()
    minor = amount_minor(amount.text or "", currency)
    if minor <= 0:
        raise StatementError("a credit entry has no positive amount", code="bad_amount")
    tx = tx if tx is not None else ET.Element("TxDtls")  # an entry with no details
    strd = [(r.text or "") for r in tx.iterfind("RmtInf/Strd/CdtrRefInf/Ref")]
    end_to_end = _text(tx, "Refs/EndToEndId")
    refs = [*strd, *([end_to_end] if end_to_end and end_to_end != "NOTPROVIDED" else [])]
    ustrd = [(u.text or "") for u in tx.iterfind("RmtInf/Ustrd")]
    label = " ".join([*ustrd, _text(tx, "AddtlTxInf"), _text(entry, "AddtlNtryInf")])
    payer = _text(tx, "RltdPties/Dbtr/Nm") or _text(tx, "RltdPties/Dbtr/Pty/Nm")
    return StatementLine(booked_on=booked, amount_minor=minor, currency=currency,
                         reference=one_line(" ".join(refs), 255), label=one_line(label, 500),
                         payer=one_line(payer, 140), bank_ref=one_line(bank_ref, 64) or None)
