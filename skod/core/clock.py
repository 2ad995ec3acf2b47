"""The one source of the current time; services take `now` so tests and `--at` can move it."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def utcnow() -> datetime:
    return datetime.now(UTC)


def local_date(moment: datetime, tz: str) -> date:
    """The day `moment` falls on in the time zone `tz`: a provider's dates are their days (from
    23:00 UTC it is already tomorrow in Paris), never UTC's."""
    return moment.astimezone(ZoneInfo(tz)).date()


def aware(dt: datetime) -> datetime:
    """Return `dt` as an aware UTC datetime; naive input is taken as UTC."""
    if dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


def parse_iso(value: str) -> datetime:
    """Parse ISO 8601 (with `Z` or an offset) into aware UTC."""
    return aware(datetime.fromisoformat(value.replace("Z", "+00:00")))


def iso(dt: datetime | None) -> str | None:
    if dt is None:
        return None
    return aware(dt).isoformat().replace("+00:00", "Z")
