"""The half-yearly rate table the penalty engine reads (law file section 1): its rows in basis
points, the look-up of a half-year (a missing or unverified one flagged), and the checks of a
stored or typed rate. Pure: no database, no Flask (skod/dunning/owed/rates.py loads the rows)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, DecimalException

HalfYear = tuple[int, int]
#: sanity bound of every stored or agreed rate (100 % a year)
MAX_RATE_BP = 10_000

#: flags of a rate (and of a breakdown that used it)
UNVERIFIED = "unverified_rate"  # the half-year's row is marked unverified
EXTRAPOLATED = "extrapolated_rate"  # no value for the half-year: the last known one was used


class PenaltyError(ValueError):
    """Input the law (or the rate table) cannot answer; `field` names the compute() argument."""

    def __init__(self, message: str, field: str | None = None, code: str = "invalid") -> None:
        super().__init__(message)
        self.message, self.field, self.code = message, field, code


@dataclass(frozen=True)
class RateRow:
    """One half-year of the rate table, in basis points (None: not known)."""

    year: int
    half: int
    ecb_bp: int
    legal_private_bp: int | None = None
    legal_other_bp: int | None = None
    verified: bool = True

    @property
    def key(self) -> HalfYear:
        return self.year, self.half


@dataclass(frozen=True)
class Rate:
    bp: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class RateTable:
    rows: tuple[RateRow, ...]

    @classmethod
    def of(cls, rows: Iterable[RateRow]) -> RateTable:
        return cls(tuple(sorted(rows, key=lambda r: r.key)))

    def rate(self, half: HalfYear, column: str) -> Rate:
        """`column` (ecb_bp, legal_other_bp, ...) for `half`; a half-year past the table (or a
        gap, or an unknown value) takes the last earlier row that has one, flagged."""
        known = [r for r in self.rows if r.key <= half and getattr(r, column) is not None]
        if not known:
            raise PenaltyError(f"no {column[:-3]} rate is known for {half[0]} H{half[1]}",
                               code="no_rate")
        row = known[-1]
        flags = ((EXTRAPOLATED,) if row.key != half else ()) + (
            (UNVERIFIED,) if not row.verified else ())
        return Rate(getattr(row, column), flags)


def bp_of_percent(text: str) -> int:
    """"2.15" (or "2,15") percent -> 215 basis points; at most 2 decimals, 0 to 100 %."""
    try:
        value = Decimal(str(text).strip().replace(",", ".")) * 100
    except DecimalException:
        raise PenaltyError(f"{text!r} is not a percentage such as 2.15") from None
    if not value.is_finite() or value != value.to_integral_value():
        raise PenaltyError(f"{text!r}: a percentage has at most 2 decimals")
    check_rate_bp(int(value))
    return int(value)


def check_rate_bp(bp: int, field: str | None = None) -> None:
    if not 0 <= bp <= MAX_RATE_BP:
        raise PenaltyError(f"a rate is from 0 to {MAX_RATE_BP // 100} %", field)


def check_row(row: RateRow) -> None:
    """A row fit to store: a known half-year, rates from 0 to 100 %."""
    if not 2000 <= row.year <= 2100:
        raise PenaltyError("the year must be from 2000 to 2100", "year")
    if row.half not in (1, 2):
        raise PenaltyError("the half-year is 1 (January-June) or 2 (July-December)", "half")
    for column in ("ecb_bp", "legal_private_bp", "legal_other_bp"):
        if getattr(row, column) is not None:
            check_rate_bp(getattr(row, column), column)
