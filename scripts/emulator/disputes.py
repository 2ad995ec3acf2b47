"""Disputes: a `Dispute` object (`du_...`) as Stripe exposes it, opened by a test control.

`GET /v1/disputes/{id}` and `GET /v1/disputes` (filters `charge`, `payment_intent`). The statuses
of the pinned version (2026-10-28.endive: the SDK's Dispute.status): inquiries
`warning_needs_response` -> `warning_under_review` -> `warning_closed` (no funds move), or
`prevented` (resolved before a chargeback); chargebacks `needs_response` -> `under_review` ->
`won` / `lost`; a lost one may be appealed: `appeal_needs_response` -> `appeal_under_review` ->
`won` / `lost`, the funds staying withdrawn until the appeal is won.

A dispute is opened on a captured charge (`inquiry`: as an inquiry) with
`evidence_details.due_by` 7 days after it is created, and so is the appeal's from its start;
the test controls (controls.py) move it on. Events: `charge.dispute.created` (+
`charge.dispute.funds_withdrawn` for a chargeback), `charge.dispute.updated` (evidence
submitted, appeal opened), `charge.dispute.closed` (+ `charge.dispute.funds_reinstated` when
won after the funds were withdrawn).
"""

from __future__ import annotations

from typing import Any

from localstripe.resources import StripeObject

from . import clock
from .events import StripeError, send
from .shapes import amount_captured

EVIDENCE_WINDOW = 7 * 24 * 3600
REASONS = ("bank_cannot_process", "check_returned", "credit_not_processed",
           "customer_initiated", "debit_not_authorized", "duplicate", "fraudulent", "general",
           "incorrect_account_details", "insufficient_funds", "product_not_received",
           "product_unacceptable", "subscription_canceled", "unrecognized")
OPEN = ("warning_needs_response", "warning_under_review", "needs_response", "under_review",
        "appeal_needs_response", "appeal_under_review")
#: where each open status goes once evidence is submitted
REVIEW = {"warning_needs_response": "warning_under_review", "needs_response": "under_review",
          "appeal_needs_response": "appeal_under_review"}
#: the outcomes a control may close an open dispute with, by kind
OUTCOMES = {"inquiry": ("warning_closed", "prevented"), "chargeback": ("won", "lost"),
            "appeal": ("won", "lost")}


class Dispute(StripeObject):
    object = "dispute"
    _id_prefix = "du_"

    def __init__(self, charge: Any, amount: int | None = None, reason: str | None = None,
                 inquiry: bool = False):
        reason = reason or "fraudulent"
        captured = amount_captured(charge)
        if captured <= 0:
            raise StripeError(400, {"type": "invalid_request_error",
                                    "message": f"Charge {charge.id} was not captured."})
        if reason not in REASONS:
            raise StripeError(400, {"type": "invalid_request_error", "param": "reason",
                                    "message": f"Invalid dispute reason: {reason}"})
        amount = captured if amount is None else int(amount)
        if not 0 < amount <= captured:
            raise StripeError(400, {"type": "invalid_request_error", "param": "amount",
                                    "message": "A dispute amount is at most what was captured."})
        super().__init__()
        self.amount = amount
        self.currency = charge.currency
        self.charge = charge.id
        self.payment_intent = charge.payment_intent
        self.reason = reason
        self.status = "warning_needs_response" if inquiry else "needs_response"
        self.evidence_details = {"due_by": self.created + EVIDENCE_WINDOW, "has_evidence": False,
                                 "past_due": False, "submission_count": 0}
        self.is_charge_refundable = False
        self.balance_transactions = []
        self.metadata = {}

    @classmethod
    def _api_create(cls, **data):
        raise StripeError(405, {"type": "invalid_request_error",
                                "message": "Disputes are opened by the cardholder's bank."})

    @classmethod
    def _api_list_all(cls, url, charge=None, payment_intent=None, limit=None,
                      starting_after=None, **_ignored):
        li = super()._api_list_all(url, limit=limit, starting_after=starting_after)
        li._list = [d for d in li._list
                    if (charge is None or d.charge == charge)
                    and (payment_intent is None or d.payment_intent == payment_intent)]
        li._list.sort(key=lambda d: d.created, reverse=True)
        return li


def open_dispute(charge: Any, amount: int | None = None, reason: str | None = None,
                 inquiry: bool = False) -> Dispute:
    dispute = Dispute(charge, amount, reason, inquiry)
    send("charge.dispute.created", dispute)
    if not inquiry:  # an inquiry moves no funds
        send("charge.dispute.funds_withdrawn", dispute)
    return dispute


def _refuse(dispute: Dispute, what: str) -> StripeError:
    return StripeError(400, {"type": "invalid_request_error",
                             "message": f"Dispute {dispute.id} is {dispute.status}: {what}."})


def _kind(dispute: Dispute) -> str:
    if dispute.status.startswith("warning_"):
        return "inquiry"
    return "appeal" if dispute.status.startswith("appeal_") else "chargeback"


def update(dispute: Dispute) -> Dispute:
    """Evidence submitted: the bank reviews it."""
    if dispute.status not in OPEN:
        raise _refuse(dispute, "no evidence can be submitted")
    dispute.status = REVIEW.get(dispute.status, dispute.status)
    dispute.evidence_details["has_evidence"] = True
    dispute.evidence_details["submission_count"] += 1
    send("charge.dispute.updated", dispute)
    return dispute


def appeal(dispute: Dispute) -> Dispute:
    """A lost chargeback goes to appeal: the funds stay withdrawn, a new evidence window."""
    if dispute.status != "lost" or getattr(dispute, "_appealed", False):
        raise _refuse(dispute, "only a lost chargeback can be appealed, once")
    dispute._appealed = True
    dispute.status = "appeal_needs_response"
    dispute.evidence_details.update(due_by=int(clock.now()) + EVIDENCE_WINDOW,
                                    has_evidence=False, past_due=False)
    send("charge.dispute.updated", dispute)
    return dispute


def close(dispute: Dispute, outcome: str) -> Dispute:
    if dispute.status not in OPEN:
        raise _refuse(dispute, "already closed")
    allowed = OUTCOMES[_kind(dispute)]
    if outcome not in allowed:
        raise StripeError(400, {"type": "invalid_request_error", "param": "outcome",
                                "message": f"outcome must be one of {', '.join(allowed)}"})
    withdrawn = _kind(dispute) != "inquiry"
    dispute.status = outcome
    send("charge.dispute.closed", dispute)
    if outcome == "won" and withdrawn:
        send("charge.dispute.funds_reinstated", dispute)
    return dispute


def add_routes(server: Any) -> None:
    """GET routes built with localstripe's own handler factories."""
    server.app.router.add_get("/v1/disputes", server.api_list_all(Dispute, "/v1/disputes"))
    server.app.router.add_get("/v1/disputes/{id}",
                              server.api_retrieve(Dispute, "/v1/disputes/{id}"))
