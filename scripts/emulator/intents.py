"""PaymentIntents and SetupIntents as Stripe runs them at the pinned API version.

Replaces localstripe's create / confirm / capture / cancel of PaymentIntents and wraps its
SetupIntent create / confirm and PaymentMethod attach / detach:

- create takes what Stripe accepts beyond localstripe (`setup_future_usage`, `off_session`,
  `error_on_requires_action`, `automatic_payment_methods`, `allowed_payment_method_types`,
  `return_url`, ...): parameters without an effect here are accepted and dropped;
- confirm accepts `payment_method` (secret key, or Stripe.js: publishable key + `client_secret`)
  and runs the 3-D Secure path: `requires_action`, completed by `/_authenticate`;
- off-session (or `error_on_requires_action`) confirmation of a card that requires
  authentication: 402 card_error `authentication_required`, intent back in
  `requires_payment_method` with `last_payment_error`; which cards ask when: declines.py
  (4000002500003155 passes off-session once set up, 4000002760003184 always asks);
- a declined charge (test card numbers, or outcomes scripted with /_test/declines; see
  declines.py): 402 card_error with Stripe's code / decline_code / advice codes, the intent in
  `requires_payment_method` without its payment method, `last_payment_error` set, events
  `payment_intent.payment_failed` and `charge.failed`;
- a partial capture releases the rest without booking a Refund (see shapes.py);
- capture / cancel of an intent in the wrong status: 400 `payment_intent_unexpected_state`;
- events localstripe does not send: `payment_intent.amount_capturable_updated`,
  `payment_intent.canceled`, `setup_intent.succeeded`, `payment_method.attached|detached`;
- `setup_future_usage`: on success the payment method is attached to the customer.
"""

from __future__ import annotations

import inspect
from typing import Any

from localstripe import resources
from localstripe.errors import UserError
from localstripe.resources import Charge, PaymentIntent, PaymentMethod, StripeObject

from . import clock, declines
from .events import StripeError, redirects_unhandled, send, unexpected_state

CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELABLE = ("requires_payment_method", "requires_capture", "requires_confirmation",
              "requires_action", "processing")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")


def accepted(cls: type, data: dict) -> dict:
    """The keys of `data` that localstripe's constructor of `cls` knows."""
    names = inspect.signature(cls.__init__).parameters
    return {k: v for k, v in data.items() if k in names and k != "self"}


def _flag(value: Any) -> bool:
    return str(value).lower() in ("true", "1", "one_off", "recurring")


def create(cls, confirm=None, off_session=None, setup_future_usage=None,  # noqa: PLR0913
           error_on_requires_action=None, automatic_payment_methods=None,
           allowed_payment_method_types=None, return_url=None, **data):
    """POST /v1/payment_intents."""
    if off_session is not None and not _flag(confirm):
        raise StripeError(400, {"type": "invalid_request_error", "param": "off_session",
                                "message": "off_session can only be used with confirm=true."})
    obj = PaymentIntent(**accepted(PaymentIntent, data))
    obj._setup_future_usage = setup_future_usage
    obj._automatic_payment_methods = automatic(automatic_payment_methods)
    obj._allowed_types = allowed_payment_method_types
    obj._off_session = off_session is not None and _flag(off_session)
    obj._error_on_requires_action = _flag(error_on_requires_action)
    if _flag(confirm):
        # Off-session: no customer to redirect; not refused here (Stripe's rule unverified).
        refused = not obj._off_session and redirects_unhandled(obj, return_url)
        if refused:
            raise refused
        obj._confirm(on_failure_now=obj._report_failure)
    return obj


def automatic(value: Any) -> dict | None:
    """automatic_payment_methods as given, with its booleans parsed."""
    if not isinstance(value, dict):
        return None
    return {"enabled": _flag(value.get("enabled")),
            "allow_redirects": value.get("allow_redirects", "always")}


