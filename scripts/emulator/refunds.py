"""Refunds with Stripe's statuses and events.

A refund is created `succeeded`, except for a charge on Stripe's test card for pending refunds
(4000000000007726): `pending`. The card for refunds that fail later (4000000000005126) starts
`succeeded` like any other. The test controls move them on (controls.py): pending -> succeeded,
pending|succeeded -> failed, pending -> canceled. A failed or canceled refund no longer counts
in the charge's `amount_refunded` (shapes.py).

Events: `refund.created`; `charge.refunded` when a refund is created succeeded or succeeds
later; `refund.updated` and `charge.refund.updated` on each status change; `refund.failed`.
"""

from __future__ import annotations

from typing import Any

from localstripe.resources import Charge, PaymentIntent, PaymentMethod, Refund

from .events import StripeError, send
from .intents import accepted
from .shapes import amount_captured, amount_refunded

CARD_PENDING = "4000000000007726"
CARD_FAILS_LATER = "4000000000005126"
TRANSITIONS = {
    "succeeded": ("pending",),
    "failed": ("pending", "succeeded"),
    "canceled": ("pending",),
}
REASONS = ("duplicate", "fraudulent", "requested_by_customer")


def _charge_of(data: dict) -> Any:
    if data.get("payment_intent"):
        intent = PaymentIntent._api_retrieve(data["payment_intent"])
        if intent.latest_charge is None:
            raise StripeError(400, {"type": "invalid_request_error", "code": "charge_not_found",
                                    "message": "This PaymentIntent has no charge to refund."})
        return intent.latest_charge
    if data.get("charge"):
        return Charge._api_retrieve(data["charge"])
    raise StripeError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                            "param": "charge", "message": "Expected charge or payment_intent."})


def _check_amount(charge: Any, amount: Any) -> None:
    left = amount_captured(charge) - amount_refunded(charge)
    if left <= 0:
        code = "charge_already_refunded" if amount_captured(charge) else "charge_not_captured"
        raise StripeError(400, {"type": "invalid_request_error", "code": code,
                                "charge": charge.id,
                                "message": f"Charge {charge.id} has nothing left to refund."})
    if amount is not None and int(amount) > left:
        raise StripeError(400, {"type": "invalid_request_error", "code": "amount_too_large",
                                "param": "amount",
                                "message": f"Refund amount ({amount}) is greater than unrefunded "
                                           f"amount on charge ({left})."})


def _card_number(charge: Any) -> str | None:
    try:
        return PaymentMethod._api_retrieve(charge.payment_method)._card_number
    except Exception:  # not a card PaymentMethod: no special test behaviour
        return None


def create(cls, reason=None, **data):
    """POST /v1/refunds."""
    if reason is not None and reason not in REASONS:
        raise StripeError(400, {"type": "invalid_request_error", "param": "reason",
                                "code": "parameter_invalid_string",
                                "message": f"Invalid reason: {reason}"})
    charge = _charge_of(data)
    _check_amount(charge, data.get("amount"))
    if data.get("amount") is None:  # all that is left of what was captured, not authorized
        data["amount"] = amount_captured(charge) - amount_refunded(charge)
    refund = Refund(**accepted(Refund, data))
    refund._reason = reason
    refund.status = "pending" if _card_number(charge) == CARD_PENDING else "succeeded"
    send("refund.created", refund)
    if refund.status == "succeeded":
        send("charge.refunded", charge)
    return refund


def move(refund: Any, status: str, failure_reason: str | None = None) -> Any:
    """A refund changes status as the bank answers; the events Stripe sends for it."""
    current = getattr(refund, "status", "succeeded")
    if current not in TRANSITIONS[status]:
        raise StripeError(400, {"type": "invalid_request_error", "code": "refund_unexpected_state",
                                "message": f"Refund {refund.id} is {current}; it cannot become "
                                           f"{status}."})
    refund.status = status
    if status == "failed":
        refund._failure_reason = failure_reason or "lost_or_stolen_card"
    send("refund.updated", refund)
    send("charge.refund.updated", refund)
    if status == "failed":
        send("refund.failed", refund)
    if status == "succeeded":
        send("charge.refunded", Charge._api_retrieve(refund.charge))
    return refund


def wrap_list(original):
    def list_all(cls, url, payment_intent=None, **data):
        """An intent without a charge has no refunds (localstripe fails on it)."""
        if payment_intent is not None and PaymentIntent._api_retrieve(
                payment_intent).latest_charge is None:
            li = original(url, **data)
            li._list = []
            return li
        return original(url, payment_intent=payment_intent, **data)
    return list_all


def install() -> None:
    Refund._api_create = classmethod(create)
    Refund._api_list_all = classmethod(wrap_list(Refund._api_list_all))
