"""How money, days, times and durations are written for a reader, in one place: pages (through
the template filters of `skod.web.blueprint`), e-mails and PDFs all call these.

Rules: never an ISO date or seconds; a moment is written in the reader's time zone with the
zone's short name (CET, EST), so an e-mail and a page say the same thing; the clock follows the
language (16:30 in French, 4:30 PM in English, as a visitor from New York expects); plurals
come from the catalogue (ngettext). Babel does the locale work.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_time, get_datetime_format
from flask_babel import ngettext

from skod.core.money import Money

DAY_STYLES = ("short", "medium", "long", "full")


def money(amount_minor: int, currency: str, locale: str) -> str:
    """"1 234,56 €" / "€1,234.56"."""
    return Money(amount_minor, currency).format(locale)


_FIRST = re.compile(r"(^|\s)1(?=\s)")


def first_of_month(text: str, value: date, locale: str) -> str:
    """French writes the first of the month "1er" ("lundi 1er mars 2027"), every other day as
    a number; a day in figures only (01/03/2027) stays as it is."""
    if value.day != 1 or not str(locale).startswith("fr"):
        return text
    return _FIRST.sub(r"\g<1>1er", text, count=1)


def day(value: date, locale: str, style: str = "long") -> str:
    """A calendar day: "25 novembre 2026" (long), "25 nov. 2026" (medium), or any Babel
    pattern ("EEEE d MMMM" for "mercredi 25 novembre"); "1er mars" in French."""
    return first_of_month(format_date(value, style, locale=locale), value, locale)


def local(dt: datetime, tz: str) -> datetime:
    return dt.astimezone(ZoneInfo(tz))


def local_day(dt: datetime, tz: str, locale: str, style: str = "long") -> str:
    """The day `dt` falls on in `tz` (an instant shown as a day)."""
    return day(local(dt, tz).date(), locale, style)


def zone_name(dt: datetime, tz: str) -> str:
    """The zone's short name at that instant: CET / CEST / EST; "UTC+9" where the tz database
    has only an offset (Babel's short names are offsets like "+0100" in French)."""
    name = local(dt, tz).tzname() or "UTC"
    if name[0] in "+-":
        hours, minutes = name[1:3].lstrip("0") or "0", name[3:5]
        name = f"UTC{name[0]}{hours}{':' + minutes if minutes and minutes != '00' else ''}"
    return name


def clock(dt: datetime, tz: str, locale: str) -> str:
    """The time of day in `tz`, hours and minutes in the language's clock: "16:30" / "4:30 PM"."""
    return format_time(local(dt, tz), "short", locale=locale)


def moment(dt: datetime | None, tz: str, locale: str, weekday: bool = True) -> str:
    """A full instant: "mercredi 25 novembre 2026 à 16:30 (CET)" / "Wednesday, November 25,
    2026 at 4:30 PM (CET)"; "-" when there is none."""
    if dt is None:
        return "-"
    when = local(dt, tz)
    the_day = day(when.date(), locale, "full" if weekday else "long")
    joined = get_datetime_format("long", locale=locale).replace("'", "")
    return f"{joined.format(clock(dt, tz, locale), the_day)} ({zone_name(dt, tz)})"


def minutes(count: int) -> str:
    """"1 minute" / "20 minutes" (the catalogue's plural rules: French says "0 minute")."""
    return ngettext("%(num)s minute", "%(num)s minutes", count)
