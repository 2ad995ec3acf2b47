"""When a call's card is held, captured or released, and for how much. Pure: takes `now`, no I/O.

Answers DESIGN.md section 1 "Paid call" with the durations of `Policy` (built from the config).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

HoldMode = Literal["hold", "save_card"]


@dataclass(frozen=True)
class Policy:
    customer_hold_validity: timedelta = timedelta(days=7)
    merchant_hold_validity: timedelta = timedelta(days=4, hours=18)
    safety_margin: timedelta = timedelta(hours=12)
    hold_lead: timedelta = timedelta(hours=24)
    auth_deadline: timedelta = timedelta(hours=2)
    auto_capture_grace: timedelta = timedelta(hours=2)
    free_cancel: timedelta = timedelta(hours=24)

    @classmethod
    def from_config(cls, cfg: dict) -> Policy:
        return cls(
            customer_hold_validity=cfg["CUSTOMER_HOLD_VALIDITY"],
            merchant_hold_validity=cfg["MERCHANT_HOLD_VALIDITY"],
            safety_margin=cfg["HOLD_SAFETY_MARGIN"],
            hold_lead=cfg["HOLD_LEAD"],
            auth_deadline=cfg["AUTH_DEADLINE"],
            auto_capture_grace=cfg["AUTO_CAPTURE_GRACE"],
            free_cancel=cfg["FREE_CANCEL_HOURS"],
        )


def hold_mode(p: Policy, now: datetime, end_at: datetime) -> HoldMode:
    """Hold now when the auto-capture deadline still falls inside a fresh on-session hold."""
    latest_capture = end_at + p.auto_capture_grace
    if latest_capture <= now + p.customer_hold_validity - p.safety_margin:
        return "hold"
    return "save_card"


def hold_due_at(p: Policy, start_at: datetime) -> datetime:
    """When the off-session hold of a far call is placed."""
    return start_at - p.hold_lead


def auth_deadline_at(p: Policy, start_at: datetime) -> datetime:
    """A call not held by then is cancelled: no call starts unpaid."""
    return start_at - p.auth_deadline


def default_capture_before(p: Policy, placed_at: datetime, off_session: bool) -> datetime:
    """Conservative hold expiry when Stripe does not tell us the charge's capture_before."""
    validity = p.merchant_hold_validity if off_session else p.customer_hold_validity
    return placed_at + validity


def auto_capture_at(p: Policy, end_at: datetime, capture_before: datetime | None) -> datetime:
    """When a call nobody ended is captured: after the grace, and always before the hold lapses."""
    due = end_at + p.auto_capture_grace
    if capture_before is not None:
        due = min(due, capture_before - p.safety_margin)
    return due


def billable_minutes(seconds: int) -> int:
    """Started minutes count: 16 min 01 s is 17 minutes."""
    return max(0, -(-seconds // 60))


def call_amount(pricing: str, price_minor: int, minimum_minutes: int, minutes: int) -> int:
    """Flat: the price. Per minute: max(minimum, minutes) x rate."""
    if pricing == "flat":
        return price_minor
    return max(minimum_minutes, minutes) * price_minor


def hold_ceiling(pricing: str, price_minor: int, minimum_minutes: int, duration: int) -> int:
    """What the hold covers: the flat price, or the rate for the scheduled minutes."""
    return call_amount(pricing, price_minor, minimum_minutes, duration)


def split_capture(amount_due: int, held: int) -> tuple[int, int]:
    """(amount to capture from the hold, overrun to charge as a second payment)."""
    if amount_due <= held:
        return amount_due, 0
    return held, amount_due - held


CancelOutcome = Literal["release", "fee"]


def cancellation(
    p: Policy, now: datetime, start_at: datetime, by: str, fee_percent: int
) -> CancelOutcome:
    """Provider cancels or client cancels early enough: release; else the late-cancel fee."""
    if by == "provider" or fee_percent <= 0:
        return "release"
    if now <= start_at - p.free_cancel:
        return "release"
    return "fee"


def late_cancel_fee(pricing: str, price_minor: int, minimum_minutes: int, duration: int,
                    fee_percent: int) -> int:
    """fee_percent % of the scheduled price (per minute: rate x scheduled minutes)."""
    scheduled = hold_ceiling(pricing, price_minor, minimum_minutes, duration)
    return fee_amount(scheduled, fee_percent)


def fee_amount(price_minor: int, fee_percent: int) -> int:
    """fee_percent % of the price, rounded half up to the minor unit."""
    return (price_minor * fee_percent + 50) // 100
