"""The receivables board of one provider: what is owed by ladder step, how old it is, what came
in and what was lost, DSO, and which reminder works. Every figure is a SQL aggregate (GROUP BY,
FILTER); nothing row by row reaches Python, so 50,000 receivables answer in a few queries.
The same SQL runs on PostgreSQL and on SQLite 3.30+ (`make run`): no date arithmetic, LATERAL
or arrays (tests/test_sqlite_walk.py compares both).

Definitions (per currency: amounts of different currencies are never added):

- balance of a receivable: principal_minor - paid_minor.
- columns: open and paused cases (paused shown apart) by `last_step` (-1 = no step yet).
- outstanding: the balance of open + paused cases. The age buckets split the same balance,
  so they add up to it: days past `due_date` as of `now`'s day in the provider's time zone,
  0-7 (a debt not yet due counts here), 8-15, 16-30, 31-45, 46 and more (the
  issue's "45+").
- money in (board_rates.money_in): every "payment" event of the timeline (card retries, pay
  page, instalments, a transfer marked paid: `settling.settle` writes one per payment,
  with its amount) plus, for a case closed because its invoice was paid by another path
  ("paid" event with via "invoice", which writes no payment event), the balance that closed.
  `paid_minor` alone cannot say *when* money came; the events can.
- recovered this month: money in during the current calendar month of the provider's zone.
- written off: the balance of written-off cases, all time and closed this month.
- DSO: outstanding / (invoices issued over the last 90 days, credit notes excluded) x 90,
  in days; None ("—") when nothing was invoiced over those 90 days.
- recovery rate of step N: over the cases that had step N sent (a DunningStep row with
  status "sent"), the money in from that step's `sent_at` until the next step sent for the
  case (or for good when none followed), divided by the balance those cases still had when
  step N went. Step -1 is the time before any reminder (from the opening: card retries).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, select

from skod.accounts.models import Provider
from skod.dunning.board import money_in as board_rates
from skod.dunning.debts.models import Receivable
from skod.extensions import db
from skod.invoicing.models import INVOICE, Invoice

#: ladder steps shown as columns (-1: no reminder yet)
STEPS = (-1, 0, 1, 2, 3, 4)
#: age buckets: (low, high) days past due, both included; None = no upper bound
BUCKETS = ((None, 7), (8, 15), (16, 30), (31, 45), (46, None))
#: the window DSO divides by
DSO_DAYS = 90


@dataclass(frozen=True)
class Column:
    step: int
    open_count: int = 0
    open_minor: int = 0
    paused_count: int = 0
    paused_minor: int = 0


@dataclass(frozen=True)
class StepRate:
    step: int
    cases: int
    reached_minor: int
    paid_minor: int

    @property
    def rate(self) -> float | None:
        return self.paid_minor / self.reached_minor if self.reached_minor else None


@dataclass
class CurrencyBoard:
    currency: str
    columns: list[Column] = field(default_factory=list)
    #: balance per bucket, in BUCKETS' order
    ages: list[int] = field(default_factory=lambda: [0] * len(BUCKETS))
    outstanding_minor: int = 0
    recovered_month_minor: int = 0
    written_off_minor: int = 0
    written_off_month_minor: int = 0
    invoiced_minor: int = 0
    rates: list[StepRate] = field(default_factory=list)

    @property
    def dso_days(self) -> int | None:
        if not self.invoiced_minor:
            return None
        return round(self.outstanding_minor * DSO_DAYS / self.invoiced_minor)


@dataclass
class Board:
    provider_id: int
    #: the provider's own currency, listed first
    currency: str
    today: date
    currencies: list[CurrencyBoard]


def month_bounds(now: datetime, tz: str) -> tuple[date, datetime, datetime]:
    """`now`'s day in `tz`, and the current calendar month there as UTC instants [start, end)."""
    zone = ZoneInfo(tz)
    today = now.astimezone(zone).date()
    first = today.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    start, end = (datetime.combine(d, time(0), zone).astimezone(UTC) for d in (first, following))
    return today, start, end


