"""Pure rules of paid messages: the reply window, the deadline, which reminder is due."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skod.messages import policy

W = policy.Windows()  # 7 days of validity, 12 h margin, 1 h for the release job
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(("hours", "ok"), [
    (1, True), (72, True), (155, True),  # 168 - 12 - 1
    (156, False), (168, False), (0, False), (-3, False),
])
def test_window_fits_inside_the_hold(hours, ok):
    assert (policy.window_error(W, hours) is None) is ok


def test_longest_window_follows_the_settings():
    w = policy.Windows(customer_hold_validity=timedelta(days=5), safety_margin=timedelta(hours=6))
    assert policy.max_window_hours(w) == 5 * 24 - 6 - 1


@pytest.mark.parametrize(("window", "capture_before", "expected"), [
    (72, None, T0 + 72 * H),
    (72, T0 + 7 * 24 * H, T0 + 72 * H),  # the hold outlives the window
    (72, T0 + 60 * H, T0 + 47 * H),  # Stripe says the hold lapses sooner: answer before that
])
def test_reply_deadline(window, capture_before, expected):
    assert policy.reply_deadline(W, T0, window, capture_before) == expected


DEADLINE = T0 + 72 * H


@pytest.mark.parametrize(("now", "hours", "held_at", "expected"), [
    (DEADLINE - 30 * H, [24, 2], T0, None),  # too early
    (DEADLINE - 24 * H, [24, 2], T0, 24),
    (DEADLINE - 3 * H, [24, 2], T0, 24),
    (DEADLINE - 2 * H, [24, 2], T0, 2),
    (DEADLINE - H, [2, 24], T0, 2),  # after a downtime: only the closest one
    (DEADLINE, [24, 2], T0, None),  # the deadline passed: the release job's turn
    (DEADLINE + H, [24, 2], T0, None),
    (DEADLINE - 5 * H, [24, 2], DEADLINE - 12 * H, None),  # the 24 h mark fell before the hold
    (DEADLINE - H, [24, 2], DEADLINE - 12 * H, 2),
    (DEADLINE - H, [], T0, None),
    (DEADLINE - H, [0, 24], T0, 24),  # a 0 h "reminder" is not one
])
def test_reminder_due(now, hours, held_at, expected):
    assert policy.reminder_due(now, held_at, DEADLINE, hours) == expected
