"""projects.policy: deposit split, hold placement, renewal, approval deadline (table-driven)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from skod.projects import policy as pp

P = pp.ProjectPolicy()  # merchant 4 d 18 h, margin 12 h, lead 24 h, approval 72 h
NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
H = timedelta(hours=1)


@pytest.mark.parametrize(("amounts", "percent", "deposit", "credits"), [
    ([10000, 20000, 30000], 30, 18000, [0, 0, 18000]),
    ([10000, 20000, 5000], 30, 10500, [0, 5500, 5000]),  # the last is fully covered
    ([100, 100, 100], 100, 300, [100, 100, 100]),
    ([100, 200], 0, 0, [0, 0]),
    ([333], 50, 167, [167]),  # half up to the minor unit
    ([1], 1, 0, [0]),
])
def test_deposit_split(amounts, percent, deposit, credits):
    got_deposit, got_credits = pp.deposit_split(amounts, percent)
    assert (got_deposit, got_credits) == (deposit, credits)
    assert sum(got_credits) == got_deposit
    assert all(0 <= c <= a for c, a in zip(got_credits, amounts, strict=True))


def test_due_at_is_the_end_of_the_day_in_the_providers_zone():
    assert pp.due_at(date(2026, 3, 5), "Europe/Paris") == datetime(2026, 3, 5, 23, 0,
                                                                   tzinfo=UTC)


@pytest.mark.parametrize(("due_in", "placed_in"), [
    (timedelta(hours=1), timedelta(0)),            # due soon: hold at start
    (timedelta(hours=102), timedelta(0)),          # exactly validity - margin: still now
    (timedelta(hours=103), timedelta(hours=79)),   # beyond: HOLD_LEAD before the due date
    (timedelta(days=21), timedelta(days=21) - 24 * H),
    (-H, timedelta(0)),                            # already late: now
])
def test_hold_at(due_in, placed_in):
    assert pp.hold_at(P, NOW, NOW + due_in) == NOW + placed_in


@pytest.mark.parametrize(("capture_before_in", "renew"), [
    (None, False),                    # no hold, nothing to renew
    (timedelta(hours=13), False),
    (timedelta(hours=12), True),      # capture_before - margin reached
    (timedelta(hours=1), True),
    (-H, True),
])
def test_must_renew(capture_before_in, renew):
    cb = NOW + capture_before_in if capture_before_in is not None else None
    assert pp.must_renew(P, NOW, cb) is renew


@pytest.mark.parametrize(("capture_before_in", "deadline_in"), [
    (None, timedelta(hours=72)),                     # no hold: the full window
    (timedelta(hours=114), timedelta(hours=72)),     # fresh hold: the window fits
    (timedelta(hours=60), timedelta(hours=48)),      # old hold: before it lapses (margin)
    (timedelta(hours=6), timedelta(0)),              # hold about to lapse: at once
])
def test_approval_deadline_stays_inside_the_hold(capture_before_in, deadline_in):
    cb = NOW + capture_before_in if capture_before_in is not None else None
    assert pp.approval_deadline(P, NOW, cb) == NOW + deadline_in


@pytest.mark.parametrize(("credit", "rooms", "takes", "left"), [
    (18000, [10000, 20000], [0, 18000], 0),        # the last open milestone takes it all
    (18000, [10000, 5000], [10000, 5000], 3000),   # more than they can take: 3000 refunded
    (0, [10000], [0], 0),
    (5000, [], [], 5000),                          # nothing left to charge: all refunded
    (700, [500, 0, 300], [400, 0, 300], 0),        # last first, a full one is skipped
    (100, [-5, 50], [0, 50], 50),                  # a negative room takes nothing
])
def test_reassign_credit(credit, rooms, takes, left):
    assert pp.reassign_credit(credit, rooms) == (takes, left)
    assert sum(takes) + left == credit