def confirm(id, payment_method=None, client_secret=None, off_session=None,  # noqa: A002
            error_on_requires_action=None, setup_future_usage=None, return_url=None,
            **_ignored):
    """POST /v1/payment_intents/{id}/confirm (secret key, or Stripe.js with client_secret)."""
    obj = PaymentIntent._api_retrieve(id)
    if client_secret is not None and client_secret != obj.client_secret:
        raise UserError(401, "Unauthorized")
    if obj.status not in CONFIRMABLE:
        raise unexpected_state(obj, "confirmed", CONFIRMABLE)
    refused = not _flag(off_session) and redirects_unhandled(obj, return_url)
    if refused:
        raise refused
    if payment_method is not None:
        PaymentMethod._api_retrieve(payment_method)  # 404 if unknown
        obj.payment_method = payment_method
        obj.next_action = None
        obj.latest_charge = None  # a new attempt: its charge becomes the latest one
        obj._last_error = None
        obj._authentication_failed = False
    if obj.payment_method is None:
        raise StripeError(400, {"type": "invalid_request_error", "code": "parameter_missing",
                                "param": "payment_method",
                                "message": "You cannot confirm this PaymentIntent because "
                                           "it's missing a payment method."})
    if obj.status != "requires_confirmation":
        raise unexpected_state(obj, "confirmed", CONFIRMABLE)
    obj._off_session = off_session is not None and _flag(off_session)
    obj._error_on_requires_action = _flag(error_on_requires_action)
    if setup_future_usage is not None:
        obj._setup_future_usage = setup_future_usage
    obj._confirm(on_failure_now=obj._report_failure)
    return obj


def _confirm(self, on_failure_now):
    """One confirmation: it takes the card's next decline outcome (scripted, or its number)."""
    self._authentication_failed = False
    pm = PaymentMethod._api_retrieve(self.payment_method)
    self._decline = declines.on_charge(pm)
    asked = bool(self._decline and self._decline.get("authentication_required"))
    if asked:
        self._decline = None  # the bank asks for 3-D Secure this time; the charge may then pass
    off_session = bool(getattr(self, "_off_session", False))
    if not (asked or declines.needs_authentication(pm, off_session)):
        self._create_charge(on_failure_now=on_failure_now)
    elif off_session or getattr(self, "_error_on_requires_action", False):
        _authentication_required(self, pm)
    else:
        self.next_action = {"type": "use_stripe_sdk",
                            "use_stripe_sdk": {"type": "three_d_secure_redirect",
                                               "stripe_js": ""}}


def _authentication_required(intent: Any, pm: Any) -> None:
    """The bank wants 3-D Secure and the customer is absent: Stripe's 402, intent reset."""
    error = {"type": "card_error", "code": "authentication_required",
             "decline_code": "authentication_required",
             "message": "Your card was declined. This transaction requires authentication.",
             "payment_method": pm._export()}
    intent._last_error = error
    intent.payment_method = None
    intent.next_action = None
    intent._decline = None
    send("payment_intent.payment_failed", intent)
    raise StripeError(402, dict(error, payment_intent=intent._export()))


def _create_charge(self, on_failure_now):
    if self.status != "requires_confirmation":
        raise UserError(400, "Bad request")
    decline, self._decline = getattr(self, "_decline", None), None
    charge = Charge(amount=self.amount, currency=self.currency, customer=self.customer,
                    source=self.payment_method, capture=(self.capture_method != "manual"))
    charge._decline = decline
    charge._authorized = charge._authorized and decline is None
    charge.payment_intent = self.id
    charge._manual = self.capture_method == "manual"
    charge._off_session = bool(getattr(self, "_off_session", False))
    self.latest_charge = charge
    charge._initialize_charge(self._on_success, on_failure_now, self._report_async_failure)
    if self.status == "requires_capture":
        send("payment_intent.amount_capturable_updated", self)
    if self.status in ("requires_capture", "succeeded"):
        _save_for_future(self)


def _save_for_future(intent: Any) -> None:
    """setup_future_usage: Stripe attaches the payment method to the customer on success."""
    if getattr(intent, "_setup_future_usage", None):
        attach_to_customer(intent)
        declines.set_up(PaymentMethod._api_retrieve(intent.payment_method))


