"""One clock for the tests: the instant a test started, and the Paris day and year of it.

The app runs on the real clock (requests call `skod.core.clock.utcnow()`), so a test cannot freeze
time; it takes one instant (the `now` fixture in conftest.py) before it creates anything and
derives every date from it. Dates that the law ties to France (invoice series, issue days, a
project's expected days) are Paris dates, not UTC ones: around midnight and at New Year they
differ, and a test reading the UTC date then fails for one hour a day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

from skod.core.clock import utcnow

PARIS = ZoneInfo("Europe/Paris")
_current: datetime | None = None


def start_test() -> datetime:
    """Take the test's instant (aware UTC) once; the autouse `now` fixture calls this."""
    global _current
    _current = utcnow()
    return _current


def end_test() -> None:
    global _current
    _current = None


def current() -> datetime:
    """The running test's instant (what factories build slots from); the real clock outside a
    test, e.g. at import time, where no date should be taken anyway."""
    return _current or utcnow()


def paris_today(now: datetime) -> date:
    """The Paris day of `now` (what the app calls today for a provider in Europe/Paris)."""
    return now.astimezone(PARIS).date()


def paris_year(now: datetime) -> int:
    """The invoice series of documents issued at `now` by a provider in Europe/Paris."""
    return paris_today(now).year


def paris_day(now: datetime, days: int) -> date:
    """The Paris day `days` after the Paris day of `now`."""
    return paris_today(now) + timedelta(days=days)


def business_day(day: date) -> bool:
    """A French business day (no weekend, no public holiday): dunning writes only then."""
    return day.weekday() < 5 and day not in holidays.country_holidays("FR", years=day.year)


def working_hour(after: datetime, hour: int = 10, tz: ZoneInfo = PARIS) -> datetime:
    """The first `hour`:00 in `tz` on a French business day strictly after `after` (aware
    UTC): an instant when the dunning sweep may write, whatever day the test runs."""
    day = after.astimezone(tz).date()
    while True:
        at = datetime.combine(day, time(hour), tz)
        if at > after and business_day(day):
            return at.astimezone(UTC)
        day += timedelta(days=1)
