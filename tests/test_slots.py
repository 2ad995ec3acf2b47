"""Free slots from weekly hours, across daylight-saving changes (pure)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from skod.catalog.slots import Slot, free_slots

WEEKLY = {d: [["09:00", "11:00"]] for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
HOUR = timedelta(hours=1)
EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


def _slots(first, last, busy=(), buffer=timedelta(0), weekly=WEEKLY, tz="Europe/Paris"):
    return free_slots(weekly=weekly, tz_name=tz, first=first, last=last, duration=HOUR,
                      buffer=buffer, busy=list(busy), not_before=EPOCH)


def test_local_hours_hold_across_spring_forward():
    # Paris moves from UTC+1 to UTC+2 on 2026-03-29.
    slots = _slots(date(2026, 3, 28), date(2026, 3, 29))
    starts = [s.start for s in slots]
    assert starts == [
        datetime(2026, 3, 28, 8, 0, tzinfo=UTC), datetime(2026, 3, 28, 9, 0, tzinfo=UTC),
        datetime(2026, 3, 29, 7, 0, tzinfo=UTC), datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
    ]


def test_local_hours_hold_across_fall_back():
    # Paris moves from UTC+2 to UTC+1 on 2026-10-25.
    starts = [s.start for s in _slots(date(2026, 10, 24), date(2026, 10, 25))]
    assert starts[0] == datetime(2026, 10, 24, 7, 0, tzinfo=UTC)
    assert starts[2] == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)


def test_nonexistent_local_time_is_skipped():
    weekly = {"sun": [["02:30", "04:00"]]}  # 02:30 does not exist on 2026-03-29 in Paris
    assert _slots(date(2026, 3, 29), date(2026, 3, 29), weekly=weekly) == []


def test_bookings_and_buffer_remove_slots():
    day = date(2026, 6, 1)  # a Monday, Paris is UTC+2
    busy = [Slot(datetime(2026, 6, 1, 7, 0, tzinfo=UTC), datetime(2026, 6, 1, 7, 30, tzinfo=UTC))]
    assert [s.start.hour for s in _slots(day, day, busy)] == [8]
    # a buffer longer than the 30 free minutes after the booking blocks the 08:00 UTC slot
    assert _slots(day, day, busy, buffer=timedelta(minutes=31)) == []


def test_past_slots_are_not_offered():
    day = date(2026, 6, 1)
    slots = free_slots(weekly=WEEKLY, tz_name="Europe/Paris", first=day, last=day,
                       duration=HOUR, buffer=timedelta(0), busy=[],
                       not_before=datetime(2026, 6, 1, 7, 30, tzinfo=UTC))
    assert [s.start.hour for s in slots] == [8]


def test_midnight_end_of_day():
    weekly = {"mon": [["22:00", "24:00"]]}
    slots = _slots(date(2026, 6, 1), date(2026, 6, 1), weekly=weekly)
    assert [s.end for s in slots][-1] == datetime(2026, 6, 1, 22, 0, tzinfo=UTC)
