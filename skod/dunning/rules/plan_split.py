"""The pure rules of a payment plan: how many instalments, how a balance splits into them, and
their monthly days. No I/O: the services in plans.py call these."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from skod.core.errors import Invalid
from skod.payments.stripe_objects import minimum_charge

MIN_INSTALMENTS, MAX_INSTALMENTS = 2, 6
#: the first instalment falls due this long after the request: the provider has time to
#: answer, and the client knows the date before sending (never "at once, on acceptance")
FIRST_AFTER = timedelta(days=7)


def split(balance: int, n: int) -> list[int]:
    """`n` amounts adding up exactly to `balance`, the remainder of the division on the first."""
    base, rest = divmod(balance, n)
    return [base + rest] + [base] * (n - 1)


def monthly(first: datetime, n: int, tz: str) -> list[datetime]:
    """`first`, then the same day and hour of the next n-1 months in `tz` (the 31st falls on
    the month's last day), as UTC instants."""
    local = first.astimezone(ZoneInfo(tz))
    dates = []
    for k in range(n):
        years, month0 = divmod(local.month - 1 + k, 12)
        year, month = local.year + years, month0 + 1
        day = min(local.day, calendar.monthrange(year, month)[1])
        dates.append(local.replace(year=year, month=month, day=day).astimezone(UTC))
    return dates


def check_instalments(balance: int, n: int, currency: str) -> list[int]:
    """The amounts of an n-instalment plan, or Invalid when n is out of range or an
    instalment would fall below what a card may be charged."""
    if not MIN_INSTALMENTS <= n <= MAX_INSTALMENTS:
        raise Invalid("a plan has 2 to 6 instalments",
                      fields={"instalments": ["between 2 and 6"]})
    amounts = split(balance, n)
    if amounts[-1] < minimum_charge(currency):
        raise Invalid("the instalments would be too small",
                      fields={"instalments": ["each instalment must reach the minimum charge"]},
                      code="instalment_too_small")
    return amounts


def first_due(asked_at: datetime) -> datetime:
    """When the first instalment of a plan asked at `asked_at` falls due."""
    return asked_at + FIRST_AFTER


def schedule(balance: int, n: int, currency: str, first: datetime,
             tz: str) -> list[tuple[datetime, int]]:
    """The plan's (due instant, amount) pairs: the amounts add up to `balance` to the cent
    (Invalid as check_instalments), the dates monthly from `first` in `tz`."""
    return list(zip(monthly(first, n, tz), check_instalments(balance, n, currency),
                    strict=True))
