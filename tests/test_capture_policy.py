"""Table-driven tests of the pure capture policy (DESIGN.md "Paid call")."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from skod.payments import capture_policy as cp

P = cp.Policy()
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)
D = timedelta(days=1)


@pytest.mark.parametrize(
    ("end_in", "expected"),
    [
        (1 * H, "hold"),
        (2 * D, "hold"),
        # latest capture = end + 2 h must fall inside 7 d - 12 h margin
        (6 * D + 10 * H, "hold"),
        (6 * D + 10 * H + timedelta(minutes=1), "save_card"),
        (10 * D, "save_card"),
    ],
)
def test_hold_mode(end_in, expected):
    assert cp.hold_mode(P, NOW, NOW + end_in) == expected


@pytest.mark.parametrize(
    ("pricing", "price", "minimum", "minutes", "expected"),
    [
        ("flat", 9000, 0, 0, 9000),
        ("flat", 9000, 0, 45, 9000),
        ("per_minute", 250, 0, 17, 4250),
        ("per_minute", 250, 10, 3, 2500),  # minimum minutes apply
        ("per_minute", 250, 10, 0, 2500),
        ("per_minute", 100, 0, 25, 2500),
    ],
)
def test_call_amount(pricing, price, minimum, minutes, expected):
    assert cp.call_amount(pricing, price, minimum, minutes) == expected


@pytest.mark.parametrize(
    ("due", "held", "expected"),
    [(1700, 2000, (1700, 0)), (2000, 2000, (2000, 0)), (2500, 2000, (2000, 500)), (0, 10, (0, 0))],
)
def test_split_capture(due, held, expected):
    assert cp.split_capture(due, held) == expected


@pytest.mark.parametrize(
    ("seconds", "minutes"),
    [(0, 0), (1, 1), (60, 1), (61, 2), (16 * 60 + 1, 17), (17 * 60, 17)],
)
def test_billable_minutes_count_started_minutes(seconds, minutes):
    assert cp.billable_minutes(seconds) == minutes


@pytest.mark.parametrize(
    ("before_start", "by", "fee_percent", "expected"),
    [
        (48 * H, "client", 50, "release"),
        (24 * H, "client", 50, "release"),  # exactly at the free window's edge
        (23 * H, "client", 50, "fee"),
        (-1 * H, "client", 50, "fee"),  # after the start: no-show terms
        (1 * H, "client", 0, "release"),  # no fee configured
        (1 * H, "provider", 50, "release"),  # provider cancels: always release
    ],
)
def test_cancellation(before_start, by, fee_percent, expected):
    start = NOW + before_start
    assert cp.cancellation(P, NOW, start, by, fee_percent) == expected


@pytest.mark.parametrize(
    ("price", "pct", "fee"), [(9000, 50, 4500), (999, 50, 500), (999, 33, 330), (1, 50, 1)]
)
def test_fee_rounds_half_up_in_minor_units(price, pct, fee):
    assert cp.fee_amount(price, pct) == fee


def test_auto_capture_waits_for_grace_but_never_passes_the_hold():
    end = NOW + 2 * D
    assert cp.auto_capture_at(P, end, None) == end + 2 * H
    lapses_soon = end + 5 * H  # capture_before - margin (12 h) comes first
    assert cp.auto_capture_at(P, end, lapses_soon) == lapses_soon - 12 * H


@pytest.mark.parametrize(
    ("off_session", "validity"), [(False, 7 * D), (True, 4 * D + 18 * H)]
)
def test_default_capture_before(off_session, validity):
    assert cp.default_capture_before(P, NOW, off_session) == NOW + validity


def test_hold_lead_and_auth_deadline():
    start = NOW + 10 * D
    assert cp.hold_due_at(P, start) == start - 24 * H
    assert cp.auth_deadline_at(P, start) == start - 2 * H


@pytest.mark.parametrize(
    ("pricing", "price", "minimum", "duration", "pct", "fee"),
    [
        ("flat", 9000, 0, 30, 50, 4500),
        ("per_minute", 250, 0, 20, 30, 1500),  # 30 % of 20 min x 2.50
        ("per_minute", 250, 30, 20, 30, 2250),  # the minimum is what was scheduled
        ("per_minute", 250, 0, 20, 0, 0),
    ],
)
def test_late_cancel_fee_is_a_share_of_the_scheduled_price(pricing, price, minimum, duration,
                                                           pct, fee):
    assert cp.late_cancel_fee(pricing, price, minimum, duration, pct) == fee
