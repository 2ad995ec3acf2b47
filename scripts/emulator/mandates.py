"""Mandates: the client's authorization to debit a bank account (`mandate_...`).

A SEPA Direct Debit PaymentMethod is debited under a mandate. Stripe makes one when a
SetupIntent (or a PaymentIntent) with a `sepa_debit` payment method is confirmed with the
client's acceptance: `mandate_data[customer_acceptance]` on a server-side confirm (`type`
online with `ip_address` and `user_agent`, or offline), or inferred from the browser when
Stripe.js confirms with the publishable key. The SetupIntent then names it (`mandate`), and so
does the charge (`payment_method_details.sepa_debit.mandate`).

`GET /v1/mandates/{id}`: status `active`, type `multi_use`, the acceptance, the payment method
and `payment_method_details.sepa_debit` (`reference`, `url`).
"""

from __future__ import annotations

import contextvars
import secrets
from typing import Any

from localstripe.resources import StripeObject, store

from . import clock
from .events import SECRET_KEY_REQUEST, StripeError

#: the `mandate_data` of the request being handled (popped by the route wrappers of sepa.py)
MANDATE_DATA: contextvars.ContextVar[Any] = contextvars.ContextVar("mandate_data", default=None)
#: the `mandate` id given to a PaymentIntent create / confirm being handled
MANDATE_ID: contextvars.ContextVar[Any] = contextvars.ContextVar("mandate_id", default=None)
#: where Stripe.js confirms from: the browser's address and user agent (set by the middleware
#: wrapper in sepa.py for publishable-key requests)
CLIENT: contextvars.ContextVar[tuple[str, str] | None] = contextvars.ContextVar(
    "client", default=None)


class Mandate(StripeObject):
    object = "mandate"
    _id_prefix = "mandate_"

    def __init__(self, payment_method: Any, acceptance: dict) -> None:
        super().__init__()
        reference = secrets.token_hex(8).upper()
        self.customer_acceptance = acceptance
        self.livemode = False
        self.multi_use = {}
        self.payment_method = payment_method.id
        self.payment_method_details = {
            "type": "sepa_debit",
            "sepa_debit": {"reference": reference,
                           "url": f"https://stripe.test/mandates/{reference}"}}
        self.status = "active"
        self.type = "multi_use"

    @classmethod
    def _api_create(cls, **data):
        raise StripeError(405, {"type": "invalid_request_error",
                                "message": "Mandates are created by confirming an intent."})


def _bad(param: str, message: str) -> StripeError:
    return StripeError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                             "param": param, "message": message})


def acceptance(data: Any) -> dict | None:
    """The customer_acceptance of `mandate_data` (checked), inferred for Stripe.js, or None."""
    now = int(clock.now())
    if data is None:
        client = CLIENT.get()
        if SECRET_KEY_REQUEST.get() or client is None:
            return None
        return {"type": "online", "accepted_at": now,
                "online": {"ip_address": client[0], "user_agent": client[1]}}
    given = data.get("customer_acceptance") if isinstance(data, dict) else None
    if not isinstance(given, dict) or given.get("type") not in ("online", "offline"):
        raise _bad("mandate_data[customer_acceptance][type]",
                   "customer_acceptance.type must be online or offline.")
    if given["type"] == "offline":
        return {"type": "offline", "accepted_at": now, "offline": {}}
    online = given.get("online") if isinstance(given.get("online"), dict) else {}
    for field in ("ip_address", "user_agent"):
        if not online.get(field):
            raise _bad(f"mandate_data[customer_acceptance][online][{field}]",
                       f"Missing required param: mandate_data[customer_acceptance][online]"
                       f"[{field}].")
    return {"type": "online", "accepted_at": now,
            "online": {"ip_address": online["ip_address"], "user_agent": online["user_agent"]}}


def active_for(payment_method: Any) -> Mandate | None:
    """The latest active mandate of a payment method (made by its SetupIntent)."""
    found = [v for k, v in store.items() if k.startswith("mandate:")
             and v.payment_method == payment_method.id and v.status == "active"]
    return max(found, key=lambda m: m.created) if found else None


def required(payment_method: Any, intent_kind: str) -> Mandate:
    """The mandate a confirmation debits under: given by id, made from mandate_data (or
    Stripe.js), else the payment method's own; Stripe's 400 when there is none."""
    mandate_id = MANDATE_ID.get()
    if mandate_id:
        mandate = Mandate._api_retrieve(mandate_id)
        if mandate.payment_method != payment_method.id or mandate.status != "active":
            raise StripeError(400, {"type": "invalid_request_error", "param": "mandate",
                                    "message": f"Mandate {mandate_id} cannot be used with "
                                               f"PaymentMethod {payment_method.id}."})
        return mandate
    accepted = acceptance(MANDATE_DATA.get())
    if accepted is not None:
        return Mandate(payment_method, accepted)
    existing = active_for(payment_method) if intent_kind == "payment_intent" else None
    if existing is not None:
        return existing
    raise _bad("mandate_data", "A sepa_debit payment method needs a mandate: give "
                               "mandate_data[customer_acceptance] (or an active mandate).")


def add_routes(server: Any) -> None:
    server.app.router.add_get("/v1/mandates/{id}",
                              server.api_retrieve(Mandate, "/v1/mandates/{id}"))
