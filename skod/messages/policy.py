"""When a paid question must be answered and when its provider is reminded. Pure: takes `now`
and the durations, touches no I/O (DESIGN.md section 1 "Paid message").

The reply window always ends inside the on-session hold's validity, with the safety margin and
room for the job that releases unanswered questions (it runs on a schedule, it may be late).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

#: how late the release job may run after a deadline (a tick missed, a worker restarting)
RELEASE_JOB_MARGIN = timedelta(hours=1)


@dataclass(frozen=True)
class Windows:
    customer_hold_validity: timedelta = timedelta(days=7)
    safety_margin: timedelta = timedelta(hours=12)
    job_margin: timedelta = RELEASE_JOB_MARGIN

    @classmethod
    def from_config(cls, cfg: dict) -> Windows:
        return cls(customer_hold_validity=cfg["CUSTOMER_HOLD_VALIDITY"],
                   safety_margin=cfg["HOLD_SAFETY_MARGIN"])

    @property
    def longest_window(self) -> timedelta:
        return self.customer_hold_validity - self.safety_margin - self.job_margin


def max_window_hours(w: Windows) -> int:
    """The longest reply window an offer may promise, in whole hours."""
    return int(w.longest_window.total_seconds() // 3600)


def window_error(w: Windows, hours: int) -> str | None:
    """Why a reply window of `hours` is refused, or None when it is fine."""
    if hours < 1:
        return "at least 1 hour"
    if hours > max_window_hours(w):
        return f"at most {max_window_hours(w)} hours (the hold on the card would lapse)"
    return None


def reply_deadline(w: Windows, held_at: datetime, window_hours: int,
                   capture_before: datetime | None = None) -> datetime:
    """held_at + the window; earlier if Stripe says the hold lapses sooner than we planned."""
    deadline = held_at + timedelta(hours=window_hours)
    if capture_before is not None:
        deadline = min(deadline, capture_before - w.safety_margin - w.job_margin)
    return deadline


def reminder_due(now: datetime, held_at: datetime, deadline: datetime,
                 hours: Iterable[int]) -> int | None:
    """The reminder (hours before the deadline) to send now, or None.

    Only the closest one to the deadline among those whose time has come: after a downtime
    the provider gets one reminder, not a burst. A reminder whose time fell before the hold
    (a window shorter than the reminder) is never due: the provider was just told of the
    question. Whether it was already sent is the caller's unique guard.
    """
    if now >= deadline:
        return None
    come = [h for h in hours if h > 0 and deadline - timedelta(hours=h) <= now
            and deadline - timedelta(hours=h) > held_at]
    return min(come) if come else None
