"""A bank's CSV export, read through the provider's column mapping: which column holds the
date, the amount, the reference or label and the payer (by header name or 1-based number).
French exports are the rule: ";" separators, "1 234,56", dd/mm/yyyy, often Windows-1252.
Positive amounts are credits; the others (debits) are left out.

Pure: no database, request or clock.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from skod.dunning.bank_statements.lines import (
    MAX_LINES,
    StatementError,
    StatementLine,
    amount_minor,
    booking_date,
    one_line,
)


@dataclass(frozen=True)
class CsvMapping:
    """Column of each part (a header, any case, or a number from 1); None: no such column."""

    date: str = "date"
    amount: str = "amount"
    reference: str | None = "reference"
    label: str | None = None
    payer: str | None = None
    currency: str = "EUR"
    #: None: ";" when the header line has one, else ","
    delimiter: str | None = None


def parse(data: bytes, mapping: CsvMapping) -> list[StatementLine]:
    """The credit lines of the file; StatementError (with its line number) when it cannot be
    read with this mapping."""
    text = _decode(data)
    first = text.split("\n", 1)[0]
    delimiter = mapping.delimiter or (";" if ";" in first else ",")
    try:
        rows = list(csv.reader(io.StringIO(text), delimiter=delimiter))
    except csv.Error as err:
        raise StatementError(f"not a CSV file: {err}", code="not_csv") from err
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise StatementError("the file has no line under its header", code="empty")
    if len(rows) > MAX_LINES + 1:
        raise StatementError(f"more than {MAX_LINES} lines", code="too_many_lines")
    columns = _columns(rows[0], mapping)
    found = []
    for number, row in enumerate(rows[1:], start=2):
        line = _line(row, columns, mapping.currency, number)
        if line is not None:
            found.append(line)
    return found


def _decode(data: bytes) -> str:
    if b"\x00" in data:
        raise StatementError("not a text file", code="not_csv")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")  # what French banks' exports use


def _columns(header: list[str], mapping: CsvMapping) -> dict[str, int]:
    names = [cell.strip().lower() for cell in header]
    wanted = {"date": mapping.date, "amount": mapping.amount, "reference": mapping.reference,
              "label": mapping.label, "payer": mapping.payer}
    columns: dict[str, int] = {}
    for part, column in wanted.items():
        if not column:
            continue
        key = column.strip().lower()
        if key.isdigit() and 1 <= int(key) <= len(names):
            columns[part] = int(key) - 1
        elif key in names:
            columns[part] = names.index(key)
        else:
            raise StatementError(f"no column {column!r} in the header", code="no_column")
    if "reference" not in columns and "label" not in columns:
        raise StatementError("a reference or label column is needed", code="no_column")
    return columns


def _line(row: list[str], columns: dict[str, int], currency: str,
          number: int) -> StatementLine | None:
    def cell(part: str) -> str:
        index = columns.get(part)
        return row[index].strip() if index is not None and index < len(row) else ""

    if not cell("amount"):
        return None  # a "Crédit" column is empty on the debit lines
    try:
        minor = amount_minor(cell("amount"), currency)
        if minor <= 0:
            return None  # a debit, or nothing
        booked = booking_date(cell("date"))
    except StatementError as err:
        raise StatementError(str(err), code=err.code, line=number) from err
    return StatementLine(booked_on=booked, amount_minor=minor, currency=currency,
                         reference=one_line(cell("reference"), 255),
                         label=one_line(cell("label"), 500), payer=one_line(cell("payer"), 140))
