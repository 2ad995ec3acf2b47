"""The ladder's pure rules, table-driven: which step comes next and when (offsets from the due
date, never a skipped step, the minimum gap, pauses, French business days and hours in the
client's time zone), the retry plan, and what a provider may change."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from skod.dunning.rules import ladder as L

PARIS = ZoneInfo("Europe/Paris")
GAP = timedelta(days=5)


def paris(y: int, m: int, d: int, h: int = 10, minute: int = 0) -> datetime:
    return datetime(y, m, d, h, minute, tzinfo=PARIS).astimezone(UTC)


def case(last: int = -1, last_at: datetime | None = None, due: date = date(2026, 4, 8),
         opened: datetime | None = None, paused: datetime | None = None,
         status: str = "open", tz: str = "Europe/Paris") -> L.CaseState:
    return L.CaseState(status=status, opened_at=opened or paris(2026, 4, 8, 11),
                       due_date=due, timezone=tz, last_step=last, last_step_at=last_at,
                       paused_until=paused)


@pytest.mark.parametrize(("moment", "expected"), [
    # a Wednesday at 11:00: now
    (paris(2026, 4, 8, 11), paris(2026, 4, 8, 11)),
    # 07:30 waits for 09:00 the same day; 18:00 sharp is closed: next morning
    (paris(2026, 4, 8, 7, 30), paris(2026, 4, 8, 9)),
    (paris(2026, 4, 8, 18), paris(2026, 4, 9, 9)),
    # Saturday and Sunday -> Monday 09:00
    (paris(2026, 4, 11, 12), paris(2026, 4, 13, 9)),
    (paris(2026, 4, 12, 23), paris(2026, 4, 13, 9)),
    # 1 May 2026 is a Friday (public holiday) -> Monday 4 May
    (paris(2026, 5, 1, 10), paris(2026, 5, 4, 9)),
    # Ascension (14 May 2026) and Whit Monday (25 May 2026)
    (paris(2026, 5, 14, 10), paris(2026, 5, 15, 9)),
    (paris(2026, 5, 23, 10), paris(2026, 5, 26, 9)),
    # Christmas Friday 25 December 2026 -> Monday 28
    (paris(2026, 12, 24, 19), paris(2026, 12, 28, 9)),
])
def test_send_window_is_business_days_and_hours_in_paris(moment, expected):
    assert L.send_window(moment, "Europe/Paris") == expected


def test_send_window_follows_the_clients_time_zone():
    # 15:00 UTC is 10:00 in New York (working hours there) but 17:00 in Paris
    moment = datetime(2026, 4, 8, 15, 0, tzinfo=UTC)
    assert L.send_window(moment, "America/New_York") == moment
    # 23:00 UTC: 19:00 in New York -> next day 09:00 New York time
    late = datetime(2026, 4, 8, 23, 0, tzinfo=UTC)
    assert L.send_window(late, "America/New_York") == datetime(
        2026, 4, 9, 9, tzinfo=ZoneInfo("America/New_York")).astimezone(UTC)


NOW = paris(2026, 4, 8, 11)


@pytest.mark.parametrize(("state", "now", "expected"), [
    # nothing sent yet: step 0 at once (in working hours)
    (case(), NOW, (0, NOW)),
    (case(), paris(2026, 4, 8, 22), (0, paris(2026, 4, 9, 9))),
    # after step 0: step 1 on the morning of due + 7 (Wednesday 15 April)
    (case(0, NOW), NOW + timedelta(minutes=1), (1, paris(2026, 4, 15, 9))),
    # after step 1: step 2 on due + 15 = Thursday 23 April
    (case(1, paris(2026, 4, 15, 9)), paris(2026, 4, 15, 10), (2, paris(2026, 4, 23, 9))),
    # step 1 sent late (downtime): step 2 no sooner than 5 days after it
    (case(1, paris(2026, 4, 21, 9)), paris(2026, 4, 21, 10), (2, paris(2026, 4, 27, 9))),
    # 20 days of downtime and nothing sent: the next step is step 0, now, never step 2
    (case(), paris(2026, 4, 28, 11), (0, paris(2026, 4, 28, 11))),
    # a promise until Monday 20 April 12:00 holds step 1 back until then
    (case(0, NOW, paused=paris(2026, 4, 20, 12)), NOW, (1, paris(2026, 4, 20, 12))),
    # step 3, the mise en demeure, on due + 30 = Friday 8 May, a public holiday: Monday 11
    (case(2, paris(2026, 4, 23, 9)), paris(2026, 4, 23, 10), (3, paris(2026, 5, 11, 9))),
    # step 4 on due + 45 = Saturday 23 May, then Whit Monday: Tuesday 26; then the end
    (case(3, paris(2026, 5, 11, 9)), paris(2026, 5, 11, 10), (4, paris(2026, 5, 26, 9))),
    (case(4, paris(2026, 5, 26, 9)), paris(2026, 6, 20, 10), None),
    # a mise en demeure held for the provider's approval: nothing after it meanwhile
    (replace(case(3, paris(2026, 5, 11, 9)), held=True), paris(2026, 6, 20, 10), None),
    # closed or paused: nothing
    (case(status="paid"), NOW, None),
    (case(status="paused"), NOW, None),
])
def test_next_step(state, now, expected):
    assert L.next_step(state, now, L.Ladder(min_gap=GAP)) == expected


def test_next_step_is_never_in_the_past_nor_outside_working_hours():
    """A case due long ago, looked at on a Sunday night, waits for Monday morning."""
    state = case(0, paris(2026, 3, 2, 10), due=date(2026, 3, 1))
    assert L.next_step(state, paris(2026, 4, 12, 23), L.Ladder(min_gap=GAP)) == (
        1, paris(2026, 4, 13, 9))


@pytest.mark.parametrize(("done", "expected"), [
    (0, timedelta(days=1)), (1, timedelta(days=3)), (2, timedelta(days=5)), (3, None)])
def test_retries_at_one_three_and_five_days(done, expected):
    opened = paris(2026, 4, 8, 11)
    got = L.next_retry(opened, done, L.Ladder())
    assert got == (opened + expected if expected else None)


@pytest.mark.parametrize(("overrides", "error"), [
    ({"steps": {"1": {"offset_days": 10}}}, None),
    ({"steps": {"2": {"offset_days": 20}}, "retry_days": [2, 4]}, None),
    # steps closer than the minimum gap, or out of order
    ({"steps": {"1": {"offset_days": 12}}}, "apart"),
    ({"steps": {"2": {"offset_days": 3}}}, "apart"),
    # step 0 is the failure itself; unknown steps; silly offsets
    ({"steps": {"0": {"offset_days": 3}}}, "cannot"),
    ({"steps": {"9": {"offset_days": 3}}}, "cannot"),
    ({"steps": {"1": {"offset_days": 0}}}, "1-365"),
    ({"steps": {"1": {"offset_days": "7"}}}, "1-365"),
    ({"retry_days": [5, 3]}, "retry_days"),
    ({"retry_days": [1, 2, 3, 4, 5, 6]}, "retry_days"),
    ({"retry_days": [0]}, "retry_days"),
    # the provider's own words: per language, short; step 0 takes words but no offset
    ({"steps": {"0": {"text": {"fr": "Merci\u202f!", "en": "Thanks!"}}}}, None),
    ({"steps": {"0": {"offset_days": 2}}}, "cannot"),
    ({"steps": {"1": {"text": {"de": "Danke"}}}}, "text"),
    ({"steps": {"1": {"text": {"fr": "x" * 1001}}}}, "text"),
    ({"steps": {"1": {"text": "Merci"}}}, "text"),
])
def test_provider_overrides(overrides, error):
    if error is None:
        ladder = L.settings_from(overrides, GAP)
        for key, change in overrides.get("steps", {}).items():
            if "offset_days" in change:
                assert ladder.step(int(key)).offset_days == change["offset_days"]
            for locale, words in change.get("text", {}).items():
                assert ladder.text(int(key), locale) == words
        if "retry_days" in overrides:
            assert ladder.retry_days == tuple(overrides["retry_days"])
    else:
        with pytest.raises(L.SettingsError, match=error):
            L.settings_from(overrides, GAP)


@pytest.mark.parametrize(("given", "expected"), [
    (None, (False, 8)),
    ({}, (False, 8)),
    ({"approval": True}, (True, 8)),
    ({"deadline_days": 15}, (False, 15)),
    ({"approval": False, "deadline_days": 8}, (False, 8)),
    ({"deadline_days": 7}, "8-15"),
    ({"deadline_days": 16}, "8-15"),
    ({"deadline_days": "10"}, "8-15"),
    ({"deadline_days": True}, "8-15"),
    ({"approval": "yes"}, "true or false"),
    ({"sign": True}, "approval and deadline_days only"),
    ([], "approval and deadline_days only"),
])
def test_formal_notice_settings(given, expected):
    overrides = {} if given is None else {"formal_notice": given}
    if isinstance(expected, str):
        with pytest.raises(L.SettingsError, match=expected):
            L.settings_from(overrides, GAP)
    else:
        ladder = L.settings_from(overrides, GAP)
        assert (ladder.notice_approval, ladder.notice_deadline_days) == expected


@pytest.mark.parametrize(("today", "days", "expected"), [
    (date(2026, 11, 26), 8, date(2026, 12, 4)),  # a Friday: kept
    (date(2026, 11, 27), 8, date(2026, 12, 7)),  # Saturday 5 -> Monday 7
    (date(2026, 12, 17), 8, date(2026, 12, 28)),  # Friday 25 (Christmas) -> Monday 28
    (date(2026, 4, 30), 8, date(2026, 5, 11)),  # Friday 8 May (holiday) -> Monday 11
    (date(2026, 11, 26), 15, date(2026, 12, 11)),
])
def test_deadline_counts_days_then_moves_to_a_business_day(today, days, expected):
    assert L.deadline_after(today, days) == expected


def test_a_provider_offset_moves_the_step():
    ladder = L.settings_from({"steps": {"1": {"offset_days": 10}}}, GAP)
    assert L.next_step(case(0, NOW), NOW, ladder) == (1, paris(2026, 4, 20, 9))
