"""Dates in e-mails: one way to write a moment in the reader's time zone and language."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime


def when(dt: datetime | None, tz: str, locale: str) -> str:
    """e.g. "3 juin 2025, 14:05 (Europe/Paris)"; "-" when there is no moment."""
    if dt is None:
        return "-"
    return f"{format_datetime(dt.astimezone(ZoneInfo(tz)), 'd MMMM y, HH:mm', locale=locale)}" \
        f" ({tz})"
