"""One credit line of a bank statement, whatever file it came from, and the amount and date
forms banks write (French decimals "1 234,56", ISO "1234.56"; dd/mm/yyyy or ISO dates).

Pure: no database, request or clock.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from skod.core.money import CURRENCY_EXPONENTS

#: more lines than this in one file is not a statement a person imports by hand
MAX_LINES = 5000
_SPACES = re.compile(r"[\s\u00a0\u202f']")
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f]")


class StatementError(ValueError):
    """The file cannot be read as a statement; `code` says why, `line` where (1-based)."""

    def __init__(self, message: str, code: str = "unreadable", line: int | None = None) -> None:
        super().__init__(message if line is None else f"line {line}: {message}")
        self.code, self.line = code, line


@dataclass(frozen=True)
class StatementLine:
    """A credit booked on the provider's account (debits are never kept)."""

    booked_on: date
    amount_minor: int
    currency: str
    reference: str = ""
    label: str = ""
    payer: str = ""
    #: the bank's own id of the line (CAMT AcctSvcrRef), when it gives one
    bank_ref: str | None = None

    @property
    def text(self) -> str:
        """What the client may have written: the reference and the free label."""
        return f"{self.reference} {self.label}".strip()


def amount_minor(text: str, currency: str) -> int:
    """ "1 234,56" / "1.234,56" / "1234.56" / "-12,00" -> signed minor units, exactly (no
    float). The last of "," and "." is the decimal mark when both appear."""
    raw = _SPACES.sub("", text or "")
    if "," in raw and "." in raw:
        thousands = "." if raw.rfind(",") > raw.rfind(".") else ","
        raw = raw.replace(thousands, "")
    raw = raw.replace(",", ".")
    if not re.fullmatch(r"[+-]?\d+(\.\d+)?", raw):
        raise StatementError(f"not an amount: {text!r}", code="bad_amount")
    digits = CURRENCY_EXPONENTS.get(currency)
    if digits is None:
        raise StatementError(f"unknown currency {currency!r}", code="bad_currency")
    try:
        minor = Decimal(raw).scaleb(digits)
    except InvalidOperation as err:  # pragma: no cover - the pattern above rules it out
        raise StatementError(f"not an amount: {text!r}", code="bad_amount") from err
    if minor != minor.to_integral_value():
        raise StatementError(f"too many decimals: {text!r}", code="bad_amount")
    return int(minor)


_DATE_FORMS = (
    (re.compile(r"(\d{4})-(\d{2})-(\d{2})"), (0, 1, 2)),        # ISO, with or without a time
    (re.compile(r"(\d{2})[/.-](\d{2})[/.-](\d{4})"), (2, 1, 0)),  # dd/mm/yyyy
)


def booking_date(text: str) -> date:
    """A booking date written "2026-12-07", "2026-12-07T10:00:00+01:00" or "07/12/2026"."""
    value = (text or "").strip()
    for pattern, (y, m, d) in _DATE_FORMS:
        found = pattern.match(value)
        if found and (found.end() == len(value) or value[found.end()] in "T "):
            parts = found.groups()
            try:
                return date(int(parts[y]), int(parts[m]), int(parts[d]))
            except ValueError:
                break
    raise StatementError(f"not a date: {text!r}", code="bad_date")


def one_line(text: str | None, limit: int) -> str:
    """Free text of a bank (several lines, tabs) as one line of at most `limit` characters."""
    spaced = _CONTROLS.sub(" ", text or "")
    return " ".join(spaced.split())[:limit]
