"""Free slots: weekly hours (local wall time) minus busy intervals and buffers. Pure, no I/O.

Wall-clock hours are turned into UTC one day at a time with zoneinfo, so a 09:00 opening stays
09:00 local on both sides of a daylight-saving change; a local time that does not exist (spring
forward gap) is skipped and an ambiguous one (fall back) takes its first occurrence.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime


def parse_hhmm(value: str) -> time:
    hours, minutes = value.split(":")
    h, m = int(hours), int(minutes)
    if h == 24 and m == 0:
        return time.max
    return time(h, m)


def _local_to_utc(day: date, t: time, tz: ZoneInfo) -> datetime | None:
    """UTC instant of wall time `t` on `day`, or None if that wall time does not exist."""
    if t == time.max:
        day, t = day + timedelta(days=1), time(0, 0)
    local = datetime.combine(day, t, tzinfo=tz)
    back = local.astimezone(UTC).astimezone(tz)
    if back.replace(tzinfo=None) != local.replace(tzinfo=None):
        return None
    return local.astimezone(UTC)


def opening_windows(weekly: dict, tz_name: str, first: date, last: date) -> Iterator[Slot]:
    """Each opening window between `first` and `last` (local dates, inclusive), in UTC."""
    tz = ZoneInfo(tz_name)
    day = first
    while day <= last:
        for start_s, end_s in weekly.get(DAYS[day.weekday()], []):
            start = _local_to_utc(day, parse_hhmm(start_s), tz)
            end = _local_to_utc(day, parse_hhmm(end_s), tz)
            if start and end and end > start:
                yield Slot(start, end)
        day += timedelta(days=1)


def free_slots(
    *,
    weekly: dict,
    tz_name: str,
    first: date,
    last: date,
    duration: timedelta,
    buffer: timedelta,
    busy: Iterable[Slot],
    not_before: datetime,
    step: timedelta | None = None,
) -> list[Slot]:
    """Slots of `duration` inside the windows that keep `buffer` clear of every busy interval."""
    step = step or duration
    blocked = [Slot(b.start - buffer, b.end + buffer) for b in busy]
    out: list[Slot] = []
    for window in opening_windows(weekly, tz_name, first, last):
        start = window.start
        while start + duration <= window.end:
            slot = Slot(start, start + duration)
            if slot.start >= not_before and not _overlaps(slot, blocked):
                out.append(slot)
            start += step
    return out


def _overlaps(slot: Slot, blocked: list[Slot]) -> bool:
    return any(b.start < slot.end and slot.start < b.end for b in blocked)
