"""What a late debt costs on top of its principal (law file sections 1-3, 8-9). Pure: no
database, no Flask; the rates come in as a `RateTable` built from rows (rate_table.py; its
names are re-exported here for the callers).

- business: ECB rate of each half-year + 10 points (or an agreed rate, never below 3 x the
  legal rate "all other creditors" of any half-year it covers), from the day after the due
  date, without a reminder (Code de commerce L441-10, D441-5); 40 EUR per late invoice.
- public debtor: ECB + 8 points, the rate of the half-year in which interest started to run,
  for the whole period (Code de la commande publique R2192-31, not split); 40 EUR too.
- consumer: legal rate "all other creditors" (a professional creditor), only from the day
  after the mise en demeure (Code civil 1231-6, 1344-1); never the 40 EUR (CPCE L111-8).

Partial payments (law file section 2): `amount_minor` is what was due on the due date and
`payments` the (day the funds arrived, amount) of the debt. Each part bears interest from the
start day to the day it was paid, inclusive; the rest runs on to `until`. A payment before the
start day lowers the principal from the start (a consumer who paid before the mise en demeure);
one after `until` is not counted. Segments are cut at 1 January / 1 July and after each payment
day, and carry the principal that bore interest in them. 2,000.00 due 2025-01-10, 1,200.00 paid
2025-02-09, to 2025-03-11: 2,000 x 30 days + 800 x 30 days at 13.15 % = 30.26 EUR.

Days run from the start day to `until` inclusive (the day the funds arrive, or today for a
debt still open) and count 1/365 of the yearly rate, leap years too (the law file's
convention). Rounding: the interest is the exact sum of all segments rounded half-up once
(21.6164 + 8.6466 = 30.263 -> 30.26; rounding each segment would claim 30.27). The amount
shown per segment is that total allocated by largest remainder, so a letter that lists the
segments still adds up to its total. The law file's example stays 12.31 EUR: 4.32 (4.3233) +
7.99 (7.9890). Money is integer minor units; the arithmetic is exact integer arithmetic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Literal

from skod.core.money import CURRENCY_EXPONENTS
from skod.dunning.rules.rate_table import EXTRAPOLATED as EXTRAPOLATED
from skod.dunning.rules.rate_table import MAX_RATE_BP as MAX_RATE_BP
from skod.dunning.rules.rate_table import UNVERIFIED as UNVERIFIED
from skod.dunning.rules.rate_table import HalfYear, PenaltyError, RateTable, check_rate_bp
from skod.dunning.rules.rate_table import Rate as Rate
from skod.dunning.rules.rate_table import RateRow as RateRow
from skod.dunning.rules.rate_table import bp_of_percent as bp_of_percent
from skod.dunning.rules.rate_table import check_row as check_row

ClientKind = Literal["business", "consumer", "public"]
CLIENT_KINDS: tuple[str, ...] = ("business", "consumer", "public")
#: (day the funds arrived, amount in minor units)
Payment = tuple[date, int]

#: fixed indemnity for recovery costs per late invoice, in EUR cents (D441-5; D2192-35 for
#: public debtors)
INDEMNITY_MINOR = 4000
INDEMNITY_CURRENCY = "EUR"
B2B_MARGIN_BP = 1000
PUBLIC_MARGIN_BP = 800
#: an agreed B2B rate may not be below this many times the legal rate "all other creditors"
CONTRACT_FLOOR_FACTOR = 3
DAYS_PER_YEAR = 365
BASIS = {
    "business": "L441-10 / D441-5 Code de commerce",
    "public": "L2192-13 / R2192-31 / D2192-35 Code de la commande publique",
    "consumer": "art. 1231-6 / 1344-1 Code civil",
}
INDEMNITY_EUR_ONLY = "indemnity_eur_only"  # 40 EUR not added to a debt in another currency


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
    #: what bore interest in the segment (the amount due less the payments made before it)
    principal_minor: int = 0


@dataclass(frozen=True)
class Breakdown:
    #: the amount due on the due date (before any payment)
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
    #: the payments counted (made by `until`); total_minor is what is still owed:
    #: principal - paid + interest + indemnity
    paid_minor: int = 0
    payments: tuple[Payment, ...] = ()

    def to_dict(self) -> dict:
        """JSON-ready: dates ISO, amounts minor units, rates basis points."""
        data = asdict(self)
        payments = data.pop("payments")
        for part in (data, *data["segments"]):
            for key, value in part.items():
                if isinstance(value, date):
                    part[key] = value.isoformat()
                elif isinstance(value, tuple):
                    part[key] = list(value)
        data["payments"] = [{"on": on.isoformat(), "amount_minor": amount}
                            for on, amount in payments]
        return data


def provisional_halves(b: Breakdown) -> list[HalfYear]:
    """The half-years whose rate the breakdown used without a verified row of their own
    (flagged unverified or extrapolated): what a document must call provisional."""
    flagged = {half_of(s.start) for s in b.segments if {UNVERIFIED, EXTRAPOLATED} & set(s.flags)}
    return sorted(flagged)


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


def _pieces(start: date, until: date, amount_minor: int, payments: Sequence[Payment],
            cut_halves: bool) -> list[tuple[date, date, int]]:
    """[start, until] cut at 1 January / 1 July (when `cut_halves`) and after each payment
    day, with the principal that bore interest in each piece. A part paid on day D bears
    interest through D: the next piece starts the day after, on what is left."""
    owed = amount_minor - sum(a for on, a in payments if on < start)
    paid_on: dict[date, int] = {}
    for on, amount in payments:
        if start <= on <= until:
            paid_on[on] = paid_on.get(on, 0) + amount
    spans = split_by_half(start, until) if cut_halves else (
        [(start, until)] if start <= until else [])
    pieces = []
    for low, high in spans:
        for stop in sorted({d for d in paid_on if low <= d <= high} | {high}):
            if owed > 0:
                pieces.append((low, stop, owed))
            owed -= paid_on.get(stop, 0)
            low = stop + timedelta(days=1)
    return pieces


def _priced(pieces: list[tuple[date, date, int]], rate_of) -> list[tuple]:
    """(start, end, principal, rate_bp, basis, flags) of each piece; `rate_of(half)` gives the
    rate, its basis and flags for a piece starting in `half` (PenaltyError when none)."""
    return [(low, high, owed, *rate_of(half_of(low))) for low, high, owed in pieces]


def _business_rate(table: RateTable, contract_bp: int | None):
    def rate_of(half: HalfYear) -> tuple[int, str, tuple[str, ...]]:
        if contract_bp is None:
            ecb = table.rate(half, "ecb_bp")
            return ecb.bp + B2B_MARGIN_BP, "ecb_plus_10", ecb.flags
        legal = table.rate(half, "legal_other_bp")
        floor = CONTRACT_FLOOR_FACTOR * legal.bp
        if contract_bp < floor:
            raise PenaltyError(
                f"an agreed rate of {contract_bp / 100:.2f} % is below the legal floor of "
                f"{floor / 100:.2f} % (3 x the legal rate) in {half[0]} H{half[1]}",
                "contractual_rate_bp", code="below_floor")
        return contract_bp, "contract", legal.flags
    return rate_of


def _segments(priced: list[tuple]) -> tuple[list[Segment], int]:
    """The segments and the interest: the exact sum rounded half-up once, then shared out
    over the segments by largest remainder so that they add up to it."""
    denominator = 10_000 * DAYS_PER_YEAR
    exact = [owed * rate * ((high - low).days + 1)
             for low, high, owed, rate, _basis, _flags in priced]
    quotient, rest = divmod(sum(exact), denominator)
    total = quotient + (1 if 2 * rest >= denominator else 0)
    shares = [n // denominator for n in exact]
    # ties go to the earlier segment (sorted() is stable)
    ranked = sorted(range(len(exact)), key=lambda i: -(exact[i] % denominator))
    for i in ranked[:total - sum(shares)]:
        shares[i] += 1
    segments = [Segment(low, high, (high - low).days + 1, rate, basis, share, flags, owed)
                for (low, high, owed, rate, basis, flags), share in zip(priced, shares,
                                                                         strict=True)]
    return segments, total


def _priced_for(kind: str, amount_minor: int, due: date, until: date, table: RateTable,
                contract_bp: int | None, notice: date | None,
                payments: Sequence[Payment]) -> list[tuple]:
    if kind == "business":
        start = due + timedelta(days=1)
        pieces = _pieces(start, until, amount_minor, payments, cut_halves=True)
        return _priced(pieces, _business_rate(table, contract_bp))
    if kind == "public":
        # one rate for the whole delay: ECB of the half-year the interest started in + 8
        start = due + timedelta(days=1)
        pieces = _pieces(start, until, amount_minor, payments, cut_halves=False)
        if not pieces:
            return []
        ecb = table.rate(half_of(start), "ecb_bp")
        return [(*piece, ecb.bp + PUBLIC_MARGIN_BP, "ecb_plus_8", ecb.flags)
                for piece in pieces]
    if notice is None:  # a consumer owes legal interest only from the mise en demeure
        return []
    start = max(notice, due) + timedelta(days=1)
    pieces = _pieces(start, until, amount_minor, payments, cut_halves=True)

    def legal(half: HalfYear) -> tuple[int, str, tuple[str, ...]]:
        rate = table.rate(half, "legal_other_bp")
        return rate.bp, "legal_other", rate.flags
    return _priced(pieces, legal)


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


def check_payments(payments: Sequence[Payment], amount_minor: int) -> tuple[Payment, ...]:
    """The payments sorted by day; PenaltyError (field "payments") on a bad one or when they
    add up to more than the amount due."""
    for payment in payments:
        on, amount = payment if isinstance(payment, tuple) and len(payment) == 2 else (0, 0)
        if not isinstance(on, date) or isinstance(on, datetime):
            raise PenaltyError("a payment is (day, amount in minor units)", "payments")
        if isinstance(amount, bool) or not isinstance(amount, int) or amount < 1:
            raise PenaltyError("a payment is a positive number of minor units", "payments")
    if sum(a for _on, a in payments) > amount_minor:
        raise PenaltyError("the payments add up to more than the amount due", "payments")
    return tuple(sorted(payments))


def compute(*, amount_minor: int, currency: str, due: date, until: date, client_kind: str,
            table: RateTable, contractual_rate_bp: int | None = None,
            mise_en_demeure_on: date | None = None, invoices: int = 1,
            payments: Sequence[Payment] = ()) -> Breakdown:
    """Penalties owed on `amount_minor` (incl. VAT) due on `due`, as of `until` (inclusive),
    given the debt's `payments` (day the funds arrived, amount). `mise_en_demeure_on` only
    matters for a consumer; `invoices` counts the 40 EUR."""
    _check(amount_minor, currency, due, until, client_kind, contractual_rate_bp, invoices)
    payments = check_payments(payments, amount_minor)
    priced = _priced_for(client_kind, amount_minor, due, until, table, contractual_rate_bp,
                         mise_en_demeure_on, payments)
    segments, interest = _segments(priced)
    days_late = (until - due).days
    flags = {flag for s in segments for flag in s.flags}
    counted = tuple(p for p in payments if p[0] <= until)
    paid = sum(a for _on, a in counted)
    # the 40 EUR is owed once some of the invoice was still unpaid after its due date
    late = amount_minor > sum(a for on, a in counted if on <= due)
    indemnity = 0
    if client_kind != "consumer" and days_late >= 1 and late:
        if currency == INDEMNITY_CURRENCY:
            indemnity = INDEMNITY_MINOR * invoices
        else:  # the directive's 40 EUR in another currency needs a conversion we do not make
            flags.add(INDEMNITY_EUR_ONLY)
    return Breakdown(amount_minor, currency, client_kind, due, until, days_late,
                     tuple(segments), interest, invoices, indemnity,
                     amount_minor - paid + interest + indemnity, BASIS[client_kind],
                     tuple(sorted(flags)), paid, counted)
