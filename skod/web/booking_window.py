"""What the booking page shows (pure, no I/O): which days (the next two weeks, or one month
chosen with the month navigation), which day is open, and the visitor's zone in words
("heure de Paris (CET)", "Paris time (CEST)") rather than a tz database id."""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache

from babel.core import Locale, UnknownLocaleError, get_global
from babel.dates import get_timezone_location
from flask_babel import gettext as _
from flask_babel import pgettext

from skod.core import formats

#: the default view: the next two weeks
DEFAULT_DAYS = 14
#: how far the month navigation goes (months after the current one)
HORIZON_MONTHS = 6
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
#: French elides "de" before these (heure d'Amsterdam)
_VOWELS = "AEIOUYÀÂÄÉÈÊËÎÏÔÖÛÜ"


@dataclass(frozen=True)
class Window:
    first: date
    last: date
    #: "2027-01": the month before / after the one shown (None: none to go to)
    previous: str | None
    next: str | None


def _key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + month - 1 + by
    return index // 12, index % 12 + 1


def parse_month(value: str | None) -> tuple[int, int] | None:
    """(year, month) of "2027-01"; None when missing or not a month."""
    found = _MONTH.match(value or "")
    if not found or not 1 <= int(found.group(2)) <= 12:
        return None
    return int(found.group(1)), int(found.group(2))


def window(today: date, month: str | None) -> Window:
    """The days shown: the asked month (from today when it is the current one), or the next
    two weeks when no month (or one outside today..HORIZON_MONTHS) is asked."""
    now_month = (today.year, today.month)
    asked = parse_month(month)
    if asked is None or not now_month <= asked <= _shift(*now_month, HORIZON_MONTHS):
        first, last = today, today + timedelta(days=DEFAULT_DAYS - 1)
    else:
        first = max(today, date(asked[0], asked[1], 1))
        last = date(asked[0], asked[1], calendar.monthrange(*asked)[1])
    before = _shift(first.year, first.month, -1)
    after = _shift(last.year, last.month, 1)
    return Window(first, last,
                  previous=_key(*before) if before >= now_month else None,
                  next=_key(*after) if after <= _shift(*now_month, HORIZON_MONTHS) else None)


def open_day(days: list[dict], asked: str | None) -> str | None:
    """The day whose times are shown open: the asked one when it has free times, else the
    first day with some."""
    dates = [d["date"] for d in days]
    if asked in dates:
        return asked
    return dates[0] if dates else None


def zone_words(tz: str, at: datetime, locale: str) -> str:
    """"heure de Paris (CET)" / "Paris time (CEST)": the zone's city and its short name at
    `at` (summer or winter time)."""
    try:
        city = get_timezone_location(tz, locale=locale, return_city=True)
    except (LookupError, UnknownLocaleError):
        city = tz.rsplit("/", 1)[-1].replace("_", " ")
    abbr = formats.zone_name(at, tz)
    if locale.startswith("fr") and city[:1].upper() in _VOWELS:
        return pgettext("a city whose name starts with a vowel", "%(city)s time (%(abbr)s)",
                        city=city, abbr=abbr)
    return _("%(city)s time (%(abbr)s)", city=city, abbr=abbr)


@lru_cache(maxsize=8)
def zone_choices(zones: tuple[str, ...], locale: str) -> list[tuple[str, str]]:
    """The zone switcher's (value, label) pairs: "Paris — France", "New York — États-Unis"
    rather than tz database ids, in the order of the labels (kept: the same for every page)."""
    territories = get_global("zone_territories")
    names = Locale.parse(locale).territories
    out = []
    for zone in zones:
        city = get_timezone_location(zone, locale=locale, return_city=True)
        country = names.get(territories.get(zone, ""), "")
        out.append((zone, f"{city} — {country}" if country and country != city else city))
    return sorted(out, key=lambda pair: pair[1].casefold())
