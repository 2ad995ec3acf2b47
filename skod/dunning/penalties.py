"""What a late debt costs on top of its principal (law file sections 1-3, 8-9). Pure: no
database, no Flask; the rates come in as a `RateTable` built from rows.

- business: ECB rate of each half-year + 10 points (or an agreed rate, never below 3 x the
  legal rate "all other creditors" of any half-year it covers), from the day after the due
  date, without a reminder (Code de commerce L441-10, D441-5); 40 EUR per late invoice.
- public debtor: ECB + 8 points, the rate of the half-year in which interest started to run,
  for the whole period (Code de la commande publique R2192-31, not split); 40 EUR too.
- consumer: legal rate "all other creditors" (a professional creditor), only from the day
  after the mise en demeure (Code civil 1231-6, 1344-1); never the 40 EUR (CPCE L111-8).

Days run from the start day to `until` inclusive (the day the funds arrive, or today for a
debt still open) and count 1/365 of the yearly rate, leap years too (the law file's
convention). Rounding: each segment is rounded half-up to the minor unit and the interest is
the sum of the rounded segments, so a letter that lists the segments adds up to its total.
The law file's example stays 12.31 EUR: 4.32 (4.3233) + 7.99 (7.9890). Money is integer minor
units; the arithmetic is exact integer arithmetic (no float, no Decimal needed).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from decimal import Decimal, DecimalException
from typing import Literal

from skod.core.money import CURRENCY_EXPONENTS

ClientKind = Literal["business", "consumer", "public"]
CLIENT_KINDS: tuple[str, ...] = ("business", "consumer", "public")
HalfYear = tuple[int, int]

#: fixed indemnity for recovery costs per late invoice, in EUR cents (D441-5; D2192-35 for
#: public debtors)
INDEMNITY_MINOR = 4000
INDEMNITY_CURRENCY = "EUR"
B2B_MARGIN_BP = 1000
PUBLIC_MARGIN_BP = 800
#: an agreed B2B rate may not be below this many times the legal rate "all other creditors"
CONTRACT_FLOOR_FACTOR = 3
DAYS_PER_YEAR = 365
#: sanity bound of every stored or agreed rate (100 % a year)
MAX_RATE_BP = 10_000

BASIS = {
    "business": "L441-10 / D441-5 Code de commerce",
    "public": "L2192-13 / R2192-31 / D2192-35 Code de la commande publique",
    "consumer": "art. 1231-6 / 1344-1 Code civil",
}
#: flags of a rate or a breakdown
UNVERIFIED = "unverified_rate"  # the half-year's row is marked unverified
EXTRAPOLATED = "extrapolated_rate"  # no value for the half-year: the last known one was used
INDEMNITY_EUR_ONLY = "indemnity_eur_only"  # 40 EUR not added to a debt in another currency


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


@dataclass(frozen=True)
class Segment:
    start: date
    end: date
    days: int
    rate_bp: int
    #: ecb_plus_10, ecb_plus_8, contract or legal_other
    basis: str
    amount_minor: int
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Breakdown:
    principal_minor: int
    currency: str
    client_kind: str
    due: date
    until: date
    days_late: int
    segments: tuple[Segment, ...]
    interest_minor: int
    invoices: int
    indemnity_minor: int
    total_minor: int
    basis: str
    flags: tuple[str, ...]

    def to_dict(self) -> dict:
        """JSON-ready: dates ISO, amounts minor units, rates basis points."""
        data = asdict(self)
        for part in (data, *data["segments"]):
            for key, value in part.items():
                if isinstance(value, date):
                    part[key] = value.isoformat()
                elif isinstance(value, tuple):
                    part[key] = list(value)
        return data


def half_of(day: date) -> HalfYear:
    return day.year, 1 if day.month <= 6 else 2


def _half_end(day: date) -> date:
    return date(day.year, 6, 30) if day.month <= 6 else date(day.year, 12, 31)


def split_by_half(start: date, end: date) -> list[tuple[date, date]]:
    """[start, end] cut at 1 January and 1 July (empty when end < start)."""
    parts = []
    while start <= end:
        stop = min(end, _half_end(start))
        parts.append((start, stop))
        start = stop + timedelta(days=1)
    return parts


def interest_minor(amount_minor: int, rate_bp: int, days: int) -> int:
    """amount x rate x days / 365, rounded half-up to the minor unit (exact integers)."""
    quotient, rest = divmod(amount_minor * rate_bp * days, 10_000 * DAYS_PER_YEAR)
    return quotient + (1 if 2 * rest >= 10_000 * DAYS_PER_YEAR else 0)


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


def _segment(amount_minor: int, span: tuple[date, date], rate_bp: int, basis: str,
             flags: tuple[str, ...]) -> Segment:
    days = (span[1] - span[0]).days + 1
    return Segment(span[0], span[1], days, rate_bp, basis,
                   interest_minor(amount_minor, rate_bp, days), flags)


def _business(amount_minor: int, due: date, until: date, table: RateTable,
              contract_bp: int | None) -> list[Segment]:
    segments = []
    for span in split_by_half(due + timedelta(days=1), until):
        half = half_of(span[0])
        if contract_bp is None:
            ecb = table.rate(half, "ecb_bp")
            segments.append(_segment(amount_minor, span, ecb.bp + B2B_MARGIN_BP,
                                     "ecb_plus_10", ecb.flags))
            continue
        legal = table.rate(half, "legal_other_bp")
        floor = CONTRACT_FLOOR_FACTOR * legal.bp
        if contract_bp < floor:
            raise PenaltyError(
                f"an agreed rate of {contract_bp / 100:.2f} % is below the legal floor of "
                f"{floor / 100:.2f} % (3 x the legal rate) in {half[0]} H{half[1]}",
                "contractual_rate_bp", code="below_floor")
        segments.append(_segment(amount_minor, span, contract_bp, "contract", legal.flags))
    return segments


def _public(amount_minor: int, due: date, until: date, table: RateTable) -> list[Segment]:
    """One rate for the whole delay: ECB of the half-year when interest started + 8 points."""
    start = due + timedelta(days=1)
    if until < start:
        return []
    ecb = table.rate(half_of(start), "ecb_bp")
    return [_segment(amount_minor, (start, until), ecb.bp + PUBLIC_MARGIN_BP, "ecb_plus_8",
                     ecb.flags)]


def _consumer(amount_minor: int, due: date, until: date, table: RateTable,
              notice: date | None) -> list[Segment]:
    """Legal interest from the day after the mise en demeure (never before the debt is due)."""
    if notice is None:
        return []
    segments = []
    for span in split_by_half(max(notice, due) + timedelta(days=1), until):
        legal = table.rate(half_of(span[0]), "legal_other_bp")
        segments.append(_segment(amount_minor, span, legal.bp, "legal_other", legal.flags))
    return segments


def _check(amount_minor: int, currency: str, due: date, until: date, client_kind: str,
           contractual_rate_bp: int | None, invoices: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int) or amount_minor < 1:
        raise PenaltyError("the amount is a positive number of minor units", "amount_minor")
    if currency not in CURRENCY_EXPONENTS:
        raise PenaltyError(f"unknown currency {currency!r}", "currency")
    if client_kind not in CLIENT_KINDS:
        raise PenaltyError(f"the client is one of {', '.join(CLIENT_KINDS)}", "client_kind")
    if until < due:
        raise PenaltyError("the payment date is before the due date", "until")
    if isinstance(invoices, bool) or not isinstance(invoices, int) or invoices < 1:
        raise PenaltyError("at least one invoice", "invoices")
    if contractual_rate_bp is not None:
        if client_kind != "business":
            raise PenaltyError("an agreed rate replaces the legal one for business clients only",
                               "contractual_rate_bp")
        check_rate_bp(contractual_rate_bp, "contractual_rate_bp")


def compute(*, amount_minor: int, currency: str, due: date, until: date, client_kind: str,
            table: RateTable, contractual_rate_bp: int | None = None,
            formal_notice_on: date | None = None, invoices: int = 1) -> Breakdown:
    """Penalties owed on `amount_minor` (incl. VAT) due on `due`, as of `until` (inclusive).
    `formal_notice_on` only matters for a consumer; `invoices` counts the 40 EUR."""
    _check(amount_minor, currency, due, until, client_kind, contractual_rate_bp, invoices)
    if client_kind == "business":
        segments = _business(amount_minor, due, until, table, contractual_rate_bp)
    elif client_kind == "public":
        segments = _public(amount_minor, due, until, table)
    else:
        segments = _consumer(amount_minor, due, until, table, formal_notice_on)
    days_late = (until - due).days
    flags = {flag for s in segments for flag in s.flags}
    indemnity = 0
    if client_kind != "consumer" and days_late >= 1:
        if currency == INDEMNITY_CURRENCY:
            indemnity = INDEMNITY_MINOR * invoices
        else:  # the directive's 40 EUR in another currency needs a conversion we do not make
            flags.add(INDEMNITY_EUR_ONLY)
    interest = sum(s.amount_minor for s in segments)
    return Breakdown(amount_minor, currency, client_kind, due, until, days_late,
                     tuple(segments), interest, invoices, indemnity,
                     amount_minor + interest + indemnity, BASIS[client_kind], tuple(sorted(flags)))
