"""The month calendar beside the booking page's times (pure): which days of the months shown
have free times, laid out in weeks that start on the language's first day of the week."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from babel import Locale
from babel.dates import format_date, get_day_names


@dataclass(frozen=True)
class Cell:
    day: date | None  # None: a blank before the 1st or after the last day of the month
    free: int = 0  # free times that day (0: nothing to book)
    label: str = ""  # "mercredi 25 novembre, 4 horaires" for a screen reader


@dataclass(frozen=True)
class Month:
    title: str
    weekdays: tuple[str, ...]  # short names, in the order of the columns
    weeks: tuple[tuple[Cell, ...], ...]


def months(free: dict[date, str], counts: dict[date, int], first: date, last: date,
           locale: str) -> list[Month]:
    """Every month from `first` to `last`; `counts` is free times per day, `free` the label
    read for a day that has some."""
    start = Locale.parse(locale).first_week_day  # 0 = Monday
    names = get_day_names("abbreviated", locale=locale)
    weekdays = tuple(str(names[(start + i) % 7]) for i in range(7))
    out, year, month = [], first.year, first.month
    while (year, month) <= (last.year, last.month):
        weeks = calendar.Calendar(firstweekday=start).monthdatescalendar(year, month)
        out.append(Month(
            title=format_date(date(year, month, 1), "LLLL y", locale=locale),
            weekdays=weekdays,
            weeks=tuple(tuple(_cell(d, month, counts, free) for d in week) for week in weeks)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _cell(day: date, month: int, counts: dict[date, int], free: dict[date, str]) -> Cell:
    if day.month != month:
        return Cell(None)
    return Cell(day, counts.get(day, 0), free.get(day, ""))
