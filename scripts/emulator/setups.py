"""SetupIntents and PaymentMethods: what Stripe accepts and sends that localstripe does not.

- SetupIntent create accepts `payment_method` and `confirm` (and drops parameters without an
  effect here, e.g. `automatic_payment_methods`, `return_url`, `description`);
- when a SetupIntent succeeds: its payment method is attached to its customer
  (`payment_method.attached`), counts as set up for off-session use (declines.py) and
  `setup_intent.succeeded` is sent; each confirm sets a new `latest_attempt` (setatt_...);
- PaymentMethod attach / detach send `payment_method.attached` / `.detached`.
"""

from __future__ import annotations

import secrets

from localstripe.resources import Customer, PaymentMethod, SetupIntent

from .declines import set_up
from .events import redirects_unhandled, send
from .intents import accepted, attach_to_customer, automatic


def setup_create(cls, payment_method=None, confirm=None, automatic_payment_methods=None,
                 allowed_payment_method_types=None, return_url=None, **data):
    """POST /v1/setup_intents."""
    if data.get("customer"):
        # localstripe does not look the customer up; Stripe answers 404 for one that does not
        # exist in the request's account (owners.py).
        Customer._api_retrieve(data["customer"])
    obj = SetupIntent(**accepted(SetupIntent, data))
    obj._automatic_payment_methods = automatic(automatic_payment_methods)
    obj._allowed_types = allowed_payment_method_types
    if payment_method is not None:
        PaymentMethod._api_retrieve(payment_method)  # 404 if unknown
        obj.payment_method = payment_method
    if str(confirm).lower() == "true":
        return setup_confirm(obj.id, payment_method=payment_method, return_url=return_url)
    return obj


def wrap_setup_confirm(original):
    def confirm(id, **data):  # noqa: A002 - localstripe's own signature
        obj = SetupIntent._api_retrieve(id)
        refused = redirects_unhandled(obj, data.get("return_url"))
        if refused:
            raise refused
        before = obj.status
        # each confirmation is a new SetupAttempt: Stripe's latest_attempt names it
        obj.latest_attempt = f"setatt_{secrets.token_hex(12)}"
        result = original(id, **accepted_confirm(data))
        if before != "succeeded" and result.status == "succeeded":
            attach_to_customer(result)
            set_up(PaymentMethod._api_retrieve(result.payment_method))
            send("setup_intent.succeeded", result)
        return result
    return confirm


def accepted_confirm(data: dict) -> dict:
    known = ("use_stripe_sdk", "client_secret", "payment_method", "payment_method_data")
    return {k: v for k, v in data.items() if k in known}


def setup_list_all(cls, url, customer=None, limit=None, starting_after=None, **_ignored):
    """GET /v1/setup_intents with Stripe's `customer` filter, newest first."""
    from localstripe.resources import StripeObject

    li = StripeObject._api_list_all.__func__(cls, url, limit=limit,
                                            starting_after=starting_after)
    if customer is not None:
        li._list = [si for si in li._list if si.customer == customer]
    li._list.sort(key=lambda si: si.created, reverse=True)
    return li


def sending(event_type: str):
    """Wrap a localstripe route so that it sends `event_type` with the object it returns."""
    def wrap(original):
        def route(id, **data):  # noqa: A002
            obj = original(id, **data)
            send(event_type, obj)
            return obj
        return route
    return wrap


setup_confirm = None  # set by install(): the wrapped confirm, also used by setup_create


def install(replace) -> None:
    """`replace(method, url, factory)` swaps an extra API of localstripe for factory(old)."""
    global setup_confirm
    setup_confirm = replace("POST", "/v1/setup_intents/{id}/confirm", wrap_setup_confirm)
    replace("POST", "/v1/payment_methods/{id}/attach", sending("payment_method.attached"))
    replace("POST", "/v1/payment_methods/{id}/detach", sending("payment_method.detached"))
    SetupIntent._api_create = classmethod(setup_create)
    SetupIntent._api_list_all = classmethod(setup_list_all)
