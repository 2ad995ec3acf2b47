"""Objects exported in the shape of the pinned API version.

localstripe answers in the shape of an API version years old. Patching `_export` of its classes
changes every place an object leaves the emulator at once: API answers, error bodies and the
`data.object` of webhook events (built by `Event(...)` from `_export()`).

- PaymentIntent: no `charges` list; `latest_charge` an id unless `expand[]=latest_charge`;
  `amount_capturable`, `amount_received`, `cancellation_reason`, `canceled_at`,
  `setup_future_usage`, `payment_method_types`.
- Charge: `amount_captured`; `amount_refunded` counts only real refunds that are pending or
  succeeded (Stripe's Charge reference: the released rest of a partial capture is what
  `amount_captured` shows, not a refund); `refunded`; `disputed`;
  `payment_method_details.card.capture_before` on an authorized-only (manual capture) charge.
- Refund: `payment_intent` filled from the charge, `failure_reason` when failed.
"""

from __future__ import annotations

from typing import Any

from localstripe.resources import Charge, PaymentIntent, PaymentMethod, Refund, store

HOLD_ON_SESSION = 7 * 24 * 3600  # card networks: customer-initiated authorization
HOLD_OFF_SESSION = 4 * 24 * 3600 + 18 * 3600  # Visa merchant-initiated since April 2024
COUNTED_REFUND = ("pending", "succeeded")


def _split_expand(expand: list | None, field: str) -> tuple[list[str], list[str] | None]:
    """(paths localstripe may expand, sub-paths below `field` or None if `field` not expanded)."""
    rest, below = [], None
    for path in expand or []:
        head, _, tail = path.partition(".")
        if head == field:
            below = below or []
            if tail:
                below.append(tail)
        else:
            rest.append(path)
    return rest, below


def refunds_of(charge_id: str) -> list[Any]:
    return [v for k, v in store.items() if k.startswith("refund:") and v.charge == charge_id]


def amount_refunded(charge: Any) -> int:
    return sum(r.amount for r in refunds_of(charge.id)
               if getattr(r, "status", "succeeded") in COUNTED_REFUND)


def amount_captured(charge: Any) -> int:
    if not charge.captured or charge.status != "succeeded":
        return 0
    return getattr(charge, "_amount_captured", charge.amount)


def disputed(charge: Any) -> bool:
    return any(k.startswith("dispute:") and v.charge == charge.id for k, v in store.items())


def capture_before(charge: Any) -> int | None:
    if not getattr(charge, "_manual", False):
        return None
    window = HOLD_OFF_SESSION if getattr(charge, "_off_session", False) else HOLD_ON_SESSION
    return charge.created + window


def _card_details(charge: Any) -> dict:
    try:
        pm = PaymentMethod._api_retrieve(charge.payment_method)
    except Exception:  # a card_ / src_ id or a vanished object: no details to give
        return {}
    card = dict(getattr(pm, "card", None) or {})
    card.pop("three_d_secure_usage", None)
    card["capture_before"] = capture_before(charge)
    return card


def export_charge(original):
    def _export(self, expand=None):
        rest, refunds_below = _split_expand(expand, "refunds")
        obj = original(self, expand=rest)
        if refunds_below is None:
            obj.pop("refunds", None)  # not included by default since 2022-11-15
        obj["amount_captured"] = amount_captured(self)
        obj["amount_refunded"] = amount_refunded(self)
        obj["refunded"] = obj["amount_refunded"] >= amount_captured(self) > 0
        obj["disputed"] = disputed(self)
        obj["payment_method_details"] = {"type": "card", "card": _card_details(self)}
        return obj
    return _export


def export_payment_intent(original):
    def _export(self, expand=None):
        rest, charge_below = _split_expand(expand, "latest_charge")
        obj = original(self, expand=rest)
        charge = self.latest_charge
        if charge is None:
            obj["latest_charge"] = None
        elif charge_below is None:
            obj["latest_charge"] = charge.id
        else:
            obj["latest_charge"] = charge._export(expand=charge_below)
        status = self.status
        obj["amount_capturable"] = self.amount if status == "requires_capture" else 0
        obj["amount_received"] = amount_captured(charge) if charge is not None else 0
        obj["cancellation_reason"] = (getattr(self, "_cancellation_reason", None)
                                      if status == "canceled" else None)
        obj["canceled_at"] = getattr(self, "_canceled_at", None) if status == "canceled" else None
        obj["setup_future_usage"] = getattr(self, "_setup_future_usage", None)
        obj["payment_method_types"] = ["card"]
        obj["automatic_payment_methods"] = getattr(self, "_automatic_payment_methods", None)
        return obj
    return _export


def export_refund(original):
    def _export(self, expand=None):
        obj = original(self, expand=expand)
        obj.pop("date", None)
        if obj.get("payment_intent") is None:
            charge = store.get("charge:" + self.charge)
            obj["payment_intent"] = getattr(charge, "payment_intent", None)
        obj["status"] = getattr(self, "status", "succeeded")
        obj["failure_reason"] = getattr(self, "_failure_reason", None)
        obj["reason"] = getattr(self, "_reason", None)
        return obj
    return _export


def install() -> None:
    # `charges` is a property computed on export: remove it rather than pop it afterwards.
    if "charges" in vars(PaymentIntent):
        delattr(PaymentIntent, "charges")
    Charge._export = export_charge(Charge._export)
    PaymentIntent._export = export_payment_intent(PaymentIntent._export)
    Refund._export = export_refund(Refund._export)
    Charge.amount_refunded = property(amount_refunded)
    Charge.refunded = property(lambda self: amount_refunded(self) >= amount_captured(self) > 0)
