"""A statement file as sent (page or command): which format it is (CAMT.053 XML or CSV,
told by the provider or by its first character) and its credit lines.

Pure: no database, request or clock.
"""

from __future__ import annotations

from skod.dunning.bank_statements import camt, csv_lines
from skod.dunning.bank_statements.csv_lines import CsvMapping
from skod.dunning.bank_statements.lines import StatementError, StatementLine

#: a month of a busy account's CAMT is well under this
MAX_BYTES = 5 * 1024 * 1024
KINDS = ("auto", "camt", "csv")


def read(data: bytes, kind: str = "auto",
         mapping: CsvMapping | None = None) -> tuple[str, list[StatementLine]]:
    """(format, credit lines); StatementError when the file is empty, too large or not of the
    format."""
    if not data.strip():
        raise StatementError("the file is empty", code="empty")
    if len(data) > MAX_BYTES:
        raise StatementError("the file is larger than 5 MB", code="too_large")
    # a byte-order mark or blank lines before the XML declaration: read past them
    xml = data.lstrip(b"\xef\xbb\xbf \t\r\n")
    if kind == "auto":
        kind = "camt" if xml.startswith(b"<") else "csv"
    if kind == "camt":
        return "camt", camt.parse(xml)
    if kind == "csv":
        return "csv", csv_lines.parse(data, mapping or CsvMapping())
    raise StatementError(f"unknown format {kind!r}", code="bad_format")