def summary(provider_id: int, now: datetime) -> Board:
    """The provider's board as of `now` (the benchmark's entry point: keep the signature)."""
    provider = db.session.get(Provider, provider_id)
    today, start, end = month_bounds(now, provider.timezone)
    boards: dict[str, CurrencyBoard] = {}

    def of(currency: str) -> CurrencyBoard:
        return boards.setdefault(currency, CurrencyBoard(currency))

    columns = _cases(provider_id, today, start, end, of)
    for currency, amount in _invoiced(provider_id, today):
        of(currency).invoiced_minor = amount
    money = board_rates.figures(provider_id, start, end)
    for currency, amount in money.month.items():
        of(currency).recovered_month_minor = amount
    for (currency, step), (cases, principal) in sorted(money.bases.items()):
        reached = principal - money.earlier.get((currency, step), 0)
        of(currency).rates.append(
            StepRate(step, cases, reached, money.during.get((currency, step), 0)))
    for board in boards.values():
        board.columns = [Column(step, **columns.get((board.currency, step), {}))
                         for step in _steps_of(columns, board.currency)]
    ordered = sorted(boards.values(), key=lambda b: (b.currency != provider.currency, b.currency))
    return Board(provider_id, provider.currency, today, ordered)


def _cases(provider_id: int, today: date, start: datetime, end: datetime,
           of) -> dict[tuple[str, int], dict]:  # noqa: ANN001
    """One GROUP BY over the provider's receivables: columns, age buckets, outstanding and
    written off (the rows come back grouped by currency, status and step: at most a few
    dozen)."""
    balance = Receivable.principal_minor - Receivable.paid_minor
    buckets = [func.coalesce(func.sum(balance).filter(_within(today, low, high)), 0)
               for low, high in BUCKETS]
    month = (Receivable.closed_at >= start) & (Receivable.closed_at < end)
    rows = db.session.execute(
        select(Receivable.currency, Receivable.status, Receivable.last_step,
               func.count(), func.sum(balance),
               func.coalesce(func.sum(balance).filter(month), 0), *buckets)
        .where(Receivable.provider_id == provider_id,
               Receivable.status.in_(("open", "paused", "written_off")))
        .group_by(Receivable.currency, Receivable.status, Receivable.last_step)).all()
    columns: dict[tuple[str, int], dict] = {}
    for currency, status, step, count, amount, in_month, *ages in rows:
        board = of(currency)
        if status == "written_off":
            board.written_off_minor += int(amount)
            board.written_off_month_minor += int(in_month)
            continue
        board.outstanding_minor += int(amount)
        board.ages = [a + int(b) for a, b in zip(board.ages, ages, strict=True)]
        column = columns.setdefault((currency, step), {})
        column[f"{status}_count"], column[f"{status}_minor"] = int(count), int(amount)
    return columns


def _steps_of(columns: dict, currency: str) -> list[int]:
    """Every ladder step, plus any step beyond the default ladder that holds money."""
    return sorted(set(STEPS) | {s for c, s in columns if c == currency})


def _within(today: date, low: int | None, high: int | None):  # noqa: ANN202
    """Between `low` and `high` days past due as of `today`, as bounds on the due date (no
    date arithmetic in SQL: PostgreSQL and SQLite spell it differently)."""
    due = Receivable.due_date
    if low is None:
        return due >= today - timedelta(days=high)
    if high is None:
        return due <= today - timedelta(days=low)
    return due.between(today - timedelta(days=high), today - timedelta(days=low))


def _invoiced(provider_id: int, today: date) -> list[tuple[str, int]]:
    """Invoices (not credit notes) issued over the last DSO_DAYS days, today included."""
    since = today - timedelta(days=DSO_DAYS - 1)
    rows = db.session.execute(
        select(Invoice.currency, func.sum(Invoice.ttc_minor))
        .where(Invoice.provider_id == provider_id, Invoice.kind == INVOICE,
               Invoice.issue_date.between(since, today))
        .group_by(Invoice.currency)).all()
    return [(currency, int(amount)) for currency, amount in rows if amount]