def attach_to_customer(intent: Any) -> None:
    """The card of a PaymentIntent or SetupIntent becomes its customer's (event sent once)."""
    if not intent.customer or not intent.payment_method:
        return
    pm = PaymentMethod._api_retrieve(intent.payment_method)
    if pm.customer != intent.customer:
        pm.customer = intent.customer
        send("payment_method.attached", pm)


def _last_payment_error(original):
    def getter(self):
        return getattr(self, "_last_error", None) or original.fget(self)
    return property(getter)


def capture(id, amount_to_capture=None, **_ignored):  # noqa: A002
    """POST /v1/payment_intents/{id}/capture."""
    obj = PaymentIntent._api_retrieve(id)
    if obj.status != "requires_capture":
        raise unexpected_state(obj, "captured", ("requires_capture",))
    amount = obj.amount if amount_to_capture is None else resources.try_convert_to_int(
        amount_to_capture)
    if not isinstance(amount, int) or not 0 < amount <= obj.amount:
        raise StripeError(400, {"type": "invalid_request_error", "code": "amount_too_large",
                                "param": "amount_to_capture",
                                "message": "amount_to_capture must be at most amount_capturable."})
    obj.latest_charge._capture(amount, on_success=obj._on_success)
    return obj


def _capture(self, amount, on_success=None):
    """Charge capture: the uncaptured rest is released, not refunded."""
    def done():
        self.captured = True
        self._amount_captured = amount
        if on_success:
            on_success()
    self._trigger_payment(on_success=done)


def cancel(id, cancellation_reason=None, **_ignored):  # noqa: A002
    """POST /v1/payment_intents/{id}/cancel."""
    obj = PaymentIntent._api_retrieve(id)
    if obj.status not in CANCELABLE:
        raise unexpected_state(obj, "canceled", CANCELABLE)
    if cancellation_reason is not None and cancellation_reason not in CANCELLATION_REASONS:
        raise StripeError(400, {"type": "invalid_request_error", "code": "parameter_invalid_string",
                                "param": "cancellation_reason",
                                "message": f"Invalid cancellation_reason: {cancellation_reason}"})
    return mark_canceled(obj, cancellation_reason)


def mark_canceled(obj: Any, reason: str | None) -> Any:
    obj._canceled = True
    obj.next_action = None
    obj._cancellation_reason = reason
    obj._canceled_at = int(clock.now())
    send("payment_intent.canceled", obj)
    return obj


def expire(obj: Any) -> Any:
    """The authorization lapsed: Stripe cancels the intent with cancellation_reason expired."""
    if obj.status != "requires_capture":
        raise unexpected_state(obj, "expired", ("requires_capture",))
    return mark_canceled(obj, "expired")  # since 2025-03-31.basil, was "automatic"


def list_all(cls, url, customer=None, limit=None, starting_after=None, **_ignored):
    """GET /v1/payment_intents, with Stripe's `customer` filter (localstripe has none); newest
    first, as Stripe lists."""
    li = StripeObject._api_list_all.__func__(cls, url, limit=limit,
                                            starting_after=starting_after)
    if customer is not None:
        li._list = [pi for pi in li._list if pi.customer == customer]
    li._list.sort(key=lambda pi: pi.created, reverse=True)
    return li


def install(replace) -> None:
    """Patch PaymentIntent / Charge; `replace` swaps localstripe's extra API routes."""
    PaymentIntent._api_create = classmethod(create)
    PaymentIntent._api_list_all = classmethod(list_all)
    PaymentIntent._confirm = _confirm
    PaymentIntent._create_charge = _create_charge
    PaymentIntent.last_payment_error = _last_payment_error(PaymentIntent.last_payment_error)
    Charge._capture = _capture
    replace("POST", "/v1/payment_intents/{id}/confirm", lambda _old: confirm)
    replace("POST", "/v1/payment_intents/{id}/capture", lambda _old: capture)
    replace("POST", "/v1/payment_intents/{id}/cancel", lambda _old: cancel)
