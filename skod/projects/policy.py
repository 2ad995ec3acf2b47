"""When a project's money moves: the deposit split, when a milestone's hold is placed and
renewed, the approval deadline. Pure: takes `now`, touches no I/O (DESIGN.md "Project with
milestones").

The deposit is credited from the LAST milestone backwards: the deposit pays for the end of the
work, where a client walking away hurts the provider most, while the first milestones are still
secured by a hold each. A milestone fully covered by its credit needs no hold and no charge.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class ProjectPolicy:
    merchant_hold_validity: timedelta = timedelta(days=4, hours=18)
    safety_margin: timedelta = timedelta(hours=12)
    hold_lead: timedelta = timedelta(hours=24)
    approval_window: timedelta = timedelta(hours=72)

    @classmethod
    def from_config(cls, cfg: dict) -> ProjectPolicy:
        return cls(merchant_hold_validity=cfg["MERCHANT_HOLD_VALIDITY"],
                   safety_margin=cfg["HOLD_SAFETY_MARGIN"], hold_lead=cfg["HOLD_LEAD"],
                   approval_window=cfg["APPROVAL_WINDOW"])


def deposit_amount(total_minor: int, percent: int) -> int:
    """percent % of the total, rounded half up to the minor unit."""
    return (total_minor * percent + 50) // 100


def deposit_split(amounts: list[int], percent: int) -> tuple[int, list[int]]:
    """(deposit, credit of each milestone), the credits taken from the last milestone backwards.

    The credits add up to the deposit exactly and never exceed a milestone's amount.
    """
    deposit = deposit_amount(sum(amounts), percent)
    credits = [0] * len(amounts)
    left = deposit
    for i in range(len(amounts) - 1, -1, -1):
        credits[i] = min(amounts[i], left)
        left -= credits[i]
    return deposit, credits


def reassign_credit(credit: int, rooms: list[int]) -> tuple[list[int], int]:
    """A cancelled milestone's share of a deposit already charged, moved onto the milestones
    still to pay (`rooms`: what each can still take, in milestone order), the last first as
    at the split; returns (what each takes, what none could take: refunded to the client)."""
    takes = [0] * len(rooms)
    left = credit
    for i in range(len(rooms) - 1, -1, -1):
        takes[i] = min(max(rooms[i], 0), left)
        left -= takes[i]
    return takes, left


def due_at(expected_on: date, tz: str) -> datetime:
    """The end of the expected day in the provider's time zone (the delivery deadline)."""
    return datetime.combine(expected_on + timedelta(days=1), time.min, ZoneInfo(tz))


def hold_at(p: ProjectPolicy, now: datetime, due: datetime) -> datetime:
    """When a started milestone's off-session hold is placed: now when its due date (plus the
    safety margin) fits in a merchant-initiated hold, else HOLD_LEAD before the due date."""
    if due <= now + p.merchant_hold_validity - p.safety_margin:
        return now
    return max(now, due - p.hold_lead)


def renew_at(p: ProjectPolicy, capture_before: datetime) -> datetime:
    """A hold still open on a milestone is renewed (cancel + new hold) from this instant."""
    return capture_before - p.safety_margin


def must_renew(p: ProjectPolicy, now: datetime, capture_before: datetime | None) -> bool:
    return capture_before is not None and now >= renew_at(p, capture_before)


def approval_deadline(p: ProjectPolicy, completed_at: datetime,
                      capture_before: datetime | None) -> datetime:
    """Silence means approval at APPROVAL_WINDOW after delivery, and always before the hold
    lapses (capture_before minus the margin), so the auto-approval can still capture."""
    deadline = completed_at + p.approval_window
    if capture_before is not None:
        deadline = min(deadline, renew_at(p, capture_before))
    return max(completed_at, deadline)
